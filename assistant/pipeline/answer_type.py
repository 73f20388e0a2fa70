"""What a question asks for, and whether a sentence holds something of that kind.

`expected_type("Who designed the Tyne Bridge?")` is PERSON; `holds("...", question, PERSON)`
is whether the sentence names someone the question does not already name. Rules, not a
model: question words and the head noun after "what" / "which" give the type; capitalised
names, dates, figures and time spans are found by pattern. The checks answer "could this
sentence answer the question at all?", not "is this the answer": a "how many" question
answered by a sentence with no figure, a "when" with no date, a "who" that names nobody new.
"""

from __future__ import annotations

import re
from enum import StrEnum


class AnswerType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    DATE = "date"  # a date or time
    NUMBER = "number"  # a number, amount or percentage
    DURATION = "duration"
    REASON = "reason"
    DEFINITION = "definition"
    YES_NO = "yes/no"
    OTHER = "other"  # "what did X say", "how did X work": nothing to check


# types whose presence in a sentence can be checked by pattern
CHECKABLE = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE, AnswerType.DATE,
                       AnswerType.NUMBER, AnswerType.DURATION, AnswerType.REASON})

_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
_WH = ("who", "whom", "whose", "what", "which", "when", "where", "why", "how")
_AUX = frozenset("""is are was were do does did can could has have had will would should may might must shall
""".split())
# words that end the noun phrase after "what" / "which" (a verb, an auxiliary, a preposition)
_PHRASE_END = _AUX | frozenset("""of in on at for to from by with about as that than during after before into
under over between among per 's""".split())

_DATE_NOUNS = frozenset("""year years date dates day days month months century centuries decade decades time era
season week weekday birthday anniversary""".split())
_NUMBER_NOUNS = frozenset("""percentage percent proportion share fraction number numbers amount amounts size
population cost costs price prices temperature distance length height weight age speed rate score total sum
figure figures value budget salary revenue capacity depth width area attendance crowd""".split())
# capitalised words that name a role, not its holder: "The mayor of Warsaw is called President."
_TITLES = frozenset("""president vice prime minister chancellor king queen prince princess duke emperor pope
mayor governor senator secretary general director chairman chief executive officer commissioner premier
archbishop bishop saint st lord lady sir professor judge justice ambassador envoy adviser advisor spokesperson
spokesman spokeswoman""".split())
_PLACE_NOUNS = frozenset("""city cities country countries state states region regions place places location
locations town towns county counties continent island islands river rivers sea ocean nation nations province
village villages street port site mountain mountains lake district neighbourhood neighborhood capital
borough suburb territory land kingdom colony coast valley desert peninsula""".split())
_ORG_NOUNS = frozenset("""team teams company companies organisation organization organisations organizations
group groups party parties club clubs university universities newspaper newspapers network networks band
agency agencies institution institutions firm firms court body bodies channel channels broadcaster league
school schools college colleges museum bank banks government army navy council committee corporation
manufacturer publisher airline station""".split())
_PERSON_NOUNS = frozenset("""person people man men woman women king kings queen queens president presidents
leader leaders scientist scientists author authors writer writers player players quarterback emperor pope
monk priest bishop general minister ministers chancellor duke prince princess mayor founder founders inventor
engineer architect physicist chemist historian philosopher composer artist painter poet actor actress singer
coach owner chairman director explorer astronaut commander ruler son daughter father mother brother sister
wife husband individual individuals theologian mathematician geologist researcher researchers economist""".split())

# capitalised only: "may" and "march" are verbs far more often than months
_MONTHS = ("(?-i:January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)")
_DATE = re.compile(
    rf"\b(?:1\d{{3}}|20\d{{2}})s?\b|\b(?:\d{{1,2}}\s+)?(?:{_MONTHS})\b\.?(?:\s+\d{{1,2}}\b)?|"
    r"\b\d{1,2}(?:st|nd|rd|th)\s+(?:century|centuries|millennium)\b|"
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty-first)\s+century\b|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d+\s*(?:BC|AD|"
    r"BCE|CE|Mya)\b|\b\d{1,2}:\d{2}\b|\b(?:\d+|one|two|three|four|five|ten|twenty|hundred|thousand|million)\s+"
    r"(?:\w+\s+)?(?:years?|days?|centuries)\s+ago\b", re.IGNORECASE)
