"""Phone numbers as tap-to-call links: one step over every page's Markdown.

It runs after a page is rendered (and its content escaped), so it sees the same text the
reader will: the numbers the content declares (the hotline, 116 000) and any Swedish number
written with its area code (08-123 45 67, 010-123 45 67, +46 8 123 45 67). Only plain text
becomes a link: headings, front matter, existing links, HTML tags, code and attribute lists
are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.content import model
from generator.content.load import Content

# A space between digit groups as it reaches the Markdown: a space, a no-break space or its
# entity; a hyphen is backslash-escaped by escape_markdown.
_GAP = r"(?:[ \u00a0]|&nbsp;)"
_DASH = r"\\?-"
# A Swedish number with its area code: 0 + 1–3 digits, a hyphen, then groups of digits;
# or +46 and groups of digits.
_WRITTEN = (rf"0\d{{1,3}}{_DASH}{_GAP}?\d{{2,3}}(?:{_GAP}?\d{{2,3}}){{1,3}}"
            rf"|\+46{_GAP}?\d{{1,3}}(?:{_GAP}\d{{2,4}}){{2,4}}")
# What is left as it is: links with their text, autolinks and HTML tags, inline code,
# attribute lists.
_KEEP = re.compile(r"(?<!\\)\[(?:\\.|[^\]\\])*\]\([^)]*\)|<[^>]*>|`[^`]*`|\{:[^}]*\}")
# Lines left as they are: headings, admonition titles, abbreviation definitions, table rules.
# A line that starts a raw HTML block, and the block tags that open and close within it.
_BLOCK_TAG = re.compile(r"\s*<(div|section|form|fieldset|ul|ol|table|details|nav|p)\b")
_BLOCK_OPEN = re.compile(r"<(div|section|form|fieldset|ul|ol|table|details|nav)\b")
_BLOCK_CLOSE = re.compile(r"</(div|section|form|fieldset|ul|ol|table|details|nav)>")
_DIGIT = re.compile(r"\d")
_KEEP_LINE = re.compile(r"\s*(#|!!!|\?\?\?|\*\[|\|?\s*-{3})")


def numbers(content: Content) -> list[str]:
    """The phone numbers the content declares (the hotline's number)."""
    found = []
    for f in content.guidance:
        for node in model.walk(f):
            if isinstance(node, model.Hotline) and node.number not in found:
                found.append(node.number)
    return found


def tel_href(number: str) -> str:
    """"116 000" -> "tel:116000"; "+46 8-123 45 67" -> "tel:+4681234567"."""
    digits = re.sub(r"\D", "", number)
    return "tel:" + ("+" + digits if number.lstrip().startswith("+") else digits)


def pattern(declared: Iterable[str]) -> re.Pattern[str]:
    """The declared numbers, however they are spaced, and numbers written with an area code."""
    alternatives = []
    for number in declared:
        groups = re.findall(r"\+?\d+", number)
        alternatives.append(rf"(?:{_GAP}|{_DASH})?".join(re.escape(g) for g in groups))
    alternatives.append(_WRITTEN)
    return re.compile(rf"(?<![\w+\\/.-])(?:{'|'.join(alternatives)})(?![\w/])")


def link_numbers(markdown: str, declared: Iterable[str]) -> str:
    """A page's Markdown with every phone number in running text as a `tel:` link."""
    numbers_found = pattern(declared)

    def link(match: re.Match[str]) -> str:
        text = match.group(0)
        return f"[{text}]({tel_href(text.replace('&nbsp;', ' '))})"

    def in_text(segment: str) -> str:
        return numbers_found.sub(link, segment)

    lines = markdown.split("\n")
    body_start = 0
    if lines and lines[0] == "---":  # YAML front matter
        body_start = next((i + 1 for i, line in enumerate(lines[1:], 1) if line == "---"), 0)
    def html_link(match: re.Match[str]) -> str:  # inside a raw HTML block Markdown is not read
        text = match.group(0)
        return f'<a href="{tel_href(text.replace("&nbsp;", " "))}">{text}</a>'

    fenced, depth = False, 0  # depth: open block tags of a raw HTML block (such as the print composer)
    for i in range(body_start, len(lines)):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        digits = _DIGIT.search(line) is not None  # every phone number has one: most lines have none
        if depth == 0 and not _BLOCK_TAG.match(line):
            if fenced or not digits or _KEEP_LINE.match(line):
                continue
            parts, last = [], 0
            for keep in _KEEP.finditer(line):
                parts += [in_text(line[last:keep.start()]), keep.group(0)]
                last = keep.end()
            parts.append(in_text(line[last:]))
            lines[i] = "".join(parts)
            continue
        if digits:  # raw HTML: link numbers in text between tags, with HTML
            parts, last = [], 0
            inside_link = False
            for tag in re.finditer(r"<[^>]*>", line):
                if not inside_link:
                    parts.append(numbers_found.sub(html_link, line[last:tag.start()]))
                else:
                    parts.append(line[last:tag.start()])
                parts.append(tag.group(0))
                inside_link = (inside_link or bool(re.match(r"<a\b", tag.group(0)))) and not tag.group(0).startswith("</a")
                last = tag.end()
            parts.append(line[last:] if inside_link else numbers_found.sub(html_link, line[last:]))
            lines[i] = "".join(parts)
        depth += len(_BLOCK_OPEN.findall(line)) - len(_BLOCK_CLOSE.findall(line))
        depth = max(depth, 0)
    return "\n".join(lines)
