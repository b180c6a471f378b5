"""A target's deadline year, from the deadline phrase the source writes — the one place the rules live.

The source dates its targets in four ways, and `deadline_basis` says which:

- ``fiscal``   — a Japanese fiscal year (年度): 2025年度末頃, 2027年度までの3年間,
  集中対策期間（2025年度～2027年度）. The year is the one written; fiscal 2025 runs from
  April 2025 to March 2026, so 「2025年度末頃」 means about March 2026.
- ``calendar`` — a calendar year (年): 2030年, 2026年までに, 2026年通常国会, 本年７月.
- ``period``   — a span whose last year the source does not write: 2030年代までに,
  今後10年間, ３年で. The year is the last year of the span, derived by the rules below.

Relative phrases are counted from the year the 基本構想 was decided (閣議決定
令和７年（2025年）６月１３日, the source's date), and the derivation is shown to the user
as `note` beside the year, so nobody has to guess it:

- 今後N年間: N years counting 2025 as the first, so 今後10年間 → 2025〜2034 → 2034. This
  is the 基本構想's own span (「本基本構想は今後10年間を対象として策定」).
- N年で: a span in the same way; the document itself writes such a span as
  「2027年度までの3年間」 for 2025〜2027, so ３年で → 2027.
- N年後: a point N years after the decision, not a span: ３年後に → 2028;
  「中間年度の5年後」 → 2030 (年度 in the phrase makes it fiscal).
- 2030年代: the decade's last year, 2039.
- 本年: the year of the decision, 2025.
- Anything else (早期に) has no year.

Range filters (`deadline_from`/`deadline_to`, the targets page's 期限年) compare the
year number as written, whatever the basis: 2025年度 counts as 2025 even though it
ends in March 2026, and 2030年代 counts as 2039. Pages show the basis next to every
year (「2025年度（会計年度）」) so a filtered list says which kind of year it holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

#: The year the 基本構想 was decided (閣議決定 2025-06-13): relative deadlines count from it.
PLAN_YEAR = 2025
#: 「本基本構想は今後10年間を対象として策定」.
PLAN_SPAN_YEARS = 10

Basis = Literal["fiscal", "calendar", "period"]
BASES: tuple[str, ...] = ("fiscal", "calendar", "period")
BASIS_LABELS = {"fiscal": "会計年度", "calendar": "暦年", "period": "期間の最終年"}
#: The basis of a phrase that names no year (早期に): said, so an empty cell is never a missing value.
NO_YEAR_LABEL = "年の記載なし"


@dataclass(frozen=True)
class Deadline:
    year: int | None
    basis: Basis | None
    note: str | None = None  # how the year was derived, when the phrase does not state it


NO_DEADLINE = Deadline(None, None, None)


def resolve(phrase: str | None) -> Deadline:
    """The deadline year, its basis and (for relative phrases) how it was derived."""
    if not phrase:
        return NO_DEADLINE
    text = unicodedata.normalize("NFKC", phrase)
    if m := re.search(r"(\d{4})年代", text):
        decade = int(m.group(1))
        return Deadline(decade + 9, "period", f"{decade}年代の最終年として算出")
    if years := re.findall(r"(\d{4})年度", text):
        return Deadline(int(years[-1]), "fiscal")  # a span of fiscal years ends at its last
    if years := re.findall(r"(\d{4})年", text):
        return Deadline(int(years[-1]), "calendar")
    if "本年" in text:
        return Deadline(PLAN_YEAR, "calendar", f"本年＝基本構想を閣議決定した{PLAN_YEAR}年")
    if m := re.search(r"今後(\d+)年間", text):
        n = int(m.group(1))
        note = (f"基本構想の対象期間{n}年から算出" if n == PLAN_SPAN_YEARS
                else f"{PLAN_YEAR}年から{n}年間として算出")
        return Deadline(PLAN_YEAR + n - 1, "period", note)
    if m := re.search(r"(\d+)年で", text):
        n = int(m.group(1))
        return Deadline(PLAN_YEAR + n - 1, "period", f"{PLAN_YEAR}年から{n}年間（{PLAN_YEAR}〜{PLAN_YEAR + n - 1}年）として算出")
    if m := re.search(r"(\d+)年後", text):
        n = int(m.group(1))
        basis: Basis = "fiscal" if "年度" in text else "calendar"
        return Deadline(PLAN_YEAR + n, basis, f"基本構想を閣議決定した{PLAN_YEAR}年の{n}年後として算出")
    return NO_DEADLINE


def deadline_label(year: int | None, basis: str | None, note: str | None = None) -> str:
    """A deadline year as a page shows it, its basis always said:
    2027年度（会計年度）, 2030年（暦年）, 2034年（基本構想の対象期間10年から算出）."""
    if year is None:
        return ""
    if basis == "fiscal":
        inner = "会計年度" + (f"。{note}" if note else "")
        return f"{year}年度（{inner}）"
    return f"{year}年（{note or BASIS_LABELS.get(basis or 'calendar')}）"


def basis_text(year: int | None, basis: str | None, note: str | None = None) -> str:
    """What a deadline phrase's year means, said beside the phrase as the source writes it.

    When the phrase states its year (2030年度, 集中対策期間（2025年度～2027年度）) only the kind
    of year is added — 会計年度 or 暦年 — so the year is never written twice (no 「2025年度中（2025年）」).
    When the year is derived (2030年代, 今後10年間, 本年) the year and its derivation are added:
    「期間の最終年 2039年（2030年代の最終年として算出）」.
    """
    if year is None or basis is None:
        return ""
    label = BASIS_LABELS.get(basis, "")
    if not note:
        return label
    return f"{label} {year}{'年度' if basis == 'fiscal' else '年'}（{note}）"


def written_with_basis(phrase: str | None, year: int | None, basis: str | None, note: str | None = None) -> str:
    """The deadline as written, then its basis: 「集中対策期間（2025年度～2027年度）〔会計年度〕」; '' without a phrase."""
    if not phrase:
        return ""
    return f"{phrase}〔{basis_text(year, basis, note) or NO_YEAR_LABEL}〕"
