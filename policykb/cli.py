"""The `policykb` command: parses arguments, calls the library, turns errors into messages."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.config import load_settings
from indexer.corpus.anchor import anchor_corpus
from indexer.corpus.collections import registered_file_problems
from indexer.corpus.export import record_dict
from indexer.corpus.law_effect import sunset_note, sunset_past
from indexer.corpus.loader import load_corpus
from indexer.corpus.quote_coverage import coverage
from indexer.corpus.schema import KINDS
from indexer.errors import ModelUnavailable, NotFound, PolicykbError, QueryError, UsageError
from indexer.evaluation.baseline import TrigramBaseline
from indexer.evaluation.metrics import GoldQuery, Hit, evaluate, format_report, load_gold
from indexer.index.build import build
from indexer.index.store import content_hash, current_build, manifest_hash
from indexer.index.verify import BuildDamaged, check_build, finished_builds
from indexer.ingest import IngestError
from indexer.ingest.add import ingest_file
from indexer.ingest.collection import ingest_collection
from indexer.ingest.inputs import input_kind
from indexer.model.integrity import check_model_dir, recorded_files
from indexer.search.engine import SearchEngine
from indexer.search.filters import Filters, parse_filters
from webapp.serve import AUTO_WORKERS_MAX, MAX_WORKERS, default_workers, serve


def _cmd_validate(args: argparse.Namespace) -> int:
    corpus = load_corpus(_settings(args).corpus_dir)
    by_kind: dict[str, int] = {}
    for r in corpus.records:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    counts = ", ".join(f"{k} {by_kind.get(k, 0)}" for k in KINDS)
    print(f"ok: {len(corpus.records)} records ({counts})")
    return 0


def _cmd_anchor(args: argparse.Namespace) -> int:
    status = 0
    for rep in anchor_corpus(_settings(args).corpus_dir, write=not args.check):
        print(f"{rep.file}: {rep.filled} quote(s) anchored")
        for a in rep.ambiguous:
            print(f"  ambiguous (first after the previous quote taken): {a}")
        for m in rep.missing:
            print(f"  NOT FOUND: {m}")
            status = 1
    return status


def _cmd_records(args: argparse.Namespace) -> int:
    corpus = load_corpus(_settings(args).corpus_dir)
    if args.kind and args.kind not in KINDS:
        raise UsageError(f"unknown kind '{args.kind}'; valid: {', '.join(KINDS)}")
    links = corpus.links_both_ways()
    for rec in corpus.reading_order():
        if args.kind and rec.kind != args.kind:
            continue
        if args.jsonl:
            print(json.dumps(record_dict(rec, corpus, links), ensure_ascii=False))
        else:
            print(f"{rec.id}\t{rec.kind}\t{rec.title}")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    corpus = load_corpus(_settings(args).corpus_dir, strict=False)
    for src in corpus.sources.values():
        cov = coverage(corpus, src)
        print(f"{src.id}: {cov.covered_chars}/{cov.content_chars} content characters quoted ({cov.ratio:.1%})")
        if args.lines:
            for lineno, line in cov.uncovered_lines:
                print(f"  {lineno:5d}: {line}")
    return 0


def _settings(args: argparse.Namespace):
    return load_settings(corpus_dir=args.corpus, index_dir=args.index_dir, model_dir=args.model)


def _open_engine(args: argparse.Namespace):
    return SearchEngine.open(_settings(args))


def _cmd_build(args: argparse.Namespace) -> int:
    result = build(_settings(args), force=args.force, progress=not args.quiet, wait=not args.no_wait)
    verb = "built" if result.built else "up to date, nothing to do:"
    print(f"{verb} {result.path} ({result.records} records, {result.seconds:.1f} s)")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    """Add documents to the corpus; each bad file is one line on stderr and adds nothing."""
    corpus_dir = _settings(args).corpus_dir
    opts = {k: getattr(args, k) for k in ("title", "publisher", "date", "url", "effective") if getattr(args, k)}
    status = 0
    for path in args.paths:
        try:
            kind = input_kind(path, follow_symlinks=args.follow_symlinks)  # a symlink, device, FIFO: refused
            if args.collection == "laws" or kind in ("folder", "archive"):
                status = max(status, _ingest_collection(path, corpus_dir, args))
                continue
            done = ingest_file(path, corpus_dir, follow_symlinks=args.follow_symlinks, **opts)
        except IngestError as exc:
            print(f"policykb: {exc}", file=sys.stderr)
            status = 2
            continue
        for w in done.warnings:
            print(f"policykb: warning: {w}", file=sys.stderr)
        print(done.summary())
    if status == 0:
        print("run `policykb build` to index what was added")
    return status


def _ingest_collection(path: Path, corpus_dir: Path, args: argparse.Namespace) -> int:
    """An archive or folder (or a file given --collection laws): registered by path and sha256, streamed."""
    try:
        report = ingest_collection(path, corpus_dir, progress=not args.quiet, follow_symlinks=args.follow_symlinks)
    except IngestError as exc:
        print(f"policykb: {exc}", file=sys.stderr)
        return 2
    problems = report.skipped + report.as_passages
    for line in problems[: args.show_problems]:
        print(f"policykb: warning: {line}", file=sys.stderr)
    if len(problems) > args.show_problems:
        print(f"policykb: … and {len(problems) - args.show_problems} more (--show-problems N shows more)", file=sys.stderr)
    print(f"{path}: {report.summary()}")
    print(f"registered in {report.register}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    """Every build in the index directory, and the model, against the checksums they recorded."""
    settings = _settings(args)
    changed = registered_file_problems(settings.corpus_dir)  # archives the builds were read from
    for line in changed:
        print(f"changed: {line}")
    builds = finished_builds(settings.index_dir)
    if not builds:
        print(f"policykb: 索引がありません（{settings.index_dir}）。`policykb build` を実行してください。", file=sys.stderr)
        return 1
    cur = current_build(settings.index_dir)
    digest = content_hash(settings)
    whole = []
    for b in builds:
        tag = " (current)" if cur is not None and b.resolve() == cur else ""
        try:
            manifest = check_build(b, full=True)
        except BuildDamaged as exc:
            print(f"damaged{tag}: {exc.message}")
            continue
        whole.append(b)
        stale = "" if manifest_hash(b) == digest else ", stale: built from an older corpus, code or model"
        print(f"ok{tag}: {b.name} ({len(manifest['files'])} files, sizes and sha256 as built{stale})")
    status = 0 if whole else 1
    try:
        check_model_dir(settings.model_dir, full=True)
        checked = "sizes and sha256 as converted" if recorded_files(settings.model_dir) else "no checksums recorded"
        print(f"ok: model {settings.model_dir} ({checked})")
    except ModelUnavailable as exc:
        print(f"damaged: {exc.message}")
        status = 1
    if changed:
        status = 1
    if cur is None or all(b.resolve() != cur for b in whole):
        print("policykb: `current` does not point at a whole build; `policykb build` repairs it", file=sys.stderr)
        status = 1
    return status


def _cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:  # 0: any free port (the line printed at start says which)
        raise UsageError(f"--port must be 0–65535, not {args.port}")
    if args.threads < 1:
        raise UsageError(f"--threads must be at least 1, not {args.threads}")
    workers = default_workers() if args.workers is None else args.workers
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be 1–{MAX_WORKERS}, not {workers}")
    try:
        # A port that cannot be bound is reported by serve() itself (UsageError): any other
        # OSError (a damaged index file) is not a listen failure.
        return serve(_settings(args), host=args.host, port=args.port, threads=args.threads, workers=workers)
    except KeyboardInterrupt:
        return 0


def _print_human(resp) -> None:
    print(f"{resp.total} 件（{resp.mode}, {resp.took_ms:.1f} ms）")
    for n, r in enumerate(resp.results, start=resp.offset + 1):
        sunset = (r.get("law") or {}).get("sunset")
        # As the web app marks it: an article of a law past its own last day is not cited as in force.
        expired = f"  失効（この法律は{sunset_note(sunset)}）" if sunset_past(sunset) else ""
        print(f"{n:>3}. [{r['kind']}] {r['title']}  ({r['id']}){expired}")
        print(f"     {r['snippet'][:120]}")


def _not_ingested(engine, filters) -> str:
    """For the operator: which collections asked for this index lacks, and how to add them ("" when none)."""
    missing = engine.unavailable_collections(filters)
    if not missing:
        return ""
    labels = "・".join(m["label"] for m in missing)
    return (f"{labels}はこの索引に取り込まれていません。`policykb ingest <e-Govの法令アーカイブ>` で登録し、"
            f"`policykb build` を実行すると検索できます。")


def _cmd_search(args: argparse.Namespace) -> int:
    filters = parse_filters({"kind": args.kind, "pillar": args.pillar, "era": args.era, "prefecture": args.prefecture,
                             "document": args.document, "deadline_year": args.deadline_year, "deadline_from": args.deadline_from,
                             "deadline_to": args.deadline_to, "collection": args.collection})
    engine = _open_engine(args)
    note = _not_ingested(engine, filters)
    if note:  # the search covers the rest (as the web app does); the operator is told how to add it
        print(f"policykb: 注意: {note}", file=sys.stderr)
    queries = [q for q in sys.stdin.read().splitlines() if q.strip()] if args.query == "-" else [args.query]
    if args.query == "-":
        for q in queries:
            resp = engine.search(q, mode=args.mode, k=args.k, filters=filters)
            print(json.dumps(resp.as_dict(), ensure_ascii=False), flush=True)
        return 0
    resp = engine.search(queries[0], mode=args.mode, k=args.k, filters=filters)
    if resp.no_searchable_words:
        print(f"policykb: {resp.as_dict()['message']}", file=sys.stderr)
    if args.json:
        print(json.dumps(resp.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_human(resp)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    corpus = load_corpus(_settings(args).corpus_dir)
    rec = corpus.by_id.get(args.id)
    if rec is not None:
        d = record_dict(rec, corpus)
    else:  # a unit of 全法令 lives only in the index (its documents are not in the repository)
        d = _open_engine(args).record(args.id)
        if d is None:
            raise NotFound(f"no record with id '{args.id}' (see `policykb records`, or search with --collection laws)")
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return 0
    print(f"{d['title']}  [{d['kind']}]  {d['id']}")
    print(f"{d['section']}")
    if (d.get("law") or {}).get("sunset"):
        print(f"効力: この法律は{sunset_note(d['law']['sunset'])}")
    print()
    print(d["text"])
    print()
    print("引用: " + d["citation"]["text"])
    if d["targets"] and d["kind"] != "target":
        print("\n目標:")
        for t in d["targets"]:
            print(f"  - {t['wording']}  (期限: {t.get('deadline') or '—'}, 種別: {t['type']})")
    if d["links"]:
        print("\n関連付け:")
        for link in d["links"]:
            other = corpus.by_id.get(link["id"])
            if other is not None:
                print(f"  - {link['type']}: [{other.kind}] {other.title} ({other.id})")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    gold = load_gold(args.gold)
    engine = _open_engine(args)
    filters = parse_filters({"collection": args.collection, "kind": args.kind})
    if _not_ingested(engine, filters):  # an evaluation of the other collection would be mislabelled
        raise QueryError(_not_ingested(engine, filters))
    # A question whose answer only 全法令 holds (collection: laws) is searched there when the server
    # has it, whatever the collections chosen; otherwise it is reported as not held.
    laws_filters = parse_filters({"collection": ["laws"], "kind": args.kind})
    has_laws = "laws" in engine.collections

    def hit(i: str) -> Hit:
        return Hit.of_record(engine.record(i))

    def for_question(g: GoldQuery) -> Filters:
        return laws_filters if g.collection == "laws" and "laws" not in filters.collections() else filters

    def system(mode: str):
        def run(q: str, g: GoldQuery) -> list[Hit]:
            return [hit(i) for i in engine.rank(q, mode, for_question(g)).ids[:10]]
        return run

    systems = {m: system(m) for m in ("hybrid", "keyword", "semantic")}
    if filters.collections() == ("regional",):  # the FTS5 baseline covers the regional records (in memory)
        baseline = TrigramBaseline([r for r in engine.records if filters.accepts(engine.facet_values(r["id"]))])
        systems["fts5"] = lambda q, g: [] if g.collection == "laws" else [hit(i) for i in baseline.search(q, 10)]
    report = evaluate(gold, systems, held=lambda g: g.collection != "laws" or has_laws)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policykb", description="Knowledge base and hybrid search over Japanese policy text.")
    p.add_argument("--corpus", type=Path, default=None, help="corpus directory (sources/ and records/)")
    p.add_argument("--index-dir", type=Path, default=None, help="index directory (default var/index)")
    p.add_argument("--model", type=Path, default=None, help="a local sentence-transformers model directory")
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

    s = sub.add_parser("build", help="validate the corpus and build both indexes (skipped when nothing changed)")
    s.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--no-wait", action="store_true", help="exit (naming it) when another build is running, instead of waiting")
    s.set_defaults(func=_cmd_build)

    s = sub.add_parser("ingest", help="add documents (statute or policy text, Markdown, PDF) to the corpus")
    s.add_argument("paths", nargs="+", type=Path, help="files to add")
    s.add_argument("--title", help="title (default: the statute's title, or the document's first line)")
    s.add_argument("--publisher", help="publisher (発行主体)")
    s.add_argument("--date", help="publication date YYYY-MM-DD")
    s.add_argument("--url", help="official URL")
    s.add_argument("--effective", help="a statute's 施行日 YYYY-MM-DD when the file name does not give it")
    s.add_argument("--collection", choices=("regional", "laws"), default=None,
                   help="where a single file goes: regional (copied into corpus/sources, the default for a file) or "
                        "laws (registered by path, like an archive or folder, which always go to laws)")
    s.add_argument("--follow-symlinks", action="store_true",
                   help="read a symbolic link named here, and links inside a folder that stay inside it "
                        "(default: symbolic links are refused)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--show-problems", type=int, default=20, metavar="N",
                   help="how many skipped or unstructured files of an archive to list (default 20)")
    s.set_defaults(func=_cmd_ingest)

    s = sub.add_parser("verify", help="check every build and the model against the checksums recorded when they were made")
    s.set_defaults(func=_cmd_verify)

    s = sub.add_parser("search", help="search the knowledge base")
    s.add_argument("query", help="the query; '-' reads one query per line from stdin and prints JSON lines")
    s.add_argument("--mode", default="hybrid", help="hybrid (default), keyword or semantic")
    s.add_argument("-k", type=int, default=10, help="number of results (1–100)")
    s.add_argument("--kind", action="append", help=f"filter (repeatable: any of): {', '.join(KINDS)}")
    s.add_argument("--pillar", action="append", help="filter (repeatable): 1–5")
    s.add_argument("--era", action="append", help="filter (repeatable): kaizoron, 1.0, 2.0")
    s.add_argument("--prefecture", action="append", help="filter (repeatable): a prefecture (島根 or 島根県)")
    s.add_argument("--document", action="append", help="filter (repeatable): a source id (see corpus/sources/*.yaml)")
    s.add_argument("--deadline-from", help="filter: targets due in this year or later (inclusive)")
    s.add_argument("--deadline-to", help="filter: targets due in this year or earlier (inclusive)")
    s.add_argument("--deadline-year", help="filter: targets due in this one year (= --deadline-from Y --deadline-to Y)")
    s.add_argument("--collection", action="append",
                   help="what to search (repeatable): regional (地域政策, the default), laws (全法令)")
    s.add_argument("--json", action="store_true", help="print the response as JSON")
    s.set_defaults(func=_cmd_search)

    s = sub.add_parser("serve", help="serve the web app with waitress (production WSGI server)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--threads", type=int, default=12,
                   help="threads per worker process (default 12; see webapp/serve.py for why)")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes on one listening socket, each with its own engine and --threads "
                        f"(default: the usable cores, at most {AUTO_WORKERS_MAX}; 1: this process serves; "
                        "more: a supervisor restarts any that dies)")
    s.set_defaults(func=_cmd_serve)

    s = sub.add_parser("show", help="print a record with its cross-references")
    s.add_argument("id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_cmd_show)

    s = sub.add_parser("eval", help="evaluate search on a gold set, beside an SQLite FTS5 baseline")
    s.add_argument("gold", type=Path, help="JSONL of {id, query, category, expect, split}")
    s.add_argument("--collection", action="append", help="collections to search (repeatable; default regional)")
    s.add_argument("--kind", action="append", help="only these kinds (repeatable), e.g. article")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_cmd_eval)

    s = sub.add_parser("coverage", help="how much of the source the records quote")
    s.add_argument("--lines", action="store_true", help="list the lines no record quotes")
    s.set_defaults(func=_cmd_coverage)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicykbError as exc:
        print(f"policykb: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
