"""The acts a news sentence tells of (its verbs), read by rule with no tagger.

Two sentences can share their subject, object and figure and still state different facts
("The factory employs 3,000 people" / "The factory's 3,000 workers went on strike"). So
agreement needs the same act as well: `other_acts(a, b)` is true when each sentence tells of
an act that the other does not name.

An act is a word read as a verb from its form and its neighbours:
- a past tense: a word in -ed (not after a number or determiner: "two forced fumbles"), or a
  common irregular one ("met", "went", "sold"), read as its
  base form ("spent" is "spend");
- the word after a modal ("will cut", "could close") or after a verb of intent and "to"
  ("plans to cut": the intent itself is no act, so "would cut" and "plans to cut" agree);
- a present tense in -s between a lower-case subject word and its object, which opens with a
  determiner, a number or "to" ("the factory employs 3,000", "the union represents the
  nurses", "the company plans to");
- a fate of the people a figure counts ("killed", "arrested", "cut", see words.py);
- "has" / "have" / "had" before an object ("the charity has 600 volunteers"), not before a
  participle ("has left").

Acts are compared as word classes ("fell" / "dropped", "killed" / "died"); an act counts as
named by the other sentence when its class is among the other's words in any role ("was
announced" / "announced"). Words of saying ("said", "reported") are no act of the fact.
"""

from __future__ import annotations

import re

from index.text import NEWS_TOKEN, STOPWORDS, news_tokens, stem

from .figures import is_number_word
from .words import fate_of, same_thing

# common irregular past tenses of news, with their base form (regular ones end in -ed)
_IRREGULAR = dict(pair.split("=") for pair in """met=meet won=win lost=lose took=take made=make gave=give went=go
came=come left=leave held=hold led=lead sold=sell bought=buy saw=see began=begin fell=fall rose=rise ran=run hit=hit
struck=strike fled=flee kept=keep sent=send paid=pay spent=spend shot=shoot fought=fight broke=break built=build
chose=choose drove=drive flew=fly grew=grow knew=know sank=sink sat=sit sought=seek spoke=speak stood=stand
stole=steal threw=throw tore=tear wrote=write drew=draw found=find brought=bring caught=catch felt=feel put=put
froze=freeze rode=ride hid=hide shook=shake withdrew=withdraw overtook=overtake beat=beat bore=bear lay=lie
swore=swear wore=wear woke=wake bit=bite dug=dig fed=feed hung=hang lent=lend meant=mean slid=slide spun=spin
stuck=stick swept=sweep shrank=shrink swung=swing
taught=teach thought=think understood=understand""".split())
_MODALS = frozenset("will would could can may might must should shall did does do".split())
# verbs of intent before "to": the act is the verb after them ("plans to cut")
_INTENT = frozenset(stem(w) for w in """plan plans planned expect expects expected aim aims aimed intend intends
intended seek seeks sought hope hopes hoped want wants wanted set due likely""".split())
# words after a present tense in -s that show it takes an object: a determiner, a number, "to"
_OBJECT_START = frozenset("the a an its his her their our this that these those to no more about some all".split())
_SAYING = frozenset(stem(w) for w in """said says say told tell stated states state claimed claims claim reported
reports report announced announces confirmed confirms added adds acknowledged suggested suggests according
quoted""".split())
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(rf"{NEWS_TOKEN.pattern}|[,;:()\[\]—–\"“”]")
_HAVE = frozenset({"has", "have", "had"})
_DETERMINERS = frozenset("a an the its his her their our this that these those".split())


def base(word: str) -> str:
    """A word's stem, irregular past tenses as their base form ("spent" as "spend")."""
    return stem(_IRREGULAR.get(word, word))


def _tokens(text: str) -> list[str]:
    """The words of a sentence with their case, and its commas and brackets as tokens of their
    own: "tackles, 2½ sacks" is a list, not "tackles 2½"."""
    return _TOKEN.findall(text)


def acts(text: str) -> set[str]:
    """The acts of a sentence as word classes."""
    tokens = _tokens(text)
    lower = [t.lower().replace("’", "'") for t in tokens]
    found: set[str] = set()
    for i, word in enumerate(lower):
        after = lower[i + 1] if i + 1 < len(lower) else ""
        if word in _HAVE and _opens_object(after):
            found.add("have")  # "the charity has 600 volunteers": owning is an act; "has left" is not
        if word in STOPWORDS or not word.isalpha() and "'" not in word:
            continue
        before = lower[i - 1] if i else ""
        if _is_act(word, tokens[i], before, lower[i - 2] if i > 1 else "", after):
            found.add(word)
    return {same_thing(base(w)) for w in found} - {same_thing(s) for s in _SAYING} - _INTENT


def _is_act(word: str, token: str, before: str, two_before: str, after: str) -> bool:
    if word in _IRREGULAR or fate_of(stem(word)):
        return True
    if word.endswith("ed") and len(word) > 4:
        # not "Mohammed", nor an adjective after a number or determiner ("two forced fumbles")
        return token.islower() and before not in _DETERMINERS and not _DIGIT.match(before) \
            and not is_number_word(before)
    if before in _MODALS or before == "to" and stem(two_before) in _INTENT:
        return token.islower()
    return (word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")) and len(word) > 3
            and token.islower() and before.isalpha() and before not in STOPWORDS and not is_number_word(before)
            and _opens_object(after))


def _opens_object(word: str) -> bool:
    return word in _OBJECT_START or bool(_DIGIT.match(word)) or is_number_word(word)


def named(text: str) -> set[str]:
    """Every word of a sentence as a word class, irregular past tenses as their base form: what
    an act of the other sentence is looked for in."""
    return {same_thing(base(w[:-2] if w.endswith("'s") else w)) for w in news_tokens(text) if w not in STOPWORDS}


def other_acts(a: str, b: str) -> bool:
    """Each sentence tells of an act that the other does not name."""
    acts_a, acts_b = acts(a), acts(b)
    return bool(acts_a - named(b)) and bool(acts_b - named(a))
