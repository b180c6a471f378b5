#!/usr/bin/env python3
"""Re-verify the statute gold set (tests/gold/statutes.jsonl) against the statute texts.

Standalone, standard library only. It does not use the search engine's own analysis.

For every line it checks:
  * the keys, the id sequence (s001, s002, ...), category and split values;
  * that the law file <law_id>_*.md exists and its "# title" equals law_title;
  * that the article heading exists in the law: a main-provision article (a line starting
    "第N条" / "第N条のM" followed by a space, not a table row), or for supplementary
    provisions "附則第N条" / "附則第N項" inside the first 附則 block (the original act's);
  * that expect, after removing all whitespace, is 10-40 characters long, occurs exactly once
    in all the statute files put together (whitespace removed), and that this one occurrence lies
    inside the article: between its heading line and the next article heading (or the start of
    the 附則 / 別表), leaving out the caption and chapter/section lines that introduce the next one.
It also checks the overall distribution the gold set was written to (counts per category,
number of laws, at most 12 queries on 地方自治法, tune/test alternation).

Usage: python3 tests/gold/check_statute_gold.py [gold.jsonl] [--laws DIR]
Exit status 0 if every check passes, 1 otherwise.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GOLD = os.path.join(HERE, "statutes.jsonl")
DEFAULT_LAWS = os.environ.get("POLICYKB_LAWS_DIR", "/work/shared/laws")

KEYS = ["id", "query", "category", "law_id", "law_title", "article", "expect", "split"]
CATEGORIES = {"lookup": 15, "actor": 12, "deadline": 10, "paraphrase": 18, "cross": 10}
SPLITS = {"tune", "test"}
MIN_QUERIES = 70
MIN_LAWS = 15
MAX_PER_LAW = {"322AC0000000067": 12}  # 地方自治法

NUM = "[〇一二三四五六七八九十百千]+"
# An article heading: 第N条 / 第N条のM[のK...] followed by a space, end of line, or a
# deletion range ("第三条から第十七条まで 削除", "第二十条乃至第七十三条 削除", "第十九条及び第二十条 削除").
# Rows of amendment/reading tables ("第三十二条 | ...") are not headings.
HEADING = re.compile(r"^(第%s条(?:の%s)*)(?=[ \u3000]|$|乃至|から|及び)(?![ \u3000]*\|)" % (NUM, NUM))
SUPPL = re.compile(r"^附[ \u3000]*則")
BETWEEN = re.compile(r"^(（.*）|第%s[編章節款目].*)$" % NUM)  # captions and 編/章/節/款/目 headings
WS = re.compile(r"\s")
KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def strip_ws(s):
    return WS.sub("", s)


def kanji_to_int(s):
    """Kanji numeral (up to the thousands) to int: 二百五十二 -> 252."""
    total, cur = 0, 0
    for ch in s:
        if ch in KANJI_DIGITS:
            cur = KANJI_DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (cur or 1) * unit
            cur = 0
        else:
            raise ValueError(s)
    return total + cur


class Law:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().split("\n")
        self.title = self.lines[0].lstrip("#").strip()
        self.main = {}        # label -> (start, end) line indexes, end exclusive
        self.suppl = []       # list of (start, end) for each 附則 block
        self._parse()

    def _parse(self):
        lines = self.lines
        seen_article = False
        cur = None             # [label, start]
        suppl_start = None
        for i, line in enumerate(lines):
            is_suppl = seen_article and SUPPL.match(line)
            is_table = line.startswith("別表")
            m = HEADING.match(line)
            if is_suppl or is_table or (m and suppl_start is None):
                if cur is not None:
                    self.main.setdefault(cur[0], (cur[1], self._trim(cur[1], i)))
                    cur = None
            if is_suppl:
                if suppl_start is not None:
                    self.suppl.append((suppl_start, i))
                suppl_start = i
                continue
            if is_table:
                if suppl_start is not None:
                    self.suppl.append((suppl_start, i))
                    suppl_start = None
                continue
            if m and suppl_start is None and not self.suppl:
                seen_article = True
                cur = [m.group(1), i]
        if cur is not None:
            self.main.setdefault(cur[0], (cur[1], self._trim(cur[1], len(lines))))
        if suppl_start is not None:
            self.suppl.append((suppl_start, len(lines)))

    def _trim(self, start, end):
        """Leave out blank lines, captions and chapter headings that precede the next article."""
        j = end
        while j > start + 1 and (not self.lines[j - 1].strip() or BETWEEN.match(self.lines[j - 1].strip())):
            j -= 1
        return j

    def span(self, article):
        """(start, end) line span of an article label, or None."""
        if not article.startswith("附則"):
            return self.main.get(article)
        if not self.suppl:
            return None
        s0, e0 = self.suppl[0]           # the original act's supplementary provisions
        rest = article[len("附則"):]
        m = re.fullmatch(r"(第%s条(?:の%s)*)" % (NUM, NUM), rest)
        if m:
            label = m.group(1)
            for i in range(s0 + 1, e0):
                hm = HEADING.match(self.lines[i])
                if hm and hm.group(1) == label:
                    j = i + 1
                    while j < e0 and not HEADING.match(self.lines[j]):
                        j += 1
                    return (i, self._trim(i, j))
            return None
        m = re.fullmatch(r"第(%s)項" % NUM, rest)
        if m:
            n = kanji_to_int(m.group(1))
            marker = "".join(chr(0xFF10 + int(d)) for d in str(n))  # full-width digits
            para = re.compile(r"^[０-９]+[ \u3000]")
            for i in range(s0 + 1, e0):
                if self.lines[i].startswith(marker + " ") or self.lines[i].startswith(marker + "\u3000"):
                    j = i + 1
                    while j < e0 and not para.match(self.lines[j]) and not HEADING.match(self.lines[j]):
                        j += 1
                    return (i, self._trim(i, j))
            return None
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", nargs="?", default=DEFAULT_GOLD)
    ap.add_argument("--laws", default=DEFAULT_LAWS, help="directory of the statute Markdown files")
    args = ap.parse_args()

    files = sorted(p for p in glob.glob(os.path.join(args.laws, "*.md")) if re.match(r"^\w{15}_", os.path.basename(p)))
    if not files:
        print("no statute files in %s" % args.laws)
        return 1
    laws = {}
    flat = {}
    for p in files:
        law_id = os.path.basename(p)[:15]
        laws[law_id] = Law(p)
        flat[law_id] = strip_ws("\n".join(laws[law_id].lines))

    errors = []
    rows = []
    with open(args.gold, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                rows.append((n, json.loads(raw)))
            except ValueError as e:
                errors.append("line %d: not JSON (%s)" % (n, e))

    for idx, (n, r) in enumerate(rows, 1):
        where = "line %d (%s)" % (n, r.get("id"))
        def err(msg):
            errors.append("%s: %s" % (where, msg))
        if sorted(r) != sorted(KEYS):
            err("keys %s, expected %s" % (sorted(r), KEYS))
            continue
        if r["id"] != "s%03d" % idx:
            err("id should be s%03d" % idx)
        if r["category"] not in CATEGORIES:
            err("unknown category %r" % r["category"])
        if r["split"] not in SPLITS:
            err("unknown split %r" % r["split"])
        if not r["query"].strip():
            err("empty query")
        law = laws.get(r["law_id"])
        if law is None:
            err("no law file %s_*.md in %s" % (r["law_id"], args.laws))
            continue
        if law.title != r["law_title"]:
            err("law_title %r, file says %r" % (r["law_title"], law.title))
        span = law.span(r["article"])
        if span is None:
            err("article %s not found in %s" % (r["article"], os.path.basename(law.path)))
            continue
        exp = strip_ws(r["expect"])
        if not 10 <= len(exp) <= 40:
            err("expect is %d characters (10-40 wanted)" % len(exp))
        total = sum(t.count(exp) for t in flat.values())
        if total != 1:
            in_laws = [k for k, t in flat.items() if exp in t]
            err("expect occurs %d times (must be exactly 1), in %s" % (total, in_laws))
        body = strip_ws("\n".join(law.lines[span[0]:span[1]]))
        if exp not in body:
            err("expect not inside %s (lines %d-%d of %s)" % (r["article"], span[0] + 1, span[1], os.path.basename(law.path)))

    # distribution
    recs = [r for _, r in rows]
    cats = collections.Counter(r.get("category") for r in recs)
    per_law = collections.Counter(r.get("law_id") for r in recs)
    splits = collections.Counter(r.get("split") for r in recs)
    if len(recs) < MIN_QUERIES:
        errors.append("only %d queries (at least %d wanted)" % (len(recs), MIN_QUERIES))
    for c, least in CATEGORIES.items():
        if cats[c] < least:
            errors.append("category %s has %d queries (at least %d wanted)" % (c, cats[c], least))
    if len(per_law) < MIN_LAWS:
        errors.append("only %d laws covered (at least %d wanted)" % (len(per_law), MIN_LAWS))
    for law_id, most in MAX_PER_LAW.items():
        if per_law[law_id] > most:
            errors.append("%d queries on %s (at most %d)" % (per_law[law_id], law_id, most))
    for i, r in enumerate(recs):
        if r.get("split") != ("tune" if i % 2 == 0 else "test"):
            errors.append("%s: split should alternate tune/test (got %s)" % (r.get("id"), r.get("split")))
            break

    print("%d queries; categories %s; splits %s; %d laws" % (
        len(recs), dict(sorted(cats.items())), dict(sorted(splits.items())), len(per_law)))
    for law_id, c in per_law.most_common():
        print("  %3d  %s  %s" % (c, law_id, laws[law_id].title if law_id in laws else "?"))
    if errors:
        print("%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
