"""What a page or the command line says of a law's own last day (a record's `law.sunset`, read by
indexer.laws.sunset): whether it has passed, and the sentence after 「この法律は」."""

from __future__ import annotations

import datetime as dt

from indexer.corpus.dates import japanese_date

__all__ = ["JST", "sunset_note", "sunset_past"]

# A law's last day is a date in Japan: whether it has passed is decided in Japan's time.
JST = dt.timezone(dt.timedelta(hours=9))


def sunset_past(sunset: dict | None, today: dt.date | None = None) -> bool:
    """Whether a law's own last day is behind `today` (in Japan, by default)."""
    return bool(sunset) and dt.date.fromisoformat(sunset["date"]) < (today or dt.datetime.now(JST).date())


def sunset_note(sunset: dict | None, today: dt.date | None = None) -> str:
    """「令和3年（2021年）3月31日限りで効力を失っています（附則第三条）。」 for a law past its own expiry,
    「…限りで効力を失います（…）。」 for one with a date still ahead; "" without. What the record page,
    the search results and `policykb search`/`show` say after 「この法律は」."""
    if not sunset:
        return ""
    verb = "効力を失っています" if sunset_past(sunset, today) else "効力を失います"
    return f"{japanese_date(sunset['date'])}限りで{verb}（{sunset['article']}）。"
