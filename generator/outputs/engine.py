"""The site engine: MkDocs 1.6, or ProperDocs 1.6.7, its maintained drop-in fork.

The only module that imports the engine. What the generator asks of it is here, and nothing
else knows its name:

    config(config_file, site_dir)   the engine's config, with this module's two plugins
    build(config, ...)              one build; the engine's warnings become a Swedish BuildError
    live_reload_server(...)         the server of `guide serve`
    RenderCache, Verbatim           the plugins: each page's HTML remembered between builds,
                                    and large finished HTML carried past Markdown

ENGINE below is the one line that switches engines (GUIDE_ENGINE overrides it, for the test
that builds with both). tests/test_engine.py checks that the plugins change no byte of a
build, and that ProperDocs builds the same site as MkDocs.

The render cache: the engine's Markdown-to-HTML step, remembered between builds (about half
of a build). A page's HTML depends only on its Markdown, its own address, the addresses of
every file of the site (links are rewritten and checked against them) and the Markdown
settings. The cache keys each page on all of these, so an unchanged page gets the HTML it
would get anyway; any change to one of them renders the page again. Only renders that logged
nothing are kept: a render that warned (say, of a broken link) is done again on every build,
so a strict build still stops on it. This hooks into the engine's `Page.render` (1.6, pinned
in pyproject.toml): it sets the same attributes the engine's own render sets.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import logging
import os
import re
import sys
from pathlib import Path

from generator import diskcache
from generator.views.inserts import BLOCK, PLACEHOLDER

ENGINE = os.environ.get("GUIDE_ENGINE", "mkdocs")  # or "properdocs"
if ENGINE not in ("mkdocs", "properdocs"):
    raise ValueError(f"GUIDE_ENGINE={ENGINE}: skriv mkdocs eller properdocs.")
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # MkDocs 1.6.1's notice of 2.0, on every run
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "1")  # the same notice in ProperDocs
if ENGINE == "properdocs":  # the theme's plugins import mkdocs.*: ProperDocs answers for it
    importlib.import_module("properdocs.replacement")
NAME = {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}[ENGINE]


def _engine(module: str):
    return importlib.import_module(f"{ENGINE}.{module}")


BasePlugin = _engine("plugins").BasePlugin
Page = _engine("structure.pages").Page
get_toc = _engine("structure.toc").get_toc

PAGE_LOG = logging.getLogger(f"{ENGINE}.structure.pages")
LOGGERS = ["", ENGINE, "MARKDOWN"]  # the root, and the loggers that may not pass records on to it
RENDER_CACHE = "render-cache"  # in the config's folder (build/), one folder per config


class EngineError(Exception):
    """The engine stopped: `messages` are its warnings (e.g. a broken link in strict mode)."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def config(config_file: Path, site_dir: Path, bytecode_cache=None, cache_dir: Path | None = None, **options):
    """The engine's config for a build into site_dir, with what it did before remembered (the
    same output): each page's HTML (RenderCache, in `cache_dir`/render-cache/, one folder per
    kind of config; the config's own folder by default), the theme's templates compiled once and
    cached on disk (`bytecode_cache`), and large finished HTML carried past Markdown (Verbatim).
    `options`: e.g. strict=False."""
    result = _engine("config").load_config(str(config_file), site_dir=str(site_dir), **options)
    result.plugins["guide-render-cache"] = RenderCache((cache_dir or config_file.parent) / RENDER_CACHE / config_file.stem)
    result.plugins["guide-verbatim"] = Verbatim()
    if bytecode_cache is not None:
        theme_env = result.theme.get_env

        def get_env():
            env = theme_env()
            env.bytecode_cache = bytecode_cache
            return env

        result.theme.get_env = get_env
    return result


def build(engine_config, dirty: bool = False, serve_url: str | None = None) -> None:
    """One build of the site; the engine's own errors become EngineError with its warnings."""
    with _EngineLog() as log:
        try:
            _engine("commands.build").build(engine_config, dirty=dirty, serve_url=serve_url)
        except OSError:  # the disk, not the content
            raise
        except Exception as err:
            raise EngineError(log.messages or [str(err)]) from err


