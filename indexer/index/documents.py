"""The searchable document of a record: its own words plus the context that locates it.

A record is indexed with its heading context (section path, pillar, the measure
of a target, the place of a case) so that a record whose body answers a query
does not lose to a bare heading that merely repeats the query's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.corpus.schema import DERIVED_KINDS, ERA_LABELS, KIND_LABELS

#: Chunks embedded per main-provision article (the rest of a long article is found by keyword).
ARTICLE_CHUNKS = 1
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
    embedded at article level, not paragraph level: title (法令名 第五条（見出し）), then the
    heading path and text, first ARTICLE_CHUNKS chunk(s) only — measured (scripts/bench_build)
    to fit a fresh build of the 21 statutes in the time budget on 2 cores. 附則 articles of
    amending acts (1,645 of 3,187 articles, mostly 施行期日 and 経過措置) embed their title and
    first line only: they are rarely what a question is about, and the keyword side holds them whole.
    """
    if rec["kind"] not in DERIVED_KINDS:
        return chunk_passage(doc.title, doc.passage())
    law = rec.get("law") or {}
    if law.get("suppl_act") and law.get("suppl_act") != law.get("law_number"):
        first = doc.body.split("\n", 1)[0][:80]
        return [f"{doc.title}\n{first}"]
    return chunk_passage(doc.title, doc.passage())[:ARTICLE_CHUNKS]


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
