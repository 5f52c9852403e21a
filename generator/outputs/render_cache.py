"""The engine's Markdown-to-HTML step, remembered between builds (about half of a MkDocs build).

A page's HTML depends only on its Markdown, its own address, the addresses of every file of
the site (links are rewritten and checked against them) and the Markdown settings. The cache
keys each page on all of these, so an unchanged page gets the HTML it would get anyway; any
change to one of them renders the page again. Only renders that logged nothing are kept:
a render that warned (say, of a broken link) is done again on every build, so a strict
build still stops on it.

This hooks into MkDocs 1.6's `Page.render` (pinned in pyproject.toml): it sets the same
attributes the engine's own render sets. tests/test_engine.py checks that a build from the
cache is byte-identical to one by the bare engine.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from importlib.metadata import version
from pathlib import Path

from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator import diskcache

FORMAT = "1"  # bump when what is stored changes
ENGINE = f"{FORMAT} mkdocs {version('mkdocs')} markdown {version('markdown')}"
PAGE_LOG = logging.getLogger("mkdocs.structure.pages")
LOGGERS = ["", "mkdocs", "MARKDOWN"]  # the root, and the loggers that may not pass records on to it


class RenderCache(BasePlugin):
    """Keeps each page's rendered HTML in `folder` (a JSON file per page and key).

    A build that rendered every page removes the files it did not use; a build of the changed
    pages only (the previews' `dirty` builds) leaves them."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.used: set[str] = set()
        self.hits = self.misses = self.pages = 0
        self._site_key: str | None = None

    def on_files(self, files, *, config):
        self.used, self._site_key, self.hits, self.misses = set(), None, 0, 0
        self.pages = len(files.documentation_pages())
        return files

    def on_pre_page(self, page: Page, *, config, files) -> Page:
        page.render = functools.partial(self._render, page)  # in place of Page.render, for this page
        return page

    def on_post_build(self, *, config) -> None:
        if self.hits + self.misses < self.pages or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                with contextlib.suppress(OSError):  # a read-only cache is only slower
                    path.unlink(missing_ok=True)

    def _render(self, page: Page, config, files) -> None:
        key = self._key(page, config, files)
        self.used.add(key)
        data = diskcache.read(self.folder / f"{key}.json")
        stored = json.loads(data) if data else None
        if stored is not None:
            self.hits += 1
            _restore(page, stored, files)
            return
        self.misses += 1
        with _Records() as records:
            Page.render(page, config, files)
        if not records.seen:
            diskcache.keep(self.folder / f"{key}.json", json.dumps(_stored(page), ensure_ascii=False).encode("utf-8"))

    def _key(self, page: Page, config, files) -> str:
        if self._site_key is None:
            site = hashlib.sha256(ENGINE.encode())
            settings = {"extensions": [repr(e) for e in config["markdown_extensions"]],
                        "configs": config["mdx_configs"], "urls": config["use_directory_urls"],
                        "validation": config["validation"]}
            site.update(json.dumps(settings, sort_keys=True, default=repr).encode())
            for file in sorted(files, key=lambda f: f.src_uri):
                site.update(f"\0{file.src_uri}\0{file.dest_uri}\0{file.url}\0{file.inclusion}".encode())
            self._site_key = site.hexdigest()
        digest = hashlib.sha256(self._site_key.encode())
        digest.update(f"\0{page.file.src_uri}\0{page.file.dest_uri}\0{page.file.url}\0".encode())
        digest.update(page.markdown.encode())
        return digest.hexdigest()


def _stored(page: Page) -> dict:
    links = getattr(page, "links_to_anchors", None)
    return {"content": page.content, "toc": [_token(item) for item in page.toc],
            "title": page._title_from_render, "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {f.src_uri: anchors for f, anchors in links.items()}}


def _restore(page: Page, stored: dict, files) -> None:
    """What Page.render sets, from what _stored kept."""
    page.content = stored["content"]
    page.toc = get_toc(stored["toc"])
    page._title_from_render = stored["title"]
    page.present_anchor_ids = set(stored["anchors"])
    if PAGE_LOG.getEffectiveLevel() > logging.DEBUG and stored["links"] is not None:
        page.links_to_anchors = {files.get_file_from_path(src): anchors for src, anchors in stored["links"].items()}


def _token(item) -> dict:
    return {"level": item.level, "id": item.id, "name": item.title, "children": [_token(c) for c in item.children]}


class _Records(logging.Handler):
    """Notes whether anything was logged (at INFO or above) while a page was rendered."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True

    def __enter__(self) -> "_Records":
        for name in LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self)
