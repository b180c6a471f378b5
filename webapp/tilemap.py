"""A tile-grid map of Japan: one square per prefecture, Hokkaido top right, Okinawa bottom left.

Each tile is (column, row) on a 12 × 10 grid. Neighbours stay neighbours where a
grid allows it; the point is a map a reader recognises at a glance, not geography.
"""

from __future__ import annotations

from indexer.corpus.prefectures import PREFECTURES, short_name

# prefecture → (column, row)
TILES: dict[str, tuple[int, int]] = {
    "北海道": (11, 0),
    "青森県": (11, 1),
    "秋田県": (10, 2), "岩手県": (11, 2),
    "石川県": (7, 3), "富山県": (8, 3), "新潟県": (9, 3), "山形県": (10, 3), "宮城県": (11, 3),
    "島根県": (2, 4), "鳥取県": (3, 4), "兵庫県": (4, 4), "京都府": (5, 4), "福井県": (6, 4), "岐阜県": (7, 4),
    "長野県": (8, 4), "群馬県": (9, 4), "栃木県": (10, 4), "福島県": (11, 4),
    "山口県": (1, 5), "広島県": (2, 5), "岡山県": (3, 5), "大阪府": (4, 5), "奈良県": (5, 5), "滋賀県": (6, 5),
    "愛知県": (7, 5), "山梨県": (8, 5), "埼玉県": (9, 5), "茨城県": (10, 5),
    "佐賀県": (0, 6), "福岡県": (1, 6), "愛媛県": (3, 6), "香川県": (4, 6), "和歌山県": (5, 6), "三重県": (6, 6),
    "静岡県": (8, 6), "東京都": (9, 6), "千葉県": (10, 6),
    "長崎県": (0, 7), "熊本県": (1, 7), "大分県": (2, 7), "高知県": (3, 7), "徳島県": (4, 7), "神奈川県": (9, 7),
    "鹿児島県": (1, 8), "宮崎県": (2, 8),
    "沖縄県": (0, 9),
}

COLUMNS = 12
ROWS = 10
TILE = 52      # px per grid step
GAP = 4        # px between tiles


def level(count: int, top: int) -> int:
    """Colour step 0 (none) … 4 (most)."""
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(4, -(-count * 4 // top)))  # ceil(count / top × 4): the largest count is always 4


def tiles(counts: dict[str, int], selected: tuple[str, ...], url_for_pref) -> list[dict]:
    top = max(counts.values(), default=0)
    out = []
    for pref in PREFECTURES:
        col, row = TILES[pref]
        n = counts.get(pref, 0)
        out.append({
            "pref": pref, "short": short_name(pref), "count": n, "level": level(n, top),
            "selected": pref in selected, "url": url_for_pref(pref),
            "x": col * TILE, "y": row * TILE, "size": TILE - GAP,
            "cx": col * TILE + (TILE - GAP) / 2, "cy": row * TILE,
        })
    return out


def viewbox() -> str:
    return f"0 0 {COLUMNS * TILE - GAP} {ROWS * TILE - GAP}"
