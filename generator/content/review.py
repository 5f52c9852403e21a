"""Review that cannot be forgotten: when each content file is due for its next review.

Every file with a review date (`granskad`) must be reviewed again within the period set in
guidance/webbplats.yml (`granskningsperiod_månader`, 12 unless a maintainer sets another).
A file past its due date gets a notice in words on its pages and PDFs, and `guide check`
lists files that are overdue or due within DUE_SOON_DAYS as warnings (never errors).
"""

from __future__ import annotations

import calendar
import datetime
import os
from dataclasses import dataclass

from babel.dates import format_date

DUE_SOON_DAYS = 30
TODAY_VARIABLE = "GUIDE_TODAY"  # ÅÅÅÅ-MM-DD: build as if it were that day (for tests and previews)


def today() -> datetime.date:
    """The day the build is made for: today, unless GUIDE_TODAY names another day."""
    value = os.environ.get(TODAY_VARIABLE)
    return datetime.date.fromisoformat(value) if value else datetime.date.today()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewState:
    file: str  # path in the project, e.g. guidance/anvisning.yml
    reviewed: datetime.date
    due: datetime.date

    def overdue(self, on: datetime.date) -> bool:
        return on > self.due

    def due_soon(self, on: datetime.date) -> bool:
        return not self.overdue(on) and (self.due - on).days <= DUE_SOON_DAYS


def state(file: str, reviewed: datetime.date, months: int) -> ReviewState:
    return ReviewState(file, reviewed, add_months(reviewed, months))


def swedish_date(day: datetime.date) -> str:
    """A day as readers write it: 7 december 2026."""
    return format_date(day, "d MMMM y", locale="sv")


def overdue_notice(states: list[ReviewState], months: int, on: datetime.date) -> str | None:
    """The words a page or PDF shows when any of its files is past its review date, else None."""
    late = [s for s in states if s.overdue(on)]
    if not late:
        return None
    oldest = min(late, key=lambda s: s.reviewed)
    return (f"Innehållet granskades senast {swedish_date(oldest.reviewed)} och skulle ha granskats igen senast "
            f"{swedish_date(oldest.due)} (innehållet ska granskas minst var {months}:e månad). Uppgifterna kan "
            "vara inaktuella: kontrollera dem hos källorna innan du använder dem.")


def warnings(states: list[ReviewState], on: datetime.date) -> list[str]:
    """`guide check`'s warnings: files overdue for review or due within DUE_SOON_DAYS days."""
    lines = []
    for s in sorted(states, key=lambda s: (s.due, s.file)):
        if s.overdue(on):
            lines.append(f"VARNING: {s.file}: granskades senast {s.reviewed} och skulle ha granskats igen "
                         f"senast {s.due}. Granska innehållet och skriv dagens datum i \"granskad:\".")
        elif s.due_soon(on):
            lines.append(f"VARNING: {s.file}: ska granskas igen senast {s.due} (om {(s.due - on).days} dagar). "
                         "Granska innehållet och skriv dagens datum i \"granskad:\".")
    return lines
