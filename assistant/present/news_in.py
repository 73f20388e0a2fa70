"""The Articles tab's "Add from URL" and "Feeds" sections: fetch pages and follow feeds
from the page, with progress; what was saved is indexed through the page's own build.

Fetched HTML is never shown: pages become article files (index.web) and only their
extracted text reaches the page, escaped like any article. Every URL that fails is listed
with its reason in the index report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from index.errors import AssistantError
from index.feeds import UpdateReport, add_feed, list_feeds, remove_feed, update_feeds
from index.fetch import iter_urls
from index.web import add_urls

from .render import markdown_text

if TYPE_CHECKING:
    from .page import ChatPage

FEED_HEADERS = ["Title", "URL", "Last checked", "Items", "Last error"]


@dataclass
class NewsInControls:
    urls: gr.Textbox
    add: gr.Button
    feed_url: gr.Textbox
    follow: gr.Button
    unfollow: gr.Button
    update: gr.Button
    feeds: gr.Dataframe


class NewsIn:
    """Handlers and layout of the two sections, for one ChatPage (its settings and builds)."""

    def __init__(self, page: ChatPage):
        self.page = page
        self.settings = page.settings

    # -- handlers --------------------------------------------------------------------
    def add_pages(self, text: str, progress=gr.Progress()) -> tuple:
        urls = list(iter_urls([text or ""]))
        if not urls:
            return (*self.page.page_state("- enter one or more URLs (http:// or https://), one a line"), text)
        progress((0, len(urls)), desc="Fetching", unit="pages")
        report = add_urls(urls, settings=self.settings, index=False,
                          progress=lambda done, total, url: progress((done, total), desc=f"Fetched {url}",
                                                                      unit="pages"))
        saved = [f"{rel} (updated)" for rel in report.updated] + list(report.added)
        saved += [f"{rel} (unchanged)" for rel in report.unchanged]
        failed = [f"{f.url}: {f.reason}" for f in report.failed]
        return (*self.page.run_build(False, progress, tuple(saved), tuple(failed)),
                "\n".join(f.url for f in report.failed))  # what failed stays in the box, to fix or retry

    def follow(self, url: str, progress=gr.Progress()) -> tuple:
        url = (url or "").strip()
        if not url:
            return (*self.page.page_state("- enter the URL of an RSS, Atom or JSON feed"), self.feed_rows(), url)
        progress(0, desc=f"Reading {url}")
        try:
            add_feed(url, self.settings)
        except AssistantError as error:
            return (*self.page.page_state(f"- feed not added: {markdown_text(str(error))}"), self.feed_rows(), url)
        return (*self._update(progress, only=[url]), self.feed_rows(), "")

    def unfollow(self, url: str) -> tuple:
        try:
            feed = remove_feed((url or "").strip(), self.settings)
            line = f"- no longer following {feed.url} (its saved articles stay)"
        except AssistantError as error:  # FeedError is one
            line = f"- {error}"
        return (*self.page.page_state(markdown_text(line)), self.feed_rows(), "")

    def update_now(self, progress=gr.Progress()) -> tuple:
        return (*self._update(progress, only=None), self.feed_rows())

    def _update(self, progress, *, only: list[str] | None) -> tuple:
        progress(0, desc="Reading the feeds")
        try:
            report = update_feeds(self.settings, only=only, index=False,
                                  progress=lambda done, total, what: progress((done, total), desc=what[:80],
                                                                              unit="items"))
        except AssistantError as error:
            return self.page.page_state(f"- feeds not updated: {markdown_text(str(error))}")
        saved, failed = _update_lines(report)
        return self.page.run_build(False, progress, tuple(saved), tuple(failed))

    def feed_rows(self) -> list[list]:
        try:
            feeds = list_feeds(self.settings)
        except AssistantError:
            return []
        return [[f.title, f.url, f.last_checked.replace("T", " ")[:16], f.items_seen, f.last_error or ""]
                for f in feeds]

    # -- layout ----------------------------------------------------------------------
    def layout(self) -> NewsInControls:
        every = f" They are also checked every {self.settings.feeds_every}." if self.settings.feeds_every else ""
        with gr.Accordion("Add from URL", open=False, elem_id="add-url"):
            urls = gr.Textbox(label="Web pages", lines=3, elem_id="url-input",
                              placeholder="https://... (one or several, one a line)")
            add = gr.Button("Fetch and add", elem_id="url-add")
        with gr.Accordion("Feeds", open=False, elem_id="feeds"):
            gr.Markdown("Follow RSS, Atom or JSON feeds: new and changed items are fetched and indexed." + every)
            feed_url = gr.Textbox(label="Feed URL", elem_id="feed-url", placeholder="https://.../rss.xml")
            with gr.Row():
                follow = gr.Button("Follow", elem_id="feed-follow")
                unfollow = gr.Button("Stop following", elem_id="feed-unfollow")
                update = gr.Button("Update now", elem_id="feeds-update")
            feeds = gr.Dataframe(headers=FEED_HEADERS, datatype=["str", "str", "str", "number", "str"],
                                 interactive=False, wrap=True, label="Followed feeds", elem_id="feeds-table")
        return NewsInControls(urls, add, feed_url, follow, unfollow, update, feeds)

    def wire(self, page: gr.Blocks, c: NewsInControls, built: list, queue: dict[str, Any]) -> None:
        """`built`: what every index change refreshes; `queue`: the page's one-build-at-a-time limit."""
        c.add.click(self.add_pages, c.urls, built + [c.urls], api_visibility="private", **queue)
        c.follow.click(self.follow, c.feed_url, built + [c.feeds, c.feed_url], api_visibility="private", **queue)
        c.unfollow.click(self.unfollow, c.feed_url, built + [c.feeds, c.feed_url], api_visibility="private",
                         **queue)
        c.update.click(self.update_now, None, built + [c.feeds], api_name="update_feeds", **queue)
        page.load(self.feed_rows, None, c.feeds, api_visibility="private")


def _update_lines(report: UpdateReport) -> tuple[list[str], list[str]]:
    """(lines for what came in, lines for what did not) of a feed update."""
    saved = [f"from {f.url}: {f.new} new, {f.updated} updated" for f in report.feeds if not f.error]
    failed = [f"{f.url}: {f.error}" for f in report.feeds if f.error]
    failed += [f"{item.url}: {item.reason}" for f in report.feeds for item in f.failed]
    return saved, failed
