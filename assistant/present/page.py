"""The chat page as a class: `ChatPage(settings).build()` makes the Gradio Blocks (tests build
it without a server); `app.py` serves it. The handlers (asking, adding articles, rebuilding)
are methods, the layout is a few small builders, and the CSS and JS are files beside this one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Generator, Iterator

import gradio as gr

from index import ArticleInfo, UploadRejected, add_file, add_text, indexed_articles
from index.articles import SUFFIXES
from index.errors import AssistantError, InvalidRequest
from index.settings import AnswerMode, Settings

from .. import build_index, get_assistant, index_status
from ..answering import Assistant
from ..answers import Answer
from ..gate import CONCURRENCY, MAX_WAITING, QueueFull, answer_gate
from .examples import example_questions
from .news_in import NewsIn, NewsInControls
from .render import Turn, answer_markdown, citation_cards, markdown_text, sources_panel

log = logging.getLogger("assistant.app")

MAX_TURNS = 20  # answers whose cards the sources panel keeps
# the page's Gradio queue has the same limits as the line it shares with /v1, /api and /mcp
CHAT_CONCURRENCY = CONCURRENCY
QUEUE_SIZE = MAX_WAITING
STREAM_EVERY = 0.1  # seconds between two updates of an answer that is still streaming
TABLE_HEADERS = ["Title", "Outlet", "Published", "Copy of", "Chunks", "File"]
BRIEFING_QUESTION = "Give me a briefing"  # what the Briefing button asks when nothing is typed
MODE_INFO = ("extractive: cited sentences, no LLM (a question like 'How did the talks unfold?' gets a timeline); "
             "timeline: dated points in date order; briefing (or the Briefing button): the main stories, "
             "or one story in depth; llm: ")


def asset(name: str) -> str:
    """A file shipped beside this module (the page's CSS and JS)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


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


@dataclass
class AskControls:
    question: gr.Textbox
    chatbot: gr.Chatbot
    ask: gr.Button
    clear: gr.Button
    examples: gr.Dataset
    mode: gr.Radio
    k: gr.Slider
    outlets: gr.Dropdown
    since: gr.Textbox
    until: gr.Textbox
    sources: gr.HTML
    answer_json: gr.JSON
    brief: gr.Button  # asks for a briefing (the question typed, else the main stories)


@dataclass
class ArticleControls:
    files: gr.File
    paste: tuple[gr.Textbox, ...]  # title, outlet, url, published, text
    paste_button: gr.Button
    rebuild: gr.Button
    report: gr.Markdown
    table: gr.Dataframe
    news_in: NewsInControls  # "Add from URL" and "Feeds"


class ChatPage:
    """The page of one index (its settings); answers come from the shared `Assistant`."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.load()
        self._examples_seen: dict[Any, list[str]] = {}
        self._examples_lock = threading.Lock()
        self.news_in = NewsIn(self)

    def assistant(self) -> Assistant:
        return get_assistant(self.settings)  # made on first use: building the page loads no model

    # -- asking --------------------------------------------------------------------
    def respond(self, message, history, turns, mode, k, outlets, since, until) -> Iterator[tuple]:
        history, turns = list(history or []), list(turns or [])
        question = " ".join(str(message or "").split())
        history.append({"role": "user", "content": markdown_text(question) or "…"})
        if not question:
            history.append({"role": "assistant", "content": "Please type a question about the articles."})
            yield "", history, turns, sources_panel(turns), None
            return
        history.append({"role": "assistant", "content": "…"})
        yield "", history, turns, gr.skip(), gr.skip()
        options = dict(mode=mode, k=int(k), sources=outlets or None, since=(since or "").strip() or None,
                       until=(until or "").strip() or None)
        try:
            final, texts = yield from self._stream(question, [(t.question, t.answer.text) for t in turns],
                                                   history, turns, options)
        except InvalidRequest as error:  # an option the user typed (a date, say)
            failed = f"Cannot ask that: {error}"
        except QueueFull as error:  # the line shared with /v1, /api and /mcp is full
            failed = f"Too many questions at once: {error}."
        except AssistantError as error:  # e.g. the Chroma server is down: say so, stay up
            failed = f"The index is unavailable: {error}"
        except Exception as error:  # never leave the chat hanging on "…"
            log.exception("answering %r failed", question)
            failed = f"The answer failed ({type(error).__name__}: {error})."
        else:
            key = str(int(turns[-1].key) + 1) if turns else "0"
            turns = (turns + [Turn(key, question, final, citation_cards(final, key, texts))])[-MAX_TURNS:]
            history[-1] = {"role": "assistant", "content": answer_markdown(final, key)}
            yield "", history, turns, sources_panel(turns), final.as_dict()
            return
        history[-1] = {"role": "assistant", "content": markdown_text(failed)}
        yield "", history, turns, sources_panel(turns), None

    def brief(self, message, history, turns, mode, k, outlets, since, until) -> Iterator[tuple]:
        """The Briefing button: the question typed (if any) answered as a briefing, else the
        collection's main stories."""
        question = " ".join(str(message or "").split()) or BRIEFING_QUESTION
        yield from self.respond(question, history, turns, AnswerMode.BRIEFING.value, k, outlets, since, until)

    def _stream(self, question: str, earlier: list[tuple[str, str]], history: list, turns: list,
                options: dict) -> Generator[tuple, None, tuple[Answer, dict[str, str]]]:
        """Show the answer's pieces as they come; return the final Answer and its articles' texts.

        Pieces that arrive together are shown together: every update costs Gradio a
        worker-thread hop, the whole chat's postprocessing and a message to the page, and an
        extractive answer's sentences all arrive within milliseconds (an LLM's tokens still
        show as they come, at most STREAM_EVERY apart)."""
        helper = self.assistant()
        final: Answer | None = None
        asked: list[str] = []
        shown = time.monotonic()
        pieces = helper.stream(question, earlier, **options)
        while True:
            # each step of the answer waits in the line shared with /v1, /api and /mcp; held
            # per step, not across the yields, so a page closed mid-answer never keeps a place
            with answer_gate(self.settings).held():
                item = next(pieces, None)
            if item is None:
                break
            if isinstance(item, Answer):
                final = item
                continue
            asked.append(item)
            if time.monotonic() - shown >= STREAM_EVERY:
                history[-1] = {"role": "assistant", "content": markdown_text("".join(asked))}
                yield "", history, turns, gr.skip(), gr.skip()
                shown = time.monotonic()
        assert final is not None  # the stream always ends with the Answer
        return final, helper.article_texts(c.article_id for c in final.citations)

    # -- the articles folder and the index -------------------------------------------
    def status_line(self) -> str:
        try:
            status = index_status(self.settings)
        except AssistantError as error:
            return f"Index unavailable: {markdown_text(str(error))}"
        built = (datetime.fromtimestamp(status.last_build, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                 if status.last_build else "never")
        return (f"**{status.articles}** articles · **{status.chunks}** chunks · last build {built} · "
                f"store `{markdown_text(status.store)}`")

    def page_state(self, report: str) -> tuple:
        """What every index change refreshes: report, status line, table, outlet choices, examples."""
        try:
            articles = indexed_articles(self.settings)
        except AssistantError:
            articles = []
        outlets = gr.Dropdown(choices=sorted({a.source for a in articles if a.source}))
        return report, self.status_line(), article_rows(articles), outlets, self.examples()

    def examples(self) -> gr.Dataset:
        try:
            helper = self.assistant()
            with self._examples_lock:
                generation = helper.search.generation()
                if generation not in self._examples_seen:
                    self._examples_seen.clear()
                    self._examples_seen[generation] = example_questions(helper)
                questions = self._examples_seen[generation]
        except AssistantError:
            questions = []
        return gr.Dataset(samples=[[q] for q in questions])

    def run_build(self, full: bool, progress: gr.Progress, added: tuple[str, ...] = (),
                  rejected: tuple[str, ...] = ()) -> tuple:
        progress(0, desc="Reading the articles folder")

        def step(done: int, total: int, article_id: str) -> None:
            progress((done, total), desc=f"Indexed {article_id}", unit="articles")

        lines = [f"- added {markdown_text(name)}" for name in added]
        lines += [f"- not added: {markdown_text(reason)}" for reason in rejected]
        try:
            report = build_index(settings=self.settings, full=full, progress=step)
        except AssistantError as error:
            lines.append(f"- **index not updated**: {markdown_text(str(error))}")
        else:
            lines.insert(0, f"Index updated in {report.seconds:.1f} s: {report.added} added, {report.updated} "
                            f"updated, {report.removed} removed, {report.unchanged} unchanged; "
                            f"{report.chunks_embedded} chunks written, {report.sentences_embedded} "
                            f"sentences embedded.")
            lines += [f"- skipped {markdown_text(s.name)}: {markdown_text(s.reason)}" for s in report.skipped]
        return self.page_state("\n".join(lines))

    def upload(self, files, progress=gr.Progress()) -> tuple:
        added, rejected = [], []
        for path in files or []:
            try:
                saved = add_file(path, os.path.basename(path), self.settings.articles_dir,
                                 max_bytes=self.settings.max_article_bytes)
                added.append(saved.name + (f" ({saved.note})" if saved.note else ""))
            except UploadRejected as why:
                rejected.append(str(why))
        return (*self.run_build(False, progress, tuple(added), tuple(rejected)), None)

    def paste(self, title, outlet, url, published, text, progress=gr.Progress()) -> tuple:
        try:
            saved = add_text(self.settings.articles_dir, title=title or "", text=text or "", source=outlet or "",
                             url=url or "", published=published or "", max_bytes=self.settings.max_article_bytes)
        except UploadRejected as why:
            return (*self.page_state(f"- not added: {markdown_text(str(why))}"), text)
        return (*self.run_build(False, progress, (saved.name + (f" ({saved.note})" if saved.note else ""),)), "")

    def rebuild(self, progress=gr.Progress()) -> tuple:
        return self.run_build(True, progress)

    def on_load(self, progress=gr.Progress()) -> tuple:
        try:
            empty = index_status(self.settings).articles == 0
        except AssistantError:
            empty = False
        if empty and any(self.settings.articles_dir.glob("*")):  # first run: build instead of failing
            return self.run_build(False, progress)
        return self.page_state("")

    @staticmethod
    def forget() -> tuple:
        return [], [], sources_panel([]), None

    # -- the layout ------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        with gr.Blocks(title="News assistant", analytics_enabled=False) as page:
            gr.Markdown("# News assistant\nAnswers from your articles; every sentence cites where it comes from.")
            status = gr.Markdown(elem_id="index-status")
            with gr.Tabs():
                with gr.Tab("Ask", id="ask"):
                    ask = self._ask_tab()
                with gr.Tab("Articles", id="articles"):
                    articles = self._articles_tab()
            self._wire_chat(ask)
            self._wire_articles(page, articles, [articles.report, status, articles.table, ask.outlets, ask.examples])
        return page

    def _ask_tab(self) -> AskControls:
        settings = self.settings
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="chat", label="Conversation", height=480, latex_delimiters=[],
                                     buttons=["copy"], feedback_options=None,
                                     placeholder="Ask about the articles. Click a [n] to see its source.")
                question = gr.Textbox(elem_id="question", show_label=False, lines=1, max_lines=4,
                                      placeholder="Ask a question and press Enter", autofocus=True)
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    brief = gr.Button("Briefing", elem_id="briefing")
                    clear = gr.Button("New conversation", elem_id="clear")
                examples = gr.Dataset(components=["textbox"], samples=[], label="Examples", elem_id="examples")
                with gr.Accordion("Settings", open=False, elem_id="settings"):
                    llm = f"{settings.llm_provider} {settings.llm_model}" if settings.llm_provider else "none configured"
                    mode = gr.Radio([m.value for m in AnswerMode], value=settings.answer_mode, label="Answer mode",
                                    info=MODE_INFO + llm)
                    k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages searched (k)")
                    outlets = gr.Dropdown(choices=[], multiselect=True, label="Only these outlets")
                    with gr.Row():
                        since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD")
                        until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(sources_panel([]), elem_id="sources", css_template=asset("page.css"),
                                  js_on_load=asset("page.js"))
        return AskControls(question, chatbot, ask, clear, examples, mode, k, outlets, since, until, sources,
                           gr.JSON(visible=False), brief)

    def _articles_tab(self) -> ArticleControls:
        settings = self.settings
        gr.Markdown(f"Add articles ({', '.join(sorted(SUFFIXES))}; at most {settings.max_article_bytes / 1e6:.0f} MB "
                    f"each) to `{settings.articles_dir}`; they are indexed at once.")
        files = gr.File(file_count="multiple", file_types=sorted(SUFFIXES), label="Upload articles", elem_id="upload")
        with gr.Accordion("Paste an article", open=False, elem_id="paste"):
            title = gr.Textbox(label="Title")
            with gr.Row():
                outlet = gr.Textbox(label="Outlet")
                url = gr.Textbox(label="URL")
                published = gr.Textbox(label="Published", placeholder="YYYY-MM-DD")
            text = gr.Textbox(label="Text", lines=8, elem_id="paste-text")
            paste_button = gr.Button("Add and index", elem_id="paste-add")
        news_in = self.news_in.layout()
        rebuild = gr.Button("Rebuild index", elem_id="rebuild")
        report = gr.Markdown(elem_id="index-report")
        table = gr.Dataframe(headers=TABLE_HEADERS, datatype=["str", "str", "str", "str", "number", "str"],
                             interactive=False, column_widths=["30%", "13%", "10%", "25%", "7%", "15%"], wrap=True,
                             label="Indexed articles", elem_id="articles-table")
        return ArticleControls(files, (title, outlet, url, published, text), paste_button, rebuild, report, table,
                               news_in)

    def _wire_chat(self, c: AskControls) -> None:
        turns = gr.State([])
        inputs = [c.question, c.chatbot, turns, c.mode, c.k, c.outlets, c.since, c.until]
        outputs = [c.question, c.chatbot, turns, c.sources, c.answer_json]
        # Enter, the Ask button and an example share one limit (Gradio gives every event its
        # own unless they name the same concurrency_id): at most CHAT_CONCURRENCY answers at once.
        queue: dict[str, Any] = dict(concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat")
        c.question.submit(self.respond, inputs, outputs, api_name="chat", **queue)
        c.ask.click(self.respond, inputs, outputs, api_visibility="private", **queue)
        c.brief.click(self.brief, inputs, outputs, api_visibility="private", **queue)
        c.examples.click(lambda sample: sample[0], c.examples, c.question, api_visibility="private").then(
            self.respond, inputs, outputs, api_visibility="private", **queue)
        cleared = [c.chatbot, turns, c.sources, c.answer_json]
        c.clear.click(self.forget, None, cleared, api_visibility="private")
        c.chatbot.clear(self.forget, None, cleared, api_visibility="private")

    def _wire_articles(self, page: gr.Blocks, a: ArticleControls, built: list) -> None:
        index_queue: dict[str, Any] = dict(concurrency_limit=1, concurrency_id="index")
        a.files.upload(self.upload, a.files, built + [a.files], api_visibility="private", **index_queue)
        a.paste_button.click(self.paste, list(a.paste), built + [a.paste[-1]], api_visibility="private",
                             **index_queue)
        a.rebuild.click(self.rebuild, None, built, api_name="rebuild", **index_queue)
        self.news_in.wire(page, a.news_in, built, index_queue)
        page.load(self.on_load, None, built, api_visibility="private")
