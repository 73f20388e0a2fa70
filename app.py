"""The chat page: ask about the articles, see every citation's sentences highlighted,
add articles and rebuild the index.

    python app.py [--host H] [--port P]

`build_app()` makes the page (tests build it without a server); `serve()` launches it with
the settings that matter for safety (bind address, login, upload limit). The work is done
by `assistant` (answers, rendering) and `index` (uploads, builds).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from datetime import datetime, timezone

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default: no telemetry calls
# Gradio runs every event inside a matplotlib backend switch; with matplotlib installed (the
# bench plots) an unset backend makes the first answer import pyplot to resolve it (~1.5 s)
os.environ.setdefault("MPLBACKEND", "agg")


def _skip_gradio_stub_writing() -> None:
    """Gradio rewrites its own components' .pyi type stubs at every import (it parses each
    component's source: ~3 s of a 2-core laptop's start-up). The stubs only serve IDEs and
    Gradio never reads them back, so the app imports Gradio with that step left out."""
    import importlib.abc
    import importlib.machinery
    import sys

    class StubSkipper(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "gradio.component_meta":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if callable(getattr(module, "create_or_modify_pyi", None)):
                    module.create_or_modify_pyi = lambda *args, **kwargs: None

            spec.loader.exec_module = exec_module
            return spec

    if "gradio" not in sys.modules:
        sys.meta_path.insert(0, StubSkipper())


_skip_gradio_stub_writing()

import gradio as gr  # noqa: E402  (after the import hook above)

from assistant import Answer, AssistantError, Settings, build_index, get_assistant, index_status
from assistant.examples import example_questions
from assistant.render import Turn, answer_markdown, citation_cards, markdown_text, sources_panel
from index import ArticleInfo, UploadRejected, add_file, add_text, indexed_articles
from index.articles import SUFFIXES

log = logging.getLogger("assistant.app")

MAX_TURNS = 20  # answers whose cards the sources panel keeps
# Answers computed at once, and questions that may wait (README, "The chat page": measured
# with 16 clients). Answering is mostly Python, so more answers at once only fight over the
# GIL with the event loop that streams every answer; 2 lets one answer's Chroma, SQLite and
# OpenVINO time overlap another's Python. Past QUEUE_SIZE waiting events a question is
# refused at once ("queue is full") instead of waiting minutes.
CHAT_CONCURRENCY = 2
QUEUE_SIZE = 64
STREAM_EVERY = 0.1  # seconds between two updates of an answer that is still streaming

CARD_CSS = """
.empty { color: var(--body-text-color-subdued); }
.abstained { font-weight: 600; }
.card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 8px 0;
        transition: box-shadow .2s, border-color .2s; scroll-margin: 12px; }
