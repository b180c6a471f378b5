"""The `policykb` command: parses arguments, calls the library, turns errors into messages."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.corpus import DEFAULT_CORPUS, CorpusError, load_corpus
from indexer.schema import KINDS


class UsageError(Exception):
    """A problem with what the user asked for: printed, exit code 2."""


def _cmd_validate(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.corpus)
    by_kind: dict[str, int] = {}
    for r in corpus.records:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    counts = ", ".join(f"{k} {by_kind.get(k, 0)}" for k in KINDS)
    print(f"ok: {len(corpus.records)} records ({counts})")
    return 0


def _cmd_anchor(args: argparse.Namespace) -> int:
    from indexer.anchor import anchor_corpus

    status = 0
    for rep in anchor_corpus(args.corpus, write=not args.check):
        print(f"{rep.file}: {rep.filled} quote(s) anchored")
        for a in rep.ambiguous:
            print(f"  ambiguous (first after the previous quote taken): {a}")
        for m in rep.missing:
            print(f"  NOT FOUND: {m}")
            status = 1
    return status


def _cmd_records(args: argparse.Namespace) -> int:
    from indexer.export import record_dict

    corpus = load_corpus(args.corpus)
    if args.kind and args.kind not in KINDS:
        raise UsageError(f"unknown kind '{args.kind}'; valid: {', '.join(KINDS)}")
    neighbours = corpus.neighbours()
    for rec in corpus.reading_order():
        if args.kind and rec.kind != args.kind:
            continue
        if args.jsonl:
            print(json.dumps(record_dict(rec, corpus, neighbours), ensure_ascii=False))
        else:
            print(f"{rec.id}\t{rec.kind}\t{rec.title}")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    from indexer.coverage import coverage

    corpus = load_corpus(args.corpus, strict=False)
    for src in corpus.sources.values():
        cov = coverage(corpus, src)
        print(f"{src.id}: {cov.covered_chars}/{cov.content_chars} content characters quoted ({cov.ratio:.1%})")
        if args.lines:
            for lineno, line in cov.uncovered_lines:
                print(f"  {lineno:5d}: {line}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policykb", description="Knowledge base and hybrid search over Japanese policy text.")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory (sources/ and records/)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("validate", help="validate every record against the schema and the source")
    s.set_defaults(func=_cmd_validate)

    s = sub.add_parser("anchor", help="write the character offsets of quotes into the record files")
    s.add_argument("--check", action="store_true", help="report only, write nothing")
    s.set_defaults(func=_cmd_anchor)

    s = sub.add_parser("records", help="print every record")
    s.add_argument("--kind", help=f"only this kind ({', '.join(KINDS)})")
    s.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    s.set_defaults(func=_cmd_records)

    s = sub.add_parser("coverage", help="how much of the source the records quote")
    s.add_argument("--lines", action="store_true", help="list the lines no record quotes")
    s.set_defaults(func=_cmd_coverage)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CorpusError as exc:
        print(f"policykb: {exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"policykb: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
