#!/usr/bin/env bash
# Checks the system packages the project needs and installs the missing ones with apt.
#   tools/system-deps.sh site   libraries WeasyPrint needs to write PDFs
#   tools/system-deps.sh serve  the same, plus nginx (make serve-site serves site/ as in production)
#   tools/system-deps.sh test   the same, plus Debian's Chromium for the browser tests, poppler-utils,
#                               npm (axe-core, Lighthouse, pdf.js, the Nu Html Checker), a Java runtime
#                               for the Nu Html Checker and nginx (the tests' server)
#   tools/system-deps.sh edit   the same as site, plus npm and Node.js for the editor (make edit)
set -euo pipefail

need_libs=(libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0
           libharfbuzz-subset.so.0:libharfbuzz-subset0)
missing=()
# Read the library cache once into a variable: "ldconfig -p | grep -q" under pipefail fails
# whenever grep stops reading early, and would report an installed library as missing.
libs=$(ldconfig -p)
for pair in "${need_libs[@]}"; do
  lib=${pair%%:*}; pkg=${pair##*:}
  [[ $libs == *"$lib"* ]] || missing+=("$pkg")
done
if [ "${1:-site}" = test ] || [ "${1:-site}" = serve ]; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
fi
if [ "${1:-site}" = test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v npm >/dev/null || missing+=(npm)
  command -v java >/dev/null || missing+=(default-jre-headless)
fi
if [ "${1:-site}" = edit ]; then
  command -v npm >/dev/null || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installerar systempaket: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Systempaket saknas: ${missing[*]}" >&2
  echo "Installera dem, till exempel: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
