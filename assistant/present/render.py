"""Answers as chat Markdown and citation cards as HTML, for the chat page.

Everything that comes from an article (text, title, outlet, URL) or a user is escaped
before any markup is added; the only markup is ours: citation links, `<mark>` around the
cited sentences, and links to http(s) URLs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from ..answers import Answer, Citation

WHOLE_ARTICLE_CHARS = 200_000  # longer articles show this much around the cited sentences
NO_SOURCES = "<p class='empty'>No sources for this answer.</p>"
_MARKER = re.compile(r"(\[\d+\])")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]()!|~#$])")
_LIST_START = re.compile(r"^(\s*)([-+=])", re.MULTILINE)  # would start a list or underline a heading
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)  # would start a numbered list


def markdown_text(text: str) -> str:
    """`text` shown literally by a Markdown renderer that also accepts HTML."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text)
    escaped = _NUMBER_START.sub(r"\1\\\2", _LIST_START.sub(r"\1\\\2", escaped))
    return html.escape(escaped, quote=False)


def card_id(key: str | int, number: int) -> str:
    return f"cite-{key}-{number}"


def answer_markdown(answer: Answer, key: str | int) -> str:
    """The answer for the chat: its text with each [n] a link to card n of this answer; a
    timeline as a list of dated points."""
    numbers = {c.number for c in answer.citations}
    if answer.timeline:
        lines = answer.text.split("\n")
        points = [f"- **{markdown_text(p.label)}** · {_linked(f'{p.text} [{p.number}]', numbers, key)}"
                  for p in answer.timeline]
        rest = [_linked(line, numbers, key) for line in lines[len(answer.timeline):] if line.strip()]
        text = "\n".join(points) + ("\n\n" + " ".join(rest) if rest else "")
    elif answer.stories:
        text = stories_markdown(answer, numbers, key)
    else:
        text = _linked(answer.text, numbers, key)
    if answer.notice:
        text += "\n\n*" + markdown_text(answer.notice) + "*"
    return text


def stories_markdown(answer: Answer, numbers: set[int], key: str | int) -> str:
    """A briefing for the chat: one section per story (its headline as a heading, then what its
    articles are, then its cited sentences), and what the text says after the sections."""
    sections = []
    for story in answer.stories:
        about = [f"{len(story.article_ids)} article{'s' if len(story.article_ids) != 1 else ''}"]
        if story.outlets:
            about.append(", ".join(story.outlets))
        if story.first:
            about.append(story.first if story.first == story.last else f"{story.first} to {story.last}")
        body = "  \n".join(_linked(line, numbers, key) for line in story.text.split("\n") if line.strip())
        sections.append(f"#### {markdown_text(story.headline)}\n*{markdown_text(' · '.join(about))}*\n\n{body}")
    last = answer.stories[-1].text if answer.stories else ""
    rest = answer.text.split(last, 1)[1].strip() if last and last in answer.text else ""
    return "\n\n".join(sections) + (f"\n\n{_linked(rest, numbers, key)}" if rest else "")


def _linked(text: str, numbers: set[int], key: str | int) -> str:
    out = []
    for part in _MARKER.split(text):
        number = int(part[1:-1]) if _MARKER.fullmatch(part) else None
        if number in numbers:
            out.append(f"[\\[{number}\\]](#{card_id(key, number)})")
        elif part:
            out.append(markdown_text(part))
    return "".join(out)


def timeline_html(answer: Answer, key: str | int) -> str:
    """The timeline of a timeline answer: dated points down a line, each linked to its card."""
    if not answer.timeline:
        return ""
    items = "".join(f"<li><time datetime='{html.escape(p.day, quote=True)}'>{html.escape(p.label)}</time> "
                    f"<span class='point'>{html.escape(p.text)}</span> "
                    f"<a href='#{card_id(key, p.number)}'>[{p.number}]</a></li>" for p in answer.timeline)
    return f"<ol class='timeline'>{items}</ol>"


