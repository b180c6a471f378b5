"""Numbers written the way officials write them: 15兆円, 3,800億円, 6,000万人, 1億人, 2,000地区, 10割, 50％.

Records keep raw values (15000000000000.0, unit 円) so they sort and compare; these
pure functions turn them back into the document's notation for pages and CSV.
Large values take the myriad units 兆・億・万 with a comma inside each group
(3,800億, not 3800億 or 3.8千億), as in the source; below 1万 a plain comma.
"""

from __future__ import annotations

_MYRIADS = ((10**12, "兆"), (10**8, "億"), (10**4, "万"))
# Words of the original value text that qualify the number and must not be lost in display.
_PREFIXES = ("約", "少なくとも", "実質")
_SUFFIXES = ("以上", "程度", "を超える")


def _integer(n: int) -> str:
    if n < 10**4:
        return f"{n:,}"
    parts = []
    for size, name in _MYRIADS:
        if n >= size:
            parts.append(f"{n // size:,}{name}")
            n %= size
    if n:
        parts.append(f"{n:,}")
    return "".join(parts)


def official_number(value: float | int | None, unit: str | None = None) -> str:
    """15e12, '円' → '15兆円'; 6e7, '人' → '6,000万人'; 10, '割' → '10割'; 2.5, '倍' → '2.5倍'."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if float(value).is_integer():
        number = _integer(int(value))
    else:
        number = f"{value:,}"  # fractions (2.5倍, 4.5％) never reach the myriad units in this corpus
    return f"{sign}{number}{unit or ''}"


def value_label(value: float | int | None, unit: str | None = None, value_text: str | None = None) -> str:
    """official_number, keeping the qualifiers of the original text: 約2,000地区, 500サイト以上, 50兆円を超える."""
    if value is None:
        return value_text or ""
    text = value_text or ""
    prefix = "".join(p for p in _PREFIXES if p in text)
    suffix = next((s for s in _SUFFIXES if s in text), "")
    return f"{prefix}{official_number(value, unit)}{suffix}"
