"""Two PDF checkers nobody here wrote, run over PDFs: `page-validation` (PDF/UA-1, a Rust
validator whose authors report agreeing with veraPDF) and `outloud` (PDF/UA-1 plus what a
screen reader actually gets). The tests use `findings`; run as a script it prints how often
each rule is broken in a folder of PDFs:

    .venv/bin/python tests/pdf_checkers.py site/pdf
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    checker: str  # "page-validation" or "outloud"
    rule: str
    severity: str  # "failure" (page-validation), "error", "warning" or "info" (outloud)
    count: int  # how many places (outloud folds identical hits into one finding)
    page: int | None
    message: str

    def __str__(self) -> str:
        where = f" p. {self.page}" if self.page else ""
        return f"{self.checker} {self.rule} {self.severity}{where} ×{self.count}: {self.message}"


def findings(path: Path) -> list[Finding]:
    """Every failure page-validation reports and every finding of outloud, for one PDF; a file
    a checker cannot read is a failure too."""
    import outloud
    import page

    found = [Finding("page-validation", f.rule_id, "failure", 1, None, f.message)
             for f in page.validate_pdf(str(path), profile="ua1").failures]
    result = outloud.check(str(path))
    if result.error:
        found.append(Finding("outloud", "UNREADABLE", "error", 1, None, result.error))
    found += [Finding("outloud", f.rule, f.severity, f.count, f.page,
                      f"{f.message}" + (f" [{f.evidence}]" if f.evidence else ""))
              for f in result.findings]
    crashed = [r.rule for r in result.runs if r.status == "crashed"]
    found += [Finding("outloud", rule, "error", 1, None, "rule crashed") for rule in crashed]
    return found


def table(folder: Path) -> str:
    """Rule -> PDFs that break it and places, over every PDF in `folder`."""
    files: Counter = Counter()
    places: Counter = Counter()
    for path in sorted(folder.glob("*.pdf")):
        seen = set()
        for f in findings(path):
            key = (f.checker, f.rule, f.severity)
            places[key] += f.count
            seen.add(key)
        files.update(seen)
    pdfs = len(list(folder.glob("*.pdf")))
    lines = [f"{pdfs} PDF-filer i {folder}", f"{'checker':16} {'rule':34} {'severity':8} {'PDFs':>5} {'places':>7}"]
    for key in sorted(files):
        lines.append(f"{key[0]:16} {key[1]:34} {key[2]:8} {files[key]:5} {places[key]:7}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1] if len(sys.argv) > 1 else "site/pdf")))
