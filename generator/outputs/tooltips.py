"""One glossary tooltip per term and section, not one on every occurrence.

Python-Markdown's `abbr` extension wraps every occurrence of a glossary term in
`<abbr title="explanation">`, which the theme turns into a tooltip. On a long page that
is the same explanation dozens of times: heavy for the page (64 KB of the allocation
page's 182 KB) and noisy for a screen reader. This step, over the built HTML, keeps the
first occurrence of each term in each section (from one h2 to the next) and leaves the
others as plain words. Headings keep theirs and do not count.

The theme also makes a tooltip of every other `title`, the permalink sign (¶) after each
heading included ("Länk till det här avsnittet", mkdocs.yml). Each tooltip is set up by the
theme's script while the page loads, and a phone pays for every one (on the allocation page,
47 permalinks beside 175 terms) though it never shows the permalinks. So a permalink's words
become its name (`aria-label`): a screen reader says "Länk till det här avsnittet" instead
of the sign, and the theme sets up no tooltip for it.
"""

from __future__ import annotations

import re

ABBR = re.compile(r'<abbr title="(?P<title>[^"]*)">(?P<word>.*?)</abbr>', re.S)
SECTION = re.compile(r"(?=<h2[\s>])")
HEADING = re.compile(r"<h[1-6][\s>].*?</h[1-6]>", re.S)
PERMALINK = re.compile(r'(<a class="headerlink" href="[^"]*") title="([^"]*)"')


def one_tooltip_per_section(html: str) -> str:
    """The page with each term's tooltip on its first occurrence in each section only, and
    permalinks named without a tooltip."""
    html = PERMALINK.sub(r'\1 aria-label="\2"', html)
    if "<abbr" not in html or "<article" not in html:
        return html
    head, _, rest = html.partition("<article")
    article, end, tail = rest.partition("</article>")
    sections = SECTION.split(article)
    return head + "<article" + "".join(_first_only(s) for s in sections) + end + tail


def _first_only(section: str) -> str:
    seen: set[str] = set()
    parts = []
    position = 0
    for heading in HEADING.finditer(section):  # headings pass through as they are
        parts.append(_trim(section[position:heading.start()], seen))
        parts.append(heading.group(0))
        position = heading.end()
    parts.append(_trim(section[position:], seen))
    return "".join(parts)


def _trim(text: str, seen: set[str]) -> str:
    def keep_first(match: re.Match) -> str:
        if match.group("title") in seen:
            return match.group("word")
        seen.add(match.group("title"))
        return match.group(0)

    return ABBR.sub(keep_first, text)