# "one" is left out: far more often a pronoun ("one of them") than a count
_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                 "hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|"
                 "half|third|thirds|quarter|quarters|twice|double|triple")
_YEAR = re.compile(r"^(?:1\d{3}|20\d{2})s?$")
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b|%|\bper\s?cent\b", re.IGNORECASE)
_TIME_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century|millenni(?:a|um))"
_DURATION = re.compile(
    rf"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    rf"forty|fifty|hundred|several|few|many|some|half|a\s+half)(?:[\s-]+\w+)?[\s-]+{_TIME_UNIT}\b|"
    r"\b(?:1\d{3}|20\d{2})\s*(?:–|-|—|to|until|and)\s*(?:1\d{3}|20\d{2}|\d{2})\b|\b(?:decades|centuries|years)\b",
    re.IGNORECASE)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|result(?:ed|s)? (?:in|from)|so that|in order|led to|leads to|"
    r"lead to|caus(?:e|ed|es|ing)|reasons?|thanks to|for fear|therefore|thus|hence|since|motivat\w*|aim(?:ed)? to|"
    r"intended to|to (?:avoid|prevent|protect|ensure|reduce|increase|allow|enable|make|keep|provide|improve)|"
    r"so as to|meant to|purpose|why)\b", re.IGNORECASE)
# capitalised words that are not names: sentence openers and words capitalised for other reasons
_NOT_NAMES = frozenset("""a an the this that these those it its he she they we i his her their our in on at
for from by with of to as after before during when while although though however but and or if since
following according also many some most several one two there here what which who where why how unlike
despite because until once each both all other another such no not yes today yesterday mr mrs ms dr
monday tuesday wednesday thursday friday saturday sunday january february march april june july august
september october november december""".split())
_PLACE_PREPOSITIONS = frozenset("in at from near into across to towards toward throughout".split())
_PLACE_OR_ORG_WORDS = frozenset("""river mountain mountains lake street road county city state states kingdom
republic island islands sea ocean valley bay park square bridge castle palace church cathedral abbey hall
university college school institute museum gallery library company corporation inc ltd plc bank party club
united fc council committee court parliament assembly union league association society agency department
ministry army navy force forces airport station railway stadium theatre hotel tower house empire province
district region north south east west northern southern eastern western central new great post times news
journal herald tribune telegraph gazette sports media broadcasting television radio network channel group""".split())
_COMPASS = ("north", "south", "east", "west")
_NATIONALITY_ENDINGS = ("ish", "ese", "ian", "ans", "ean", "ic", "ine")
_NAME = re.compile(r"(?<![\w'’])[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.&-]*", re.UNICODE)


def expected_type(question: str) -> AnswerType:
    """The kind of thing the question asks for (OTHER when it cannot tell)."""
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return AnswerType.OTHER
    at = next((i for i, w in enumerate(words) if w in _WH), None)
    if at is None:
        return AnswerType.YES_NO if words[0] in _AUX else AnswerType.OTHER
    wh, rest = words[at], words[at + 1:]
    if wh in ("who", "whom", "whose"):
        return AnswerType.PERSON
    if wh == "when":
        return AnswerType.DATE
    if wh == "where":
        return AnswerType.PLACE
    if wh == "why":
        return AnswerType.REASON
    if wh == "how":
        return _how(rest)
    return _what(rest, question)


def _how(rest: list[str]) -> AnswerType:
    following = rest[0] if rest else ""
    if following in ("many", "much", "old", "far", "tall", "high", "big", "large", "fast", "deep", "wide",
                     "heavy", "hot", "cold", "small", "expensive", "often"):
        return AnswerType.NUMBER if following != "often" else AnswerType.OTHER
    if following == "long":
        return AnswerType.DURATION
    return AnswerType.OTHER


def _what(rest: list[str], question: str) -> AnswerType:
    """'what' / 'which': the head noun of the phrase that follows, or a definition."""
    phrase = []
    for word in rest:
        if word in _PHRASE_END:
            break
        phrase.append(word)
    if not phrase and rest and rest[0] in ("is", "are", "was", "were"):
        phrase = _noun_phrase(rest[1:])  # "what is the population of ...": the population
        if not phrase:
            return AnswerType.OTHER
        if len(rest) <= 4 and _noun_type(phrase[-1]) is None:
            return AnswerType.DEFINITION  # "what is a ctenophore?"
    for head in reversed(phrase):
        found = _noun_type(head)
        if found is not None:
            return found
    if phrase and phrase[0] in ("kind", "type", "sort"):
        return AnswerType.OTHER
    if re.search(r"\bwhat\s+(?:does|do|did)\b.*\bmean\??\s*$", question, re.IGNORECASE):
        return AnswerType.DEFINITION
    return AnswerType.OTHER


