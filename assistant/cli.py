"""The `assistant` command: a thin shell over the Python API.

User mistakes (AssistantError) become one-line messages here, never tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from index import AnswerMode, AssistantError, IndexReport, Settings, build_index, index_status
from index.settings import describe, settings_page
from index.textview import normalised


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is intact and the next run resumes", file=sys.stderr)
        return 130


def parser() -> argparse.ArgumentParser:
    """Every command, grouped as the docs group them."""
    root = argparse.ArgumentParser(prog="assistant", description="Cited answers from a folder of news articles.")
    commands = root.add_subparsers(dest="command", required=True)
    for add in (_index_commands, _news_in_commands, _answer_commands, _tool_commands):
        add(commands)
    return root


def _index_commands(commands) -> None:
    p = commands.add_parser("index", help="sync the index with a folder of articles")
    p.add_argument("folder", nargs="?", help="articles folder (default: ASSISTANT_ARTICLES_DIR or ./articles)")
    p.add_argument("--full", action="store_true", help="rebuild from scratch instead of syncing")
    p.add_argument("--shard", metavar="I/N", help="index only the I-th of N disjoint parts (for parallel builds)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--watch", action="store_true",
                   help="after syncing, watch the folder and sync again after changes (Ctrl-C stops)")
    p.set_defaults(run=_index)

    p = commands.add_parser("status", help="what the index holds")
    p.add_argument("--json", action="store_true", help="print as one JSON object")
    p.set_defaults(run=_status)

    p = commands.add_parser("search", help="the passages that best match a question (hybrid search)")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.set_defaults(run=_search)


def _news_in_commands(commands) -> None:
    p = commands.add_parser("add", help="fetch web pages and add them as articles (indexed at once)")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--json", action="store_true", help="print {added, updated, unchanged, failed} as JSON")
    p.set_defaults(run=_add)

    p = commands.add_parser("feeds", help="the RSS, Atom and JSON feeds to follow")
    feeds = p.add_subparsers(dest="feeds_command", required=True)
    f = feeds.add_parser("add", help="follow a feed (checked once; `assistant update` fetches its items)")
    f.add_argument("url")
    f.set_defaults(run=_feeds_add)
    f = feeds.add_parser("remove", help="stop following a feed (its saved articles stay)")
    f.add_argument("url")
    f.set_defaults(run=_feeds_remove)
    f = feeds.add_parser("list", help="the feeds: url, title, last checked, items seen, last error")
    f.add_argument("--json", action="store_true", help="print a JSON list")
    f.set_defaults(run=_feeds_list)
    f = feeds.add_parser("import", help="follow every feed of an OPML file")
    f.add_argument("file", metavar="FILE.opml")
    f.set_defaults(run=_feeds_import)
    f = feeds.add_parser("export", help="print the feed list as OPML")
    f.set_defaults(run=_feeds_export)

    p = commands.add_parser("update", help="poll every feed; save and index new and changed items")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object (one per round)")
    p.add_argument("--every", metavar="DURATION", help="repeat every DURATION (15m, 1h, 90s) until Ctrl-C")
    p.set_defaults(run=_update)


def _answer_commands(commands) -> None:
    p = commands.add_parser("ask", help="a short answer with numbered citations")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=None, help="passages to answer from (default: ASSISTANT_TOP_K)")
    p.add_argument("--mode", choices=list(AnswerMode),
                   help="default: ASSISTANT_ANSWER_MODE (a question like 'How did X unfold?' gets a timeline, "
                        "'Summarize the articles' a briefing)")
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


def _tool_commands(commands) -> None:
    p = commands.add_parser("mcp", help="serve the MCP tools on stdin/stdout (Claude Desktop and other MCP clients)")
    p.set_defaults(run=_mcp)

    p = commands.add_parser("settings", help="every setting, its environment variable and default")
    p.add_argument("--markdown", action="store_true", help="print docs/settings.md (the table of every setting)")
    p.set_defaults(run=_settings)


def _index(args) -> int:
    from .progress import BuildProgress

    settings = Settings.load()
    progress = BuildProgress(sys.stderr)
    try:
        report = build_index(args.folder, settings=settings, full=args.full, shard=args.shard, progress=progress)
    finally:
        progress.close()
    _print_index(report, args.json)
    if args.watch:
        return _watch(args, settings)
    return 0


def _print_index(report: IndexReport, as_json: bool) -> None:
    print(json.dumps(report.as_dict()) if as_json else _summary(report), flush=True)


def _watch(args, settings: Settings) -> int:
    from index.watch import watch_folder

    folder = args.folder or settings.articles_dir
    print(f"watching {folder} (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        watch_folder(folder, settings=settings, on_sync=lambda report, changed: _print_index(report, args.json),
                     on_error=lambda error: print(f"error: {error}", file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        pass
    print("stopped watching", file=sys.stderr)
    return 0


def _summary(report: IndexReport) -> str:
    lines = [f"{report.added} added, {report.updated} updated, {report.removed} removed, "
             f"{report.unchanged} unchanged, {len(report.skipped)} skipped; "
             f"{report.chunks_embedded} chunks written, {report.sentences_embedded} sentences embedded "
             f"in {report.seconds:.1f} s" + (f" (shard {report.shard})" if report.shard else "")]
    lines += [f"  skipped {s.name}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def _add(args) -> int:
    from index.fetch import iter_urls
    from index.web import add_urls

    urls = list(iter_urls(args.urls))

    def progress(done: int, total: int, url: str) -> None:
        if not args.json:
            print(f"fetched {done}/{total} {url}", file=sys.stderr, flush=True)

    report = add_urls(urls, settings=Settings.load(), progress=progress)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for kind in ("added", "updated", "unchanged"):
            for article_id in getattr(report, kind):
                print(f"{kind} {article_id}")
        for failure in report.failed:
            print(f"failed {failure.url}: {failure.reason}")
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def _feeds_add(args) -> int:
    from index.feeds import add_feed

    feed = add_feed(args.url, Settings.load())
    print(f"following {feed.url}" + (f" ({feed.title})" if feed.title else "") + "; `assistant update` fetches it")
    return 0


def _feeds_remove(args) -> int:
    from index.feeds import remove_feed

    feed = remove_feed(args.url, Settings.load())
    print(f"no longer following {feed.url} (its {feed.items_seen} saved items stay in the articles folder)")
    return 0


def _feeds_list(args) -> int:
    from index.feeds import list_feeds

    feeds = list_feeds(Settings.load())
    if args.json:
        print(json.dumps([f.as_dict() for f in feeds], ensure_ascii=False))
        return 0
    if not feeds:
        print("no feeds followed (add one with `assistant feeds add URL`)")
    for feed in feeds:
        state = f"error: {feed.last_error}" if feed.last_error else "ok"
        print(f"{feed.url}\n    {feed.title or '(no title yet)'} · last checked {feed.last_checked or 'never'} · "
              f"{feed.items_seen} items seen · {state}")
    return 0


def _feeds_import(args) -> int:
    from index.feeds import import_opml

    report = import_opml(args.file, Settings.load())
    print(f"{len(report.added)} feeds added, {len(report.already)} already followed, {len(report.failed)} refused")
    for failure in report.failed:
        print(f"  refused {failure.url}: {failure.reason}")
    return 0


def _feeds_export(args) -> int:
    from index.feeds import export_opml

    sys.stdout.write(export_opml(Settings.load()))
    return 0


def _update(args) -> int:
    import signal
    import threading

    from index.feeds import update_feeds
    from index.settings import parse_duration

    settings = Settings.load()
    every = parse_duration(args.every, source="--every") if args.every else None
    stop = threading.Event()

    def interrupted(signum, frame) -> None:  # the first Ctrl-C ends between two items; a second one at once
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("stopping after this item (Ctrl-C again to stop at once)", file=sys.stderr, flush=True)

    def progress(done: int, total: int, what: str) -> None:
        print(f"  {done}/{total} {what}", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        while True:
            report = update_feeds(settings, stop=stop, progress=progress)
            print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else _update_summary(report),
                  flush=True)
            if every is None or stop.wait(every):
                return 0
    finally:
        signal.signal(signal.SIGINT, previous)


def _update_summary(report) -> str:
    lines = [f"{report.added} added, {report.updated} updated, {report.failed} failed from {len(report.feeds)} feeds"
             + (" (stopped early)" if report.stopped else "")]
    for feed in report.feeds:
        state = f"error: {feed.error}" if feed.error else f"{feed.new} new, {feed.updated} updated"
        lines.append(f"  {feed.url}: {state}")
        lines += [f"    failed {f.url}: {f.reason}" for f in feed.failed]
    if report.index is not None:
        lines.append("  index: " + _summary(report.index).replace("\n", "\n  "))
    return "\n".join(lines)


def _status(args) -> int:
    status = index_status(Settings.load())
    if args.json:
        print(json.dumps(status.as_dict()))
        return 0
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(status.last_build)) if status.last_build else "never"
    print(f"{status.articles} articles, {status.chunks} chunks, {status.sentences} embedded sentences\n"
          f"model: {status.model}\nstore: {status.store}\nlast build: {built}\ndense search: {status.dense_search}"
          + (f" (next `assistant index` applies {', '.join(status.hnsw_pending)})" if status.hnsw_pending else ""))
    return 0


def _search(args) -> int:
    from .retrieval import HybridSearch

    search = HybridSearch(Settings.load())
    for number, hit in enumerate(search.search(args.question, k=args.k), 1):
        print(f"[{number}] {hit.title} ({hit.article_id}, score {hit.score:.3f})\n    {normalised(hit.text)[:300]}")
    return 0


def _ask(args) -> int:
    from .answering import answer

    options = {key: value for key, value in (("k", args.k), ("mode", args.mode), ("source", args.source),
                                             ("since", args.since), ("until", args.until)) if value}
    result = answer(args.question, **options)  # a bad option: InvalidRequest, reported by main()
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
            # shown in the normalised view: a lone CR would send the terminal's cursor back
            print(f"    > {normalised(c.passage[offset:offset + end - start])}")
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


def _mcp(args) -> int:
    from .answering import get_assistant
    from .api.common import Doors
    from .api.mcp import run_stdio
    from .gate import answer_gate

    settings = Settings.load()
    # the model loads on the first call, not before the client's handshake
    run_stdio(Doors(assistant=lambda: get_assistant(settings), settings=settings, gate=answer_gate(settings)))
    return 0


def _settings(args) -> int:
    if args.markdown:
        print(settings_page(), end="")
        return 0
    for env, help, default in describe():
        print(f"{env}  (default: {default})\n    {help}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
