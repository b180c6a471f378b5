"""The searchable document of a record: its own words plus the context that locates it.

A record is indexed with its heading context (section path, pillar, the measure
of a target, the place of a case) so that a record whose body answers a query
does not lose to a bare heading that merely repeats the query's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.corpus.schema import DERIVED_KINDS, ERA_LABELS, KIND_LABELS

#: Chunks embedded per main-provision article: the first (title, context, the text's start), then
#: each later 項 in its own chunk(s) headed by the article's title and 章・節, up to this many in all
#: (a long article's later 項 are found by meaning too; past the cap, by keyword only).
ARTICLE_CHUNKS = 8
# Chunks longer than the model's 512 tokens would be truncated silently.
CHUNK_CHARS = 300


@dataclass(frozen=True)
class SearchDoc:
    id: str
    title: str
    body: str
    context: str

    def passage(self) -> str:
        """What the embedding model reads: context first, so the words it shares with a query stay within 512 tokens."""
        return f"{self.title}\n{self.context}\n{self.body}"


def chunk_passage(title: str, text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Split a long passage at line ends; each chunk keeps the title for context."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    chunks: list[str] = []
    cur = ""
    for ln in lines:
        if cur and len(cur) + len(ln) > limit:
            chunks.append(cur)
            cur = ""
        cur = f"{cur}\n{ln}" if cur else ln
    if cur:
        chunks.append(cur)
    if not chunks:
        return [title]
    return [c if c.startswith(title) else f"{title}\n{c}" for c in chunks]


def embedding_passages(rec: dict, doc: SearchDoc) -> list[str]:
    """What the model embeds for a record, chunked at CHUNK_CHARS.

    Curated records: every chunk of title, context and body, as before. Derived records are
    embedded with their context: the first chunk is title (法令名 第五条（見出し）), the heading path
    (法令名 ＞ 第二章 ＞ 第一節) and the start of the text; each 項 the first chunk does not hold whole
    gets chunk(s) of its own, headed by the same title and 章・節 (article_header), so a 項 deep in
    a long article is matched in its law's context (「山あいの村」 meets 山村振興法), up to
    ARTICLE_CHUNKS chunks an article. Only the embedded text carries the header; quotes and
    offsets stay verbatim. 附則 articles of amending acts (1,645 of 3,187 articles, mostly 施行期日
    and 経過措置) embed their title and first line only: they are rarely what a question is about,
    and the keyword side holds them whole.
    """
    if rec["kind"] not in DERIVED_KINDS:
        return chunk_passage(doc.title, doc.passage())
    law = rec.get("law") or {}
    if law.get("suppl_act") and law.get("suppl_act") != law.get("law_number"):
        first = doc.body.split("\n", 1)[0][:80]
        return [f"{doc.title}\n{first}"]
    chunks = chunk_passage(doc.title, doc.passage())[:1]
    header = article_header(rec, doc)
    for para in paragraph_texts(rec)[1:]:
        if len(chunks) >= ARTICLE_CHUNKS:
            break
        if all(line in chunks[0] for line in para.split("\n") if line.strip()):
            continue  # the first chunk holds this 項 whole
        chunks.extend(chunk_passage(header, para)[:ARTICLE_CHUNKS - len(chunks)])
    return chunks


def article_header(rec: dict, doc: SearchDoc) -> str:
    """The context a 項's chunk is embedded with: 法令名 第五条（見出し）, then 章・節 when the law has them."""
    path = " ＞ ".join(rec.get("heading_path") or [])
    return f"{doc.title}\n{path}" if path else doc.title


def paragraph_texts(rec: dict) -> list[str]:
    """The article's 項, verbatim, from the paragraph offsets the parser recorded (indexer.laws):
    each is a slice of the record's text. One item (the whole text) when the offsets do not fit it."""
    paras = (rec.get("law") or {}).get("paragraphs") or []
    quotes = rec.get("quotes") or []
    text = rec["text"]
    if len(paras) < 2 or len(quotes) != 1 or quotes[0].get("text") != text:
        return [text]
    base = quotes[0]["start"]
    out = []
    for p in paras:
        lo, hi = p["start"] - base, p["end"] - base
        if not 0 <= lo < hi <= len(text):
            return [text]
        out.append(text[lo:hi].strip())
    return out


def search_doc(rec: dict, by_id: dict[str, dict]) -> SearchDoc:
    if rec["kind"] in DERIVED_KINDS:
        # A statute's or document's own context: where it stands, in which document.
        ctx = [rec.get("source_title") or "", " ＞ ".join(rec.get("heading_path") or [])]
        return SearchDoc(rec["id"], rec["title"], rec["text"], "\n".join(c for c in dict.fromkeys(ctx) if c))
    ctx: list[str] = [KIND_LABELS.get(rec["kind"], rec["kind"]), rec["section"]]
    if rec.get("category"):
        ctx.append(rec["category"])
    if rec.get("era"):
        ctx.append(ERA_LABELS[rec["era"]])
    if rec.get("place"):
        p = rec["place"]
        ctx += [x for x in [p.get("prefecture"), p.get("municipality"), p.get("region")] if x]
        ctx += p.get("prefectures", [])
    ctx += rec.get("themes", [])
    if rec.get("statistical_source"):
        ctx.append(rec["statistical_source"])
    for link in rec["links"]:
        other = by_id.get(link["id"])
        if other is None:
            continue
        # Titles of the pillar and measure a record belongs to; a measure also
        # carries its targets and the case studies that illustrate it, whose
        # concrete words (バス, 郵便局, 本社) are what people with a problem type.
        if other["kind"] in ("pillar", "measure") or (rec["kind"] == "measure" and other["kind"] in ("target", "case")):
            ctx.append(other["title"])
    return SearchDoc(rec["id"], rec["title"], rec["text"], "\n".join(dict.fromkeys(ctx)))