def safe_url(url: str) -> str:
    """`url` if it is an http(s) address, else "" (javascript:, data:, file: never become links)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""


def highlight(text: str, spans: Sequence[tuple[int, int]], offset: int = 0) -> str:
    """`text` escaped, with each span (offsets into the article, `text` starting at `offset`)
    inside <mark>."""
    out, position = [], 0
    for start, end in sorted(set(spans)):
        start, end = max(start - offset, position), min(end - offset, len(text))
        if end <= start:
            continue
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


@dataclass(frozen=True)
class Turn:
    """One answered question as the sources panel shows it."""
    key: str
    question: str
    answer: Answer
    cards: str  # HTML


def citation_cards(answer: Answer, key: str | int, article_texts: Mapping[str, str]) -> str:
    """One card per citation: number, title (linked if http), outlet, date, score, the passage
    with the cited sentences marked, and the whole article with every sentence this answer
    cites from it marked."""
    if not answer.citations:
        return ""
    by_article: dict[str, list[tuple[int, int]]] = {}
    for c in answer.citations:
        by_article.setdefault(c.article_id, []).extend(c.highlights)
    heading = ("<p class='abstained'>Not found in the articles. Possibly related:</p>"
               if answer.abstained else timeline_html(answer, key))
    cards = [_card(c, key, article_texts.get(c.article_id), by_article[c.article_id]) for c in answer.citations]
    return heading + "".join(cards)


def _card(c: Citation, key: str | int, article: str | None, article_spans: list[tuple[int, int]]) -> str:
    title = html.escape(c.title or c.article_id)
    url = safe_url(c.url)
    if url:
        title = f"<a href='{html.escape(url, quote=True)}' target='_blank' rel='noopener noreferrer nofollow'>{title}</a>"
    meta = [html.escape(c.source) if c.source else "outlet unknown",
            html.escape(c.published[:10]) if c.published else "date unknown",
            f"score {c.score:.2f}", f"<code>{html.escape(c.article_id)}</code>"]
    if c.url and not url:
        meta.append(f"link not opened: <code>{html.escape(c.url[:200])}</code>")
    if c.also_reported_by:
        meta.append(f"<span class='also'>also reported by {html.escape(', '.join(c.also_reported_by))}</span>")
    passage = highlight(c.passage, c.highlights, offset=c.start)
    whole = ""
    if article is not None and article[c.start:c.end] == c.passage:  # else the article changed since
        shown, offset, cut_before, cut_after = _window(article, article_spans)
        whole = ("<details class='whole'><summary>Whole article</summary><div class='article-text'>"
                 + ("… " if cut_before else "") + highlight(shown, article_spans, offset)
                 + (" …" if cut_after else "") + "</div></details>")
    return (f"<article class='card' id='{card_id(key, c.number)}' data-number='{c.number}'>"
            f"<header><span class='num'>[{c.number}]</span> <span class='title'>{title}</span></header>"
            f"<div class='meta'>{' · '.join(meta)}</div>"
            f"<blockquote class='passage'>{passage}</blockquote>{whole}</article>")


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, int, bool, bool]:
    if len(text) <= WHOLE_ARTICLE_CHARS or not spans:
        return text, 0, False, False
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    margin = max((WHOLE_ARTICLE_CHARS - (last - first)) // 2, 2000)
    start, end = max(0, first - margin), min(len(text), last + margin)
    return text[start:end], start, start > 0, end < len(text)


def sources_panel(turns: Sequence[Turn]) -> str:
    """The latest answer's cards on top; earlier answers' cards folded below (their [n] links
    still lead to them)."""
    if not turns:
        return "<p class='empty'>Sources appear here with every answer.</p>"
    latest, earlier = turns[-1], list(reversed(turns[:-1]))
    parts = [f"<section class='turn latest'>{latest.cards or NO_SOURCES}</section>"]
    for turn in earlier:
        parts.append(f"<details class='turn earlier'><summary>Earlier: {html.escape(turn.question[:120])}</summary>"
                     f"{turn.cards or NO_SOURCES}</details>")
    return "".join(parts)
