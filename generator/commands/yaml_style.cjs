// Writes YAML exactly as Decap CMS does (decap-cms-core's formats/yaml.ts, toFile): the same
// `yaml` 1.x package, yaml.createNode(data) and Document.toString() with its defaults.
// Reads JSON from stdin: a list of [name, data] pairs; writes JSON: {name: yaml text}.
"use strict";
const yaml = require("yaml");

function toFile(data) {
  const doc = new yaml.Document();
  doc.contents = yaml.createNode(data);
  return doc.toString();
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = {};
  for (const [name, data] of JSON.parse(input)) out[name] = toFile(data);
  process.stdout.write(JSON.stringify(out));
});
