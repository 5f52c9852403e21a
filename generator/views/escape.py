"""The one escaping step between content and everything the site engine reads.

Text from content reaches the engine by two roads, and each has one function here:

- `markdown`: running text in the generated Markdown pages. Python-Markdown turns
  the result back into exactly the characters the maintainer wrote.
- `engine_text`: values the engine and its theme insert into HTML as they are, without
  Markdown: nav titles in the generated mkdocs.yml, page titles and tags in front
  matter, search terms added to the index. HTML-escaped, nothing else (a Markdown
  backslash would show: "hälso\\- och sjukvård").

`front_matter` writes a page's front matter through `engine_text` as quoted YAML, so a
title with ": " or a leading quote is data, never syntax. Every page template starts with
it; no template writes front matter by hand.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import yaml
from markupsafe import Markup

# Characters Python-Markdown treats as markup when not backslash-escaped
# (its ESCAPED_CHARS, plus "|" for tables).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def markdown(text: Any) -> Markup:
    """Plain text -> Markdown that renders as exactly that text."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return Markup(html.escape(escaped, quote=True).replace("\n", " "))


def engine_text(text: Any) -> str:
    """Plain text -> a value the engine may insert into HTML as it is (one line, escaped)."""
    return html.escape(" ".join(str(text).split()), quote=True)


def _engine_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, bool, int)):
        return value
    if isinstance(value, (list, tuple)):
        return [_engine_value(v) for v in value]
    if isinstance(value, dict):  # e.g. search: {exclude: true}
        return {key: _engine_value(v) for key, v in value.items()}
    return engine_text(value)


def front_matter(**meta: Any) -> Markup:
    """A page's front matter block ("---" … "---"), every text value escaped for the engine."""
    return Markup(dump_front_matter({key: _engine_value(value) for key, value in meta.items()}))


def dump_front_matter(meta: dict[str, Any]) -> str:
    """Already escaped values -> the YAML block, every string quoted by the dumper as needed."""
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000) + "---\n"