def _noun_phrase(words: list[str]) -> list[str]:
    """The words of a noun phrase up to a preposition or verb, without its determiners."""
    phrase = []
    for word in words:
        if word in _PHRASE_END:
            break
        if word not in ("the", "a", "an") and not word.endswith(("'s", "’s")):
            phrase.append(word)
    return phrase


def _noun_type(word: str) -> AnswerType | None:
    if word in _DATE_NOUNS:
        return AnswerType.DATE
    if word in _NUMBER_NOUNS:
        return AnswerType.NUMBER
    if word in _PLACE_NOUNS:
        return AnswerType.PLACE
    if word in _ORG_NOUNS:
        return AnswerType.ORGANISATION
    if word in _PERSON_NOUNS:
        return AnswerType.PERSON
    return None


def holds(sentence: str, question: str, wanted: AnswerType) -> bool | None:
    """Whether the sentence holds something of the wanted type that the question does not
    already name; None for types that cannot be checked by pattern (any sentence may do)."""
    if wanted not in CHECKABLE:
        return None
    return bool(candidates(sentence, question, wanted))


def candidates(sentence: str, question: str, wanted: AnswerType) -> list[str]:
    """The phrases of the wanted type in the sentence that the question does not name, in order."""
    asked = question.lower()
    if wanted is AnswerType.PERSON:
        return [n for n in people(sentence) if not _named(n, asked)]
    if wanted in (AnswerType.ORGANISATION, AnswerType.PLACE):
        return [n for n in names(sentence) if not _named(n, asked)]
    pattern = {AnswerType.DATE: _DATE, AnswerType.NUMBER: _NUMBER, AnswerType.DURATION: _DURATION,
               AnswerType.REASON: _REASON}.get(wanted)
    if pattern is None:
        return []
    found = [m.group(0) for m in pattern.finditer(sentence)]
    if wanted is AnswerType.REASON:
        return found
    if wanted is AnswerType.NUMBER:
        in_dates = {n for d in _DATE.finditer(sentence) for n in re.findall(r"\d+", d.group(0))}
        # a year or the day of a date is not an amount
        figures = [f for f in dict.fromkeys(_number_phrase(sentence, m) for m in pattern.finditer(sentence))
                   if not _named(f, asked) and not _YEAR.match(f) and f not in in_dates]
        if asks_money(question):
            return [f for f in figures if _is_money(sentence, f)]
        counted = counted_noun(question)
        return [f for f in figures if _counts(sentence, f, counted)] if counted else figures
    return [f for f in found if not _named(f, asked)]


_MONEY_VERBS = re.compile(r"\bhow\s+much\b.*\b(?:cost|costs|pay|paid|pays|spend|spent|spends|price|worth|fine|fined|"
                          r"charge|charged|earn|earns|earned|salary|budget|sell|sold|raise|raised|money|funding|"
                          r"invest|invested)\b", re.IGNORECASE)
_CURRENCY_WORD = re.compile(r"^\W*(?:(?:US|U\.S\.)?\s*dollars?|pounds?|euros?|yen|francs?|marks?|guineas?|"
                            r"shillings?|rubles?|roubles?|crowns?)\b", re.IGNORECASE)


def asks_money(question: str) -> bool:
    """'How much did X pay / cost / earn ...': the answer is an amount of money."""
    return bool(_MONEY_VERBS.search(question))


def _is_money(sentence: str, figure: str) -> bool:
    at = sentence.find(figure)
    if at < 0:
        return False
    before, after = sentence[max(0, at - 4):at], sentence[at + len(figure):at + len(figure) + 25]
    return bool(re.search(r"[$£€¥]", before + figure) or _CURRENCY_WORD.match(after)
                or re.match(r"^\s*(?:million|billion|bn|m)?\s*(?:US)?\s*(?:dollars?|pounds?|euros?)", after))


