"""Japanese dates as officials write them: 「令和7年（2025年）6月13日」.

One format everywhere (citations, pages, CSV). Eras start on the day the new
era began, so the first days of an era belong to it (1989-01-08 is 平成元年,
1989-01-07 is 昭和64年), and the first year is written 元年, never 1年.
Dates before 明治 (which began on 1868-01-25 in the Gregorian calendar: the
official era start is 明治元年1月1日 of the lunisolar calendar) are written in
the Western calendar alone.
"""

from __future__ import annotations

from datetime import date

# (era, first day in the Gregorian calendar)
ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 1, 25)),
)


def era_year(day: date) -> tuple[str, int] | None:
    """(era name, year of the era) for a date, or None before 明治."""
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    return None


def wareki_year(day: date) -> str:
    """「令和7年」, 「平成元年」; the Western year alone before 明治."""
    found = era_year(day)
    if found is None:
        return f"{day.year}年"
    name, n = found
    return f"{name}{'元' if n == 1 else n}年"


def japanese_date(value: str | date | None) -> str:
    """'2025-06-13' → 「令和7年（2025年）6月13日」. Anything that is not an ISO date is returned as given."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return value
    else:
        day = value
    if era_year(day) is None:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{wareki_year(day)}（{day.year}年）{day.month}月{day.day}日"