.card.emphasised { border-color: #e8a317; box-shadow: 0 0 0 3px rgba(232, 163, 23, .45); }
.card .num { font-weight: 700; }
.card .title { font-weight: 600; }
.card .meta { font-size: .85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.card .passage { margin: 0; padding-left: 8px; border-left: 3px solid var(--border-color-primary);
                 white-space: pre-wrap; }
.card .article-text { white-space: pre-wrap; max-height: 420px; overflow-y: auto; font-size: .92em; }
.card mark { background: #ffe58a; color: inherit; padding: 0 1px; }
details.earlier > summary { cursor: pointer; color: var(--body-text-color-subdued); margin-top: 10px; }
.card .also { font-style: italic; }
ol.timeline { list-style: none; margin: 4px 0 12px; padding-left: 14px; border-left: 3px solid #e8a317; }
ol.timeline li { position: relative; margin: 0 0 10px; padding-left: 6px; }
ol.timeline li::before { content: ""; position: absolute; left: -21px; top: .35em; width: 11px; height: 11px;
                         border-radius: 50%; background: #e8a317; }
ol.timeline time { display: block; font-weight: 700; font-size: .85em; }
"""

# Clicking [n] in any answer (this panel's or an earlier one's) brings card n of that answer
# into view and emphasises it; folded cards are unfolded first.
CITATION_CLICKS_JS = """
if (!window.__newsCitationClicks) {
  window.__newsCitationClicks = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
    if (!link) return;
    event.preventDefault();
    const card = document.getElementById(link.getAttribute('href').slice(1));
    if (!card) return;
    for (let node = card.parentElement; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
    document.querySelectorAll('.card.emphasised').forEach((c) => c.classList.remove('emphasised'));
    card.classList.add('emphasised');
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
  }, true);
}
"""

TABLE_HEADERS = ["Title", "Outlet", "Published", "Copy of", "Chunks", "File"]


def article_rows(articles: list[ArticleInfo]) -> list[list]:
    """The articles table: one row per indexed article. "Copy of" names the first published
    article of its near-duplicate group (a syndicated or corrected copy is cited once, as
    that story), or says how many copies an original has."""
    def copy_of(a: ArticleInfo) -> str:
        if a.copy_of:
            return a.copy_of
        if a.copies:
            return f"(original of {a.copies} {'copy' if a.copies == 1 else 'copies'})"
        return ""

    return [[a.title, a.source, a.published[:10], copy_of(a), a.chunks, a.id] for a in articles]


THEME = gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])  # no web fonts


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or Settings.load()
    examples_seen: dict = {}
    examples_lock = threading.Lock()

    def assistant():
        return get_assistant(settings)  # made on first use: building the page loads no model

    # -- asking --------------------------------------------------------------------
    def respond(message, history, turns, mode, k, outlets, since, until):
        history, turns = list(history or []), list(turns or [])
        question = " ".join(str(message or "").split())
        history.append({"role": "user", "content": markdown_text(question) or "…"})
        if not question:
            history.append({"role": "assistant", "content": "Please type a question about the articles."})
            yield "", history, turns, sources_panel(turns), None
            return
        history.append({"role": "assistant", "content": "…"})
        yield "", history, turns, gr.skip(), gr.skip()
        final: Answer | None = None
        try:
            helper = assistant()
            asked: list[str] = []
            earlier = [(t.question, t.answer.text) for t in turns]
            shown = time.monotonic()
            for item in helper.stream(question, earlier, mode=mode, k=int(k), sources=outlets or None,
                                      since=(since or "").strip() or None, until=(until or "").strip() or None):
                if isinstance(item, Answer):
                    final = item
                    continue
                asked.append(item)
                # Pieces that arrive together are shown together: every update costs Gradio a
                # worker-thread hop, the whole chat's postprocessing and a message to the page,
                # and an extractive answer's sentences all arrive within milliseconds (an LLM's
                # tokens still show as they come, at most STREAM_EVERY apart).
                if time.monotonic() - shown >= STREAM_EVERY:
                    history[-1] = {"role": "assistant", "content": markdown_text("".join(asked))}
                    yield "", history, turns, gr.skip(), gr.skip()
                    shown = time.monotonic()
            texts = helper.article_texts(c.article_id for c in final.citations)
        except ValueError as error:  # an option the user typed (a date, say)
            history[-1] = {"role": "assistant", "content": markdown_text(f"Cannot ask that: {error}")}
            yield "", history, turns, sources_panel(turns), None
            return
        except AssistantError as error:  # e.g. the Chroma server is down: say so, stay up
            history[-1] = {"role": "assistant", "content": markdown_text(f"The index is unavailable: {error}")}
            yield "", history, turns, sources_panel(turns), None
            return
        except Exception as error:  # never leave the chat hanging on "…"
            log.exception("answering %r failed", question)
            history[-1] = {"role": "assistant",
                           "content": markdown_text(f"The answer failed ({type(error).__name__}: {error}).")}
            yield "", history, turns, sources_panel(turns), None
            return
        key = str(int(turns[-1].key) + 1) if turns else "0"
        turns = (turns + [Turn(key, question, final, citation_cards(final, key, texts))])[-MAX_TURNS:]
        history[-1] = {"role": "assistant", "content": answer_markdown(final, key)}
        yield "", history, turns, sources_panel(turns), final.as_dict()

    # -- the articles folder and the index -------------------------------------------
    def status_line() -> str:
        try:
            status = index_status(settings)
        except AssistantError as error:
            return f"Index unavailable: {markdown_text(str(error))}"
        built = (datetime.fromtimestamp(status.last_build, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                 if status.last_build else "never")
        return (f"**{status.articles}** articles · **{status.chunks}** chunks · last build {built} · "
                f"store `{markdown_text(status.store)}`")

    def page_state(report: str) -> tuple:
        """What every index change refreshes: report, status line, table, outlet choices, examples."""
        try:
            articles = indexed_articles(settings)
        except AssistantError:
            articles = []
        rows = article_rows(articles)
        outlets = gr.Dropdown(choices=sorted({a.source for a in articles if a.source}))
        return report, status_line(), rows, outlets, examples()

    def examples() -> gr.Dataset:
        try:
            helper = assistant()
            with examples_lock:
                generation = helper.search.store.generation()
                if generation not in examples_seen:
                    examples_seen.clear()
                    examples_seen[generation] = example_questions(helper)
                questions = examples_seen[generation]
        except AssistantError:
            questions = []
        return gr.Dataset(samples=[[q] for q in questions])

    def run_build(full: bool, progress: gr.Progress, added: list[str] = (), rejected: list[str] = ()):
        progress(0, desc="Reading the articles folder")

        def step(done: int, total: int, article_id: str) -> None:
            progress((done, total), desc=f"Indexed {article_id}", unit="articles")

        lines = [f"- added {markdown_text(name)}" for name in added]
        lines += [f"- not added: {markdown_text(reason)}" for reason in rejected]
        try:
            report = build_index(settings=settings, full=full, progress=step)
        except AssistantError as error:
            lines.append(f"- **index not updated**: {markdown_text(str(error))}")
        else:
            lines.insert(0, f"Index updated in {report.seconds:.1f} s: {report.added} added, {report.updated} "
                            f"updated, {report.removed} removed, {report.unchanged} unchanged; "
                            f"{report.chunks_embedded} chunks written, {report.sentences_embedded} "
                            f"sentences embedded.")
            lines += [f"- skipped {markdown_text(s.name)}: {markdown_text(s.reason)}" for s in report.skipped]
        return page_state("\n".join(lines))

    def upload(files, progress=gr.Progress()):
        added, rejected = [], []
        for path in files or []:
            try:
                saved = add_file(path, os.path.basename(path), settings.articles_dir,
                                 max_bytes=settings.max_article_bytes)
                added.append(saved.name + (f" ({saved.note})" if saved.note else ""))
            except UploadRejected as why:
                rejected.append(str(why))
        return (*run_build(False, progress, added, rejected), None)

    def paste(title, outlet, url, published, text, progress=gr.Progress()):
        try:
            saved = add_text(settings.articles_dir, title=title or "", text=text or "", source=outlet or "",
                             url=url or "", published=published or "", max_bytes=settings.max_article_bytes)
        except UploadRejected as why:
            return (*page_state(f"- not added: {markdown_text(str(why))}"), text)
        return (*run_build(False, progress, [saved.name + (f" ({saved.note})" if saved.note else "")]), "")

    def rebuild(progress=gr.Progress()):
        return run_build(True, progress)

    def on_load(progress=gr.Progress()):
        try:
            empty = index_status(settings).articles == 0
        except AssistantError:
            empty = False
        if empty and any(settings.articles_dir.glob("*")):  # first run: build instead of failing
            return run_build(False, progress)
        return page_state("")

    # -- the page --------------------------------------------------------------------
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        gr.Markdown("# News assistant\nAnswers from your articles; every sentence cites where it comes from.")
        status = gr.Markdown(elem_id="index-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(elem_id="chat", label="Conversation", height=480, latex_delimiters=[],
                                             buttons=["copy"], feedback_options=None,
                                             placeholder="Ask about the articles. Click a [n] to see its source.")
                        question = gr.Textbox(elem_id="question", show_label=False, lines=1, max_lines=4,
                                              placeholder="Ask a question and press Enter", autofocus=True)
                        with gr.Row():
                            ask_button = gr.Button("Ask", variant="primary", elem_id="ask")
                            clear_button = gr.Button("New conversation", elem_id="clear")
                        example_list = gr.Dataset(components=["textbox"], samples=[], label="Examples",
                                                  elem_id="examples")
                        with gr.Accordion("Settings", open=False, elem_id="settings"):
                            mode = gr.Radio(["extractive", "timeline", "llm"], value=settings.answer_mode,
                                            label="Answer mode",
                                            info="extractive: cited sentences, no LLM (a question like 'How did "
                                                 "the talks unfold?' gets a timeline); timeline: dated points in "
                                                 "date order; llm: "
                                                 + (f"{settings.llm_provider} {settings.llm_model}"
                                                    if settings.llm_provider else "none configured"))
                            k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages searched (k)")
                            outlets = gr.Dropdown(choices=[], multiselect=True, label="Only these outlets")
                            with gr.Row():
                                since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD")
                                until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(sources_panel([]), elem_id="sources", css_template=CARD_CSS,
                                          js_on_load=CITATION_CLICKS_JS)
                answer_json = gr.JSON(visible=False)
            with gr.Tab("Articles", id="articles"):
                gr.Markdown(f"Add articles ({', '.join(sorted(SUFFIXES))}; at most "
                            f"{settings.max_article_bytes / 1e6:.0f} MB each) to `{settings.articles_dir}`; "
                            "they are indexed at once.")
                files = gr.File(file_count="multiple", file_types=sorted(SUFFIXES), label="Upload articles",
                                elem_id="upload")
                with gr.Accordion("Paste an article", open=False, elem_id="paste"):
                    paste_title = gr.Textbox(label="Title")
                    with gr.Row():
                        paste_outlet = gr.Textbox(label="Outlet")
                        paste_url = gr.Textbox(label="URL")
                        paste_date = gr.Textbox(label="Published", placeholder="YYYY-MM-DD")
                    paste_text = gr.Textbox(label="Text", lines=8, elem_id="paste-text")
                    paste_button = gr.Button("Add and index", elem_id="paste-add")
                rebuild_button = gr.Button("Rebuild index", elem_id="rebuild")
                report = gr.Markdown(elem_id="index-report")
                table = gr.Dataframe(headers=TABLE_HEADERS,
                                     datatype=["str", "str", "str", "str", "number", "str"], interactive=False,
                                     column_widths=["30%", "13%", "10%", "25%", "7%", "15%"], wrap=True,
                                     label="Indexed articles", elem_id="articles-table")

        turns = gr.State([])
        chat_inputs = [question, chatbot, turns, mode, k, outlets, since, until]
        chat_outputs = [question, chatbot, turns, sources, answer_json]
        # Enter, the Ask button and an example share one limit (Gradio gives every event its
        # own unless they name the same concurrency_id): at most CHAT_CONCURRENCY answers at once.
        chat_queue = dict(concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat")
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat", **chat_queue)
        ask_button.click(respond, chat_inputs, chat_outputs, api_visibility="private", **chat_queue)
        example_list.click(lambda sample: sample[0], example_list, question, api_visibility="private").then(
            respond, chat_inputs, chat_outputs, api_visibility="private", **chat_queue)
        def forget():
            return [], [], sources_panel([]), None

        clear_button.click(forget, None, [chatbot, turns, sources, answer_json], api_visibility="private")
        chatbot.clear(forget, None, [chatbot, turns, sources, answer_json], api_visibility="private")

        built = [report, status, table, outlets, example_list]
        files.upload(upload, files, built + [files], api_visibility="private", concurrency_limit=1,
                     concurrency_id="index")
        paste_button.click(paste, [paste_title, paste_outlet, paste_url, paste_date, paste_text],
                           built + [paste_text], api_visibility="private", concurrency_limit=1,
                           concurrency_id="index")
        rebuild_button.click(rebuild, None, built, api_name="rebuild", concurrency_limit=1, concurrency_id="index")
        app.load(on_load, None, built, api_visibility="private")
    return app


def login(settings: Settings) -> tuple[str, str] | None:
    if not settings.auth:
        return None
    user, sep, password = settings.auth.partition(":")
    if not sep or not user or not password:
        raise SystemExit("ASSISTANT_AUTH must be user:password")
    return user, password


def _patient_url_ok(url: str, seconds: float = 60.0) -> bool:
    """Gradio's start-up check gives up on the first 3 s timeout and then refuses to start
    ("localhost is not accessible"); on a busy 2-core laptop the first page render can take
    longer. Same check, retried on timeouts for up to `seconds`."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.head(url, timeout=10).status_code in (200, 401, 301, 302, 303, 307, 308):
                return True
        except httpx.TimeoutException:
            pass
        except httpx.HTTPError:
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def serve(app: gr.Blocks, settings: Settings | None = None, **launch: object):
    """Launch `app` bound to settings.host (127.0.0.1 unless set), with the login and upload
    limit from settings; `launch` overrides, e.g. prevent_thread_lock=True in tests."""
    settings = settings or Settings.load()
    options = dict(server_name=settings.host, server_port=settings.port, auth=login(settings),
                   max_file_size=settings.max_article_bytes, theme=THEME, footer_links=["api"], show_error=False)
    from gradio import networking

    networking.url_ok = _patient_url_ok
    return app.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=QUEUE_SIZE).launch(**{**options, **launch})


def stop(app: gr.Blocks) -> None:
    """Close a page served with prevent_thread_lock=True and free its port.

    Gradio's close() sets an asyncio.Event from the calling thread while the server's
    heartbeat coroutines may be waiting on it in the server thread; that race can raise
    "deque mutated during iteration" after the flag is already set, leaving the server up.
    """
    server = getattr(app, "server", None)
    try:
        app.close(verbose=False)
    except RuntimeError:
        if server is not None:
            server.close()


def warm_up(settings: Settings) -> None:
    try:
        get_assistant(settings).warm_up()
    except Exception as error:  # the first question will meet (and report) the same problem
        log.warning("warm-up skipped: %s", error)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the news assistant's chat page.")
    parser.add_argument("--host", help="address to listen on (default: ASSISTANT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_PORT or 7860)")
    args = parser.parse_args()
    settings = Settings.load(host=args.host, port=args.port)
    started = time.perf_counter()
    # load the index and compile the model while the server starts, not on the first question
    threading.Thread(target=warm_up, args=(settings,), name="warm-up", daemon=True).start()
    app = build_app(settings)
    print(f"Page built in {time.perf_counter() - started:.1f} s; serving on http://{settings.host}:{settings.port}")
    serve(app, settings)


if __name__ == "__main__":
    main()
