"""The 47 prefectures, and normalisation of the short forms people write."""

from __future__ import annotations

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
    "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
    "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
    "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
    "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
    "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)



def short_name(pref: str) -> str:
    """島根県 → 島根. Only the final 都/府/県 is dropped: 京都府 → 京都, not 京; 北海道 stays whole."""
    return pref if pref == "北海道" else pref[:-1]


_BY_STEM = {short_name(p): p for p in PREFECTURES}


def normalize_prefecture(name: str) -> str | None:
    """Return the full prefecture name for '島根' or '島根県', else None."""
    name = name.strip()
    if name in PREFECTURES:
        return name
    return _BY_STEM.get(name)
