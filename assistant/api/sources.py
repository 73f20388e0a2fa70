"""An Answer as one chat message: its text with the [n] markers, then a Sources list, for
clients that show only text (chat front-ends, agents). And back: a message of ours sent again
as history is reduced to the answer text, so a conversation continued through a door is
answered exactly as `answer()` answers it."""

from __future__ import annotations

import re
from dataclasses import asdict

from index.textview import normalised

from ..answers import Answer, Citation

SOURCES = "Sources:"
POSSIBLY_RELATED = "Possibly related:"
NOTE = "Note: "
# where the answer text ends in a message we wrote (what follows is the note and the sources)
_TAIL = re.compile(rf"\n\n(?:{re.escape(NOTE)}|{re.escape(SOURCES)}\n|{re.escape(POSSIBLY_RELATED)}\n)")


def cited_sentences(citation: Citation) -> list[str]:
    """The sentences a citation cites, cut from its passage at their offsets, as shown: in their
    normalised view (no zero-width characters, soft hyphens or bidi marks; see docs/offsets.md)."""
    return [normalised(citation.passage[start - citation.start:end - citation.start]).strip()
            for start, end in citation.highlights]


def source_line(citation: Citation) -> str:
    meta = ", ".join(part for part in (citation.source, citation.published[:10]) if part)
    where = citation.url or f"article {citation.article_id}"
    line = f"- [{citation.number}] {citation.title or citation.article_id}" + (f" — {meta}" if meta else "")
    line += f" — {where}"
    if citation.also_reported_by:
        line += f" (also reported by {', '.join(citation.also_reported_by)})"
    return "\n".join([line] + [f"  > {' '.join(s.split())}" for s in cited_sentences(citation) if s])


def citation_dicts(answer: Answer) -> list[dict]:
    """The structured citations, as in `Answer.as_dict()["citations"]` (what every door sends beside the text)."""
    return [asdict(c) for c in answer.citations]


def message_text(answer: Answer) -> str:
    """The answer text, its notice, then one line per source with the cited sentences quoted."""
    text = answer.text
    if answer.notice:
        text += f"\n\n{NOTE}{answer.notice}"
    if answer.citations:
        heading = POSSIBLY_RELATED if answer.abstained else SOURCES
        text += f"\n\n{heading}\n" + "\n".join(source_line(c) for c in answer.citations)
    return text


def answer_text(message: str) -> str:
    """The answer text of a message `message_text` wrote (any other message is returned as is)."""
    found = _TAIL.search(message)
    return message[:found.start()] if found else message
