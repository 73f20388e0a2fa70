"""Prompt templates as files, so they can be read and changed without touching code.

A template file holds the system message, a line `---`, then the human message, with
`{placeholders}` filled at run time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEPARATOR = "\n---\n"


@cache
def load_prompt(name: str):
    """The chat prompt template stored in `prompts/<name>.txt`."""
    from langchain_core.prompts import ChatPromptTemplate

    path = HERE / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    if SEPARATOR not in text:
        raise ValueError(f"{path.name}: expected the system message, a line '---', then the human message")
    system, human = text.split(SEPARATOR, 1)
    return ChatPromptTemplate.from_messages([("system", system.strip()), ("human", human.strip())])