def counted_noun(question: str) -> str:
    """What "how many X" counts: X's first letters (enough to match 'Huguenots' / 'Huguenot'), or ''."""
    match = re.search(r"\bhow\s+many\s+(?:more\s+|other\s+|different\s+)?([a-z][\w-]+)", question, re.IGNORECASE)
    if not match or match.group(1).lower() in _AUX:
        return ""
    return _root(match.group(1))


def _root(word: str) -> str:
    word = word.lower()
    return word[:max(4, len(word) - 3)] if len(word) > 5 else word.rstrip("s")


def _counts(sentence: str, figure: str, counted: str) -> bool:
    """Whether the figure stands within a few words of what is counted ('267 homes', 'homes: 267')."""
    words = [w.lower() for w in _WORD.findall(sentence)]
    roots = [_root(w) for w in words]
    first = _WORD.findall(figure.lower())
    if not first:
        return False
    for i, word in enumerate(words):
        if word == first[0] or word.startswith(first[0]):
            window = roots[max(0, i - 4):i + len(first) + 4]
            if any(r.startswith(counted) or counted.startswith(r) and len(r) >= 4 for r in window):
                return True
    return False


def _number_phrase(sentence: str, match: re.Match) -> str:
    """The whole figure around a match: '95,000', '20%', 'two million'."""
    start, end = match.span()
    while start > 0 and (sentence[start - 1].isalnum() or sentence[start - 1] in ",.$£€"):
        start -= 1
    while end < len(sentence) and (sentence[end].isalnum() or sentence[end] in ",.%"):
        end += 1
    return sentence[start:end].strip(",. ")


def _named(phrase: str, asked: str) -> bool:
    """Whether the question already names this phrase (every word of it)."""
    words = [re.sub(r"['’]s$", "", w.lower()) for w in _WORD.findall(phrase)]
    return bool(words) and all(re.search(rf"(?<!\w){re.escape(w)}", asked) for w in words)


def names(sentence: str) -> list[str]:
    """Capitalised words and runs of them ('Steve Witkoff', 'NASA'), without sentence openers and
    other words capitalised only by position."""
    return [name for name, _ in _name_spans(sentence)]


def _name_spans(sentence: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    run: list[str] = []
    run_start, previous_end = 0, -2
    for match in _NAME.finditer(sentence):
        word = match.group(0).rstrip(".")
        if word.lower() in _NOT_NAMES or word.lower() in _TITLES or word.lower().endswith("ly") or (
                match.start() == _first_word_start(sentence) and _common_opener(word, sentence[match.end():])):
            if run:
                found.append((" ".join(run), run_start))
            run, previous_end = [], -2
            continue
        if run and sentence[previous_end:match.start()].strip() in ("", "of", "de", "von", "van", "the", "and"):
            run.append(word)
        else:
            if run:
                found.append((" ".join(run), run_start))
            run, run_start = [word], match.start()
        previous_end = match.end()
    if run:
        found.append((" ".join(run), run_start))
    return found


def people(sentence: str) -> list[str]:
    """The names that may be people's: not after "in" / "at" / "from" (a place), without the words
    of places and organisations, and not a single word of nationality ("Irish", "Genoese")."""
    found = []
    for name, start in _name_spans(sentence):
        before = sentence[max(0, start - 16):start].lower().split()
        words = name.split()
        if before and (before[-1] in _PLACE_PREPOSITIONS or before[-2:-1] and before[-1] == "of"
                       and before[-2].startswith(_COMPASS)):
            continue  # "in Tyne and Wear", "south of Edinburgh"
        if any(w.lower().strip("'’s") in _PLACE_OR_ORG_WORDS for w in words):
            continue
        if len(words) == 1 and (words[0].isupper() or words[0].lower().endswith(_NATIONALITY_ENDINGS)):
            continue  # "NASA", "CBS" are organisations; "Irish", "Chinese" are adjectives
        found.append(name)
    return found


def _first_word_start(sentence: str) -> int:
    match = re.search(r"\w", sentence)
    return match.start() if match else 0


def _common_opener(word: str, after: str) -> bool:
    """A sentence's first word that is probably an ordinary word: a name is rarely one of these
    shapes, and rarely stands alone before a comma or colon ("Correction, March 15: ...")."""
    lower = word.lower()
    return lower.endswith(("ing", "ly", "ed")) or lower in _NOT_NAMES or after[:1] in (",", ":", ";")

