"""The `assistant` command: a thin shell over the Python API.

User mistakes (AssistantError) become one-line messages here, never tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from index import AssistantError, IndexReport, Settings, build_index, index_status
from index.settings import describe


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers from a folder of news articles.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("index", help="sync the index with a folder of articles")
    p.add_argument("folder", nargs="?", help="articles folder (default: ASSISTANT_ARTICLES_DIR or ./articles)")
    p.add_argument("--full", action="store_true", help="rebuild from scratch instead of syncing")
    p.add_argument("--shard", metavar="I/N", help="index only the I-th of N disjoint parts (for parallel builds)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.set_defaults(run=_index)

    p = commands.add_parser("status", help="what the index holds")
    p.add_argument("--json", action="store_true", help="print as one JSON object")
    p.set_defaults(run=_status)

    p = commands.add_parser("search", help="the passages that best match a question (hybrid search)")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.set_defaults(run=_search)

    p = commands.add_parser("ask", help="a short answer with numbered citations")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=None, help="passages to answer from (default: ASSISTANT_TOP_K)")
    p.add_argument("--mode", choices=["extractive", "llm", "timeline"],
                   help="default: ASSISTANT_ANSWER_MODE (a question like 'How did X unfold?' gets a timeline)")
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.set_defaults(run=_ask)

    p = commands.add_parser("eval", help="answer a question file and report quality figures")
    p.add_argument("questions", help="JSON Lines: id, question, answers, evidence, unanswerable")
    p.add_argument("-k", "--k", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--details", metavar="FILE", help="write one JSON line per question to FILE")
    p.set_defaults(run=_eval)

    p = commands.add_parser("settings", help="every setting, its environment variable and default")
    p.set_defaults(run=_settings)

    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is intact and the next run resumes", file=sys.stderr)
        return 130


def _index(args) -> int:
    from .progress import BuildProgress

    settings = Settings.load()
    progress = BuildProgress(sys.stderr)
    try:
        report = build_index(args.folder, settings=settings, full=args.full, shard=args.shard, progress=progress)
    finally:
        progress.close()
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(_summary(report))
    return 0


def _summary(report: IndexReport) -> str:
    lines = [f"{report.added} added, {report.updated} updated, {report.removed} removed, "
             f"{report.unchanged} unchanged, {len(report.skipped)} skipped; "
             f"{report.chunks_embedded} chunks written, {report.sentences_embedded} sentences embedded "
             f"in {report.seconds:.1f} s" + (f" (shard {report.shard})" if report.shard else "")]
    lines += [f"  skipped {s.name}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def _status(args) -> int:
    status = index_status(Settings.load())
    if args.json:
        print(json.dumps(status.as_dict()))
        return 0
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(status.last_build)) if status.last_build else "never"
    print(f"{status.articles} articles, {status.chunks} chunks, {status.sentences} embedded sentences\n"
          f"model: {status.model}\nstore: {status.store}\nlast build: {built}")
    return 0


def _search(args) -> int:
    from .retrieval import HybridSearch

    search = HybridSearch(Settings.load())
    for number, hit in enumerate(search.search(args.question, k=args.k), 1):
        print(f"[{number}] {hit.title} ({hit.article_id}, score {hit.score:.3f})\n    {hit.text[:300]}")
    return 0


def _ask(args) -> int:
    from .answering import answer

    options = {key: value for key, value in (("k", args.k), ("mode", args.mode), ("source", args.source),
                                             ("since", args.since), ("until", args.until)) if value}
    try:
        result = answer(args.question, **options)
    except ValueError as error:
        raise AssistantError(str(error)) from None
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    if result.notice:
        print(f"note: {result.notice}")
    print(result.text)
    for c in result.citations:
        meta = " · ".join([c.source or "outlet unknown", c.published[:10] or "date unknown"])
        print(f"\n[{c.number}] {c.title} ({meta})\n    {c.article_id}")
        if c.also_reported_by:
            print(f"    also reported by {', '.join(c.also_reported_by)}")
        for start, end in c.highlights:
            offset = start - c.start
            print(f"    > {c.passage[offset:offset + end - start]}")
    return 0


def _eval(args) -> int:
    from .answering import get_assistant
    from .evaluation import evaluate, load_questions

    try:
        questions = load_questions(args.questions)
    except (OSError, ValueError) as error:
        raise AssistantError(f"cannot read {args.questions}: {error}") from None
    assistant = get_assistant()
    report, rows = evaluate(questions, lambda q: assistant.run(q, k=args.k), args.k)
    if args.details:
        with open(args.details, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        for key, value in report.as_dict().items():
            print(f"{key:20} {value}")
    return 0


def _settings(args) -> int:
    for env, help, default in describe():
        print(f"{env}  (default: {default})\n    {help}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