def prepare_fork() -> None:
    """Import the engine once before forking a build (the fork inherits it loaded)."""
    _engine("commands.build")


def quiet(level: int = logging.WARNING) -> None:
    """Only the engine's notes at `level` and above; the preview's dirty builds without their warning."""
    logging.getLogger(ENGINE).setLevel(level)
    logging.getLogger(f"{ENGINE}.commands.build").addFilter(lambda r: "'dirty' build" not in r.getMessage())


def live_reload_server(builder, host: str, port: int, root: Path):
    """The engine's live-reload server (`guide serve`), which serves `root` and reloads pages."""
    return _engine("livereload").LiveReloadServer(builder=builder, host=host, port=port, root=str(root))


class _EngineLog(logging.Handler):
    """Collects the engine's warnings, so that a failed strict build says what went wrong."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"- {record.getMessage()}")

    def __enter__(self) -> "_EngineLog":
        logging.getLogger(ENGINE).addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger(ENGINE).removeHandler(self)


class Verbatim(BasePlugin):
    """Each verbatim block (views/inserts.py) out of a page's Markdown before rendering, back in after."""

    def __init__(self):
        super().__init__()
        self.blocks: dict[str, list[str]] = {}  # page -> its blocks, while it is rendered

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        blocks = self.blocks[page.file.src_uri] = []

        def keep(match: re.Match[str]) -> str:
            blocks.append(match.group(0))
            return f"<!-- verbatim {len(blocks) - 1} -->"

        return BLOCK.sub(keep, markdown)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        blocks = self.blocks.pop(page.file.src_uri, [])
        return PLACEHOLDER.sub(lambda m: blocks[int(m.group(1))], html) if blocks else html


class RenderCache(BasePlugin):
    """Keeps each page's rendered HTML in `folder` (a JSON file per page and key).

    A build that rendered every page removes the files it did not use; a build of the changed
    pages only (the previews' `dirty` builds) leaves them."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.cache = diskcache.Cache(folder, ".json", [sys.modules[__name__], ENGINE, "markdown"])
        self.hits = self.misses = self.pages = 0
        self._site_key: str | None = None

    def on_files(self, files, *, config):
        self.cache.used, self._site_key, self.hits, self.misses = set(), None, 0, 0
        self.pages = len(files.documentation_pages())
        return files

    def on_pre_page(self, page: Page, *, config, files) -> Page:
        page.render = functools.partial(self._render, page)  # in place of Page.render, for this page
        return page

    def on_post_build(self, *, config) -> None:
        if self.hits + self.misses >= self.pages:  # every page: the entries of pages gone can go
            self.cache.prune()

    def _render(self, page: Page, config, files) -> None:
        path = self.cache.entry(diskcache.entry_name(page.file.src_uri), self._key(page, config, files))
        data = self.cache.read(path)
        stored = json.loads(data) if data else None
        if stored is not None:
            self.hits += 1
            _restore(page, stored, files)
            return
        self.misses += 1
        with _Records() as records:
            Page.render(page, config, files)
        if not records.seen:
            self.cache.write(path, json.dumps(_stored(page), ensure_ascii=False).encode("utf-8"))

    def _key(self, page: Page, config, files) -> str:
        if self._site_key is None:
            site = hashlib.sha256()
            settings = {"extensions": [repr(e) for e in config["markdown_extensions"]],
                        "configs": config["mdx_configs"], "urls": config["use_directory_urls"],
                        "validation": config["validation"]}
            site.update(json.dumps(settings, sort_keys=True, default=repr).encode())
            for file in sorted(files, key=lambda f: f.src_uri):
                site.update(f"\0{file.src_uri}\0{file.dest_uri}\0{file.url}\0{file.inclusion}".encode())
            self._site_key = site.hexdigest()
        return self.cache.key(self._site_key, page.file.src_uri, page.file.dest_uri, page.file.url, page.markdown)


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
