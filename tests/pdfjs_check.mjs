// pdf.js (what Firefox shows PDFs and fills forms with), run in Chromium by tests/test_pdf_access.py.
import * as pdfjs from "./pdfjs-dist/build/pdf.mjs";

pdfjs.GlobalWorkerOptions.workerSrc = new URL("./pdfjs-dist/build/pdf.worker.mjs", import.meta.url).href;
const base = new URL("./pdfjs-dist/", import.meta.url).href;

function open(source) {
  return pdfjs.getDocument({ ...source, standardFontDataUrl: base + "standard_fonts/", cMapUrl: base + "cmaps/",
                             wasmUrl: base + "wasm/", isEvalSupported: false }).promise;
}

// Every widget of a PDF with the value pdf.js reads and the dark pixels inside it once the page is
// drawn with the annotations' appearance streams (as pdf.js draws them for print).
export async function widgets(url, scale = 1) {
  const doc = await open({ url });
  const found = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const annots = (await page.getAnnotations()).filter((a) => a.subtype === "Widget");
    if (!annots.length) continue;
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    await page.render({ canvas, canvasContext: ctx, viewport, annotationMode: pdfjs.AnnotationMode.ENABLE }).promise;
    for (const a of annots) {
      const [x0, y0, x1, y1] = viewport.convertToViewportRectangle(a.rect);
      const inset = 2 * scale;  // leave the border out: 2 pt, as the Python side does
      const left = Math.round(Math.min(x0, x1) + inset), top = Math.round(Math.min(y0, y1) + inset);
      const width = Math.round(Math.abs(x1 - x0) - 2 * inset), height = Math.round(Math.abs(y1 - y0) - 2 * inset);
      const pixels = ctx.getImageData(left, top, width, height).data;
      let ink = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] < 384) ink++;
      found.push({ name: a.fieldName, type: a.fieldType, checkBox: !!a.checkBox, value: a.fieldValue,
                   exportValue: a.exportValue ?? null, label: a.alternativeText ?? null, page: n, ink });
    }
  }
  return found;
}

// Fill every field as a person would in Firefox (tick every box, type `text`), save, and return the
// saved PDF as base64.
export async function fillAndSave(url, text) {
  const doc = await open({ url });
  for (let n = 1; n <= doc.numPages; n++) {
    for (const a of await (await doc.getPage(n)).getAnnotations()) {
      if (a.subtype !== "Widget") continue;
      if (a.checkBox) doc.annotationStorage.setValue(a.id, { value: true });
      else if (a.fieldType === "Tx") doc.annotationStorage.setValue(a.id, { value: text });
    }
  }
  const bytes = await doc.saveDocument();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// The links of every page as a screen reader gets them from pdf.js's structure tree: each Link
// element with the annotations it holds and the text of its marked content; the link annotations
// with their /Contents; and the text marked as artifacts (not read out).
export async function links(url) {
  const doc = await open({ url });
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const annotations = (await page.getAnnotations()).filter((a) => a.subtype === "Link")
      .map((a) => ({ contents: a.contentsObj?.str ?? "", target: a.url ?? (typeof a.dest === "string" ? a.dest : null) }));
    if (!annotations.length) continue;
    const text = {};
    const artifacts = [];
    const marks = [];
    for (const item of (await page.getTextContent({ includeMarkedContent: true })).items) {
      if (item.type === "beginMarkedContentProps" || item.type === "beginMarkedContent") marks.push(item);
      else if (item.type === "endMarkedContent") marks.pop();
      else if (item.str !== undefined) {
        const owner = [...marks].reverse().find((m) => m.id);
        if (marks.some((m) => m.tag === "Artifact")) artifacts.push(item.str);
        else if (owner) text[owner.id] = (text[owner.id] || "") + item.str;
      }
    }
    const elements = [];
    const walk = (node, inLink) => {
      if (node.role === "Link") {
        const element = { text: [], annotations: 0, nested: inLink };
        const collect = (n) => {
          for (const kid of n.children || []) {
            if (kid.type === "content") element.text.push(text[kid.id] || "");
            else if (kid.type === "annotation" || kid.type === "object") element.annotations++;
            else if (kid.role === "Link") walk(kid, true);
            else collect(kid);
          }
        };
        collect(node);
        elements.push({ ...element, text: element.text.join(" ") });
        return;
      }
      for (const kid of node.children || []) walk(kid, inLink);
    };
    walk(await page.getStructTree(), false);
    pages.push({ page: n, elements, annotations, artifacts });
  }
  return pages;
}
