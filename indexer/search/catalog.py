"""The record graph as the query side answers it: what a record belongs to, measures, illustrates.

Records are the dicts of the build's records.jsonl (the shape of
indexer.corpus.export.record_dict). Links are stored once on either side and
exported on both, so every question here is a lookup over `links`; the web
app asks these questions and never walks links itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.corpus.schema import ERAS


class Catalog:
    def __init__(self, records: list[dict]):
        self.records = records  # reading order
        self.by_id = {r["id"]: r for r in records}
        self._position = {r["id"]: n for n, r in enumerate(records)}

    def get(self, rid: str) -> dict | None:
        return self.by_id.get(rid)

    def of_kind(self, kind: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == kind]

    def linked(self, rid: str, link_type: str | None = None, kind: str | None = None) -> list[dict]:
        """Records linked to `rid` (either direction), optionally of one link type and kind, deduplicated."""
        out, seen = [], set()
        for link in self.by_id[rid]["links"]:
            other = self.by_id.get(link["id"])
            if other is None or other["id"] in seen:
                continue
            if (link_type is None or link["type"] == link_type) and (kind is None or other["kind"] == kind):
                seen.add(other["id"])
                out.append(other)
        return out

    def links(self, rid: str) -> Iterable[tuple[str, dict]]:
        """(link type, other record) for each link of `rid`, first link per other record."""
        seen: set[str] = set()
        for link in self.by_id[rid]["links"]:
            other = self.by_id.get(link["id"])
            if other is not None and other["id"] not in seen:
                seen.add(other["id"])
                yield link["type"], other

    def measure_of(self, target_id: str) -> dict | None:
        """The record a target measures (a measure, or a vision/role record for goals outside the package)."""
        found = self.linked(target_id, "measure")
        return found[0] if found else None

    def targets_of(self, rid: str) -> list[dict]:
        """The target records that measure `rid` (a target is its own)."""
        rec = self.by_id[rid]
        if rec["kind"] == "target":
            return [rec]
        return self.linked(rid, "measure", "target")

    def measures_illustrated_by(self, case_id: str) -> list[dict]:
        return self.linked(case_id, "illustrates", "measure")

    def cases_for(self, rid: str) -> list[dict]:
        return self.linked(rid, "illustrates", "case")

    def pair_of(self, stance_id: str) -> dict | None:
        """The 1.0 reflection of a 2.0 stance, or the other way round."""
        found = self.linked(stance_id, "pair")
        return found[0] if found else None

    def counterparts(self, rid: str) -> list[dict]:
        """The same comparison row in the other eras, in era order."""
        rank = {e: i for i, e in enumerate(ERAS)}
        return sorted(self.linked(rid, "counterpart"), key=lambda r: rank.get(r["era"], 9))

    def pillar_of(self, rid: str) -> int | None:
        """A record's pillar, or that of the measure it measures (targets of a measure)."""
        rec = self.by_id[rid]
        if rec.get("pillar"):
            return rec["pillar"]
        owner = self.measure_of(rid) if rec["kind"] == "target" else None
        return owner.get("pillar") if owner else None

    def pillar_titles(self) -> dict[int, str]:
        """{1: '安心して働き、暮らせる地方の生活環境の創生', ...} from the pillar records."""
        return {r["pillar"]: r["title"] for r in self.records if r["kind"] == "pillar" and r.get("pillar")}

    def position(self, rid: str) -> int:
        """0-based place in reading order."""
        return self._position[rid]

    def previous(self, rid: str) -> dict | None:
        n = self._position[rid]
        return self.records[n - 1] if n > 0 else None

    def next(self, rid: str) -> dict | None:
        n = self._position[rid]
        return self.records[n + 1] if n + 1 < len(self.records) else None
