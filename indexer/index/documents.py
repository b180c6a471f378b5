"""The searchable document of a record: its own words plus the context that locates it.

A record is indexed with its heading context (section path, pillar, the measure
of a target, the place of a case) so that a record whose body answers a query
does not lose to a bare heading that merely repeats the query's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.corpus.schema import ERA_LABELS, KIND_LABELS


@dataclass(frozen=True)
class SearchDoc:
    id: str
    title: str
    body: str
    context: str

    def passage(self) -> str:
        """What the embedding model reads: context first, so the words it shares with a query stay within 512 tokens."""
        return f"{self.title}\n{self.context}\n{self.body}"


def search_doc(rec: dict, by_id: dict[str, dict]) -> SearchDoc:
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
