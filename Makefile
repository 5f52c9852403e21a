# Quick start: `make site` builds the site and PDFs into site/, `make test` runs every test.
# Both set up everything first (virtual environment from the lock file, system libraries).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test check serve serve-site edit format schema bench setup system system-test system-edit lock clean

site: setup
	$(BIN)/guide build

check: setup
	$(BIN)/guide check

serve: setup
	$(BIN)/guide serve

# The built site served as in production (nginx, server/vagledning.conf) on http://127.0.0.1:8080/.
serve-site: site
	@tools/system-deps.sh serve
	$(BIN)/python -m generator.commands.webserver --port 8080 site

# The maintainers' editor (Decap CMS) on http://127.0.0.1:8000/admin/ with the live preview on
# http://127.0.0.1:8000/. Installs what it needs first: Node.js packages pinned in package-lock.json.
# `make edit UTGAVA=exempelkommun`: only that local edition's files (utgavor/<id>/), its site in the preview.
edit: setup system-edit node_modules/.package-lock.json
	@$(BIN)/guide edit$(if $(UTGAVA), --utgava '$(UTGAVA)')

# Every content file in the shape the editor writes (run after merging hand-edited content).
format: setup system-edit node_modules/.package-lock.json
	$(BIN)/guide format

# JSON Schemas for VS Code's YAML extension (schemas/, .vscode/settings.json), from the model.
schema: setup
	$(BIN)/guide schema

# Figures and ratios for build speed (prints, never fails on a number).
bench: setup
	$(BIN)/python tools/bench.py

test: setup system-test node_modules/.package-lock.json
	$(BIN)/python -m pytest

# JavaScript the tests and the editor use (axe-core, Lighthouse, pdf.js, the Nu Html Checker, Decap CMS),
# pinned in package-lock.json, from the npm registry.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

setup: $(STAMP) system

# Exactly what requirements.lock pins (tools/venv.sh): a newer release on the index changes nothing.
$(STAMP): requirements.lock pyproject.toml tools/venv.sh
	PYTHON=$(PYTHON) tools/venv.sh $(VENV)
	touch $@

# System libraries WeasyPrint needs (Pango, HarfBuzz subsetting); tests also need Chromium,
# poppler-utils, npm and Java (for the Nu Html Checker).
system:
	@tools/system-deps.sh site

system-test:
	@tools/system-deps.sh test

system-edit:
	@tools/system-deps.sh edit

# Re-resolve the pinned dependencies after changing pyproject.toml. The lock holds every
# distribution the install needs, setuptools (the build backend) included, since tools/venv.sh
# installs with --no-deps.
# pip-tools runs in a venv of its own (build/lock-env), so .venv keeps exactly what is locked.
lock:
	$(PYTHON) -m venv build/lock-env
	build/lock-env/bin/pip install --quiet pip-tools==7.7.0
	build/lock-env/bin/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras \
		--allow-unsafe --build-deps-for editable --generate-hashes --extra test \
		--output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) build site .pytest_cache node_modules
