"""Do the cited sentences agree? Checked with rules that need no LLM.

Two sentences about the same thing (they share content words, read as word classes:
"blaze" is "fire", "died" is "killed", see words.py) differ when:

- **denial**: one denies, rejects or dismisses what the other asserts ("X claimed the
  troops were surrounded" / "Y dismissed suggestions the troops are surrounded"): the
  words after the denial verb are found outside any denial in the other sentence, and
  so is what the denied clause says of its subject (the word after "are", "was"): naming
  the same troops without saying they are surrounded is not a contradiction;
- **negation**: they say nearly the same words and one is negated ("resigned" / "has
  not resigned");
- **opposites**: nearly the same words with a known pair of opposites (rose / fell,
  for / against, open / closed);
- **names**: nearly the same sentence, reworded or not, with another person, organisation,
  place, team or work in one slot ("awarded to A" / "B won", "held in A" / "held in B"):
  the words besides the two names mostly the same (names.py reads the names: titles,
  sentence-opening words, short and transliterated forms; a name that is the source,
  "Trump said", is not a fact of the sentence);
- **figures**: two figures of one quantity have different values (12 people / 15
  people, "three" / "5", "a quarter" / "half a percentage point"): same unit, the same
  thing counted ("homes" / "households", "people" / "the crowd"; not "beds" /
  "patients"), the same fate ("killed" / "died"; not "killed" / "injured"), and a word
  around them in common or each the only figure of its kind in nearly the same words;
  or the same count of the same people with fates that exclude each other ("seven
  soldiers were killed" / "seven soldiers were wounded");
  Also any figure changed in one slot of nearly the same words ("by 312 votes to 290" /
  "by 301 votes to 290", "at 8pm" / "at 10pm");
- **dates**: nearly the same words and dates that do not overlap (on Tuesday / on
  Wednesday, 2021 / 2023, next week / next month).

Figures of another event ("the first attack" / "a second attack") are not compared, and
neither are sentences that each name someone the other does not at another time or
count ("A met B on Monday" / "A met C on Tuesday"): other events, not one fact told twice.

Agreement needs positive evidence: most content words in common (or one figure of one
thing), no names of each that the other lacks, every figure of the one with fewer figures
in the other with the same fate, no other dates, something in common besides who is
speaking, not an act on each side that the other does not name ("employs 3,000" / "3,000
went on strike", acts.py), and not one word put for another in nearly the same words
("finished second" / "third"). So a differing name or figure slot is never "agree".
Measured on bench/agreement_pairs.jsonl (bench/agreement.py): see docs/news.md.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.text import STOPWORDS, news_tokens, stem

from ..answers import Agreement, Disagreement
from .acts import acts, other_acts
from .dates import WEEKDAYS, find_dates
from .figures import Figure, figures, is_number_word, token_value
from .names import CLAUSE_MARK as _CLAUSE
from .names import Name, names, same_word, unaccented, unmatched
from .words import EXCLUSIVE_FATES, KINDS_OF, same_thing, shared

NEGATIONS = frozenset({"not", "no", "never", "none", "neither", "nor", "n't", "cannot", "nobody", "nothing",
                       "longer"})
DENIALS = frozenset(stem(w) for w in """deny denied denies denying dismiss dismissed dismisses rejected reject
rejects refute refuted refutes dispute disputed disputes contradict contradicted contradicts rebuff rebuffed
baseless""".split())
OPPOSITES = [("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("risen", "fallen"), ("increase", "decrease"),
             ("increased", "decreased"), ("up", "down"), ("for", "against"), ("won", "lost"), ("win", "lose"),
             ("higher", "lower"), ("more", "fewer"), ("more", "less"), ("open", "closed"), ("opened", "closed"),
             ("stable", "critical"), ("accepted", "rejected"), ("with", "without"), ("present", "absent"),
             ("alive", "dead"), ("guilty", "innocent"), ("confirmed", "denied"), ("under control", "spreading"),
             ("gained", "lost"), ("support", "oppose"), ("supports", "opposes"), ("approved", "rejected"),
             # moves and verdicts that exclude each other, as news reports them
             ("raised", "cut"), ("raise", "cut"), ("raises", "cuts"), ("hiked", "cut"), ("convicted", "acquitted"),
             ("imposed", "lifted"), ("impose", "lift"), ("strengthened", "weakened"), ("grew", "shrank"),
             ("grow", "shrink"), ("expanded", "contracted"), ("profit", "loss"), ("surplus", "deficit"),
             ("survived", "died"), ("survived", "killed"), ("allowed", "banned"), ("legal", "illegal"),
             ("ahead", "behind"), ("above", "below"), ("majority", "minority"), ("victory", "defeat"),
             ("began", "ended"), ("started", "ended"), ("backed", "opposed"), ("supported", "opposed"),
             ("agreed", "refused"), ("accepts", "rejects"), ("approves", "rejects")]
# words that say who said what, not what was said: they do not make two sentences about the same thing
REPORTING = frozenset(stem(w) for w in """said says say told stated state claimed claim claims according
reported report reports announced confirmed added acknowledged suggested suggestions suggest officials official
spokesperson spokesman spokeswoman sources source""".split())
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.I)

SAME_TOPIC = 0.3  # share of the shorter sentence's content words the two must have in common
NEAR_SAME = 0.5  # ... for negation, opposites and dates, where the rest of the sentence must match
AGREE = 0.6
SAME_SLOT = 0.5  # Jaccard of the words besides two differing names: nearly the same sentence, reworded or not
SLOT_CONTEXT = 3  # ... and at least this many of them: "killed 40% of Egypt's population" says too little
SAME_WORDING = 0.6  # share of aligned words for two sentences to be one sentence with a changed figure


@dataclass(frozen=True)
class Relation:
    label: str  # "differ" or "agree"
    kind: str  # differ: "denial", "negation", "opposites", "names", "figures", "dates"; agree: "same claim"
    first: str  # what the first sentence says on the point (a short quote)
    second: str


@dataclass(frozen=True)
class CitedSentence:
    number: int  # the citation it belongs to
    article: str  # article (or near-duplicate group) it comes from: sentences of one are not compared
    text: str


def _words(text: str) -> list[str]:
    """Lower-case words without accents ("Erdoğan" is "erdogan", as many outlets write it)."""
    if not text.isascii():
        text = unaccented(text)
    return news_tokens(text)


def _nouns(text: str) -> list[str]:
    """The words, possessives as their noun ("the foundation's chair": "foundation")."""
    return [w[:-2] if w.endswith("'s") and len(w) > 3 else w for w in _words(text)]


def _terms(words: Sequence[str]) -> set[str]:
    """Content words as word classes ("blaze" and "fire" are one), without numbers (figures
    are compared as figures) and without the words of saying and denying."""
    stems = {stem(w) for w in words if w not in STOPWORDS and w not in NEGATIONS and not w[0].isdigit()
             and not is_number_word(w) and len(w) > 1} - REPORTING - DENIALS
    return {same_thing(t) for t in stems}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(shared(a, b)) / min(len(a), len(b)) if a and b else 0.0


def _negated(words: Sequence[str]) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words)


def _polarity(words: Sequence[str]) -> bool:
    """True when a sentence negates or denies (a denied negation counts as neither)."""
    return _negated(words) != any(stem(w) in DENIALS for w in words)


def _denial_scope(words: Sequence[str]) -> tuple[set[str], set[str], str]:
    """(terms after a denial verb, the other terms, the predicate of what is denied: the
    word after its "is / are / was / were / been", "" when it has none)."""
    inside: list[str] = []
    outside: list[str] = []
    in_scope = False
    for word in words:
        if stem(word) in DENIALS:
            in_scope = True
            continue
        (inside if in_scope else outside).append(word)
    return _terms(inside), _terms(outside), _predicate(inside)


_COPULAS = frozenset("is are was were be been being".split())


def _predicate(words: Sequence[str]) -> str:
    """What a denied clause says of its subject ("his troops are surrounded" -> "surround"),
    as a word class."""
    for i, word in enumerate(words[:-1]):
        if word in _COPULAS:
            following = [w for w in words[i + 1:i + 4] if w not in STOPWORDS and w not in NEGATIONS]
            if following:
                return same_thing(stem(following[0]))
    return ""


def _says(predicate: str, terms: set[str]) -> bool:
    """Whether `terms` say the predicate, or a kind of it ("harmed": killed, injured)."""
    return predicate in terms or bool(KINDS_OF.get(predicate, frozenset()) & terms)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]


def _quote(text: str, key: set[str], limit: int = 14) -> str:
    """The clause of `text` that holds most of the `key` terms, cut to `limit` words."""
    clauses = _clauses(text) or [text]
    best = max(clauses, key=lambda c: (len(_terms(_words(c)) & key), -len(c)))
    words = best.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def _differing_figures(a: str, b: str, topic: float) -> tuple[str, str] | None:
    """Figures of one quantity with different values: same unit, same fate (what happened to
    what they count), the same thing counted, and either a word around them in common or
    each the only figure of its kind in two sentences on one topic."""
    fa, fb = figures(a), figures(b)
    if not fa or not fb or _other_events(a, b):
        return None
    same_value = any(x.value == y.value and x.unit == y.unit for x in fa for y in fb)
    for x in fa:
        for y in fb:
            if x.unit != y.unit or x.value == y.value:
                continue
            if x.unit.startswith("score"):
                return x.text, y.text
            if x.fate != y.fate or not _same_counted(x, y):
                continue  # "30 killed" and "45 injured", "500 beds" and "50 patients": other things
            near = shared(x.context, y.context)
            only = _only(x, fa) and _only(y, fb) and topic >= NEAR_SAME
            if (near or only) and not same_value:
                return x.phrase, y.phrase
    return None


def _same_counted(x: Figure, y: Figure) -> bool:
    return not x.noun or not y.noun or bool(shared(x.noun, y.noun))


_ORDINALS = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|another|separate)\b",
                       re.I)


def _other_events(a: str, b: str) -> bool:
    """Each names its event by another ordinal ("the first attack" / "a second attack", "the
    first quarter" / "the second quarter"): their figures are of different events."""
    oa = {w.lower() for w in _ORDINALS.findall(a)}
    ob = {w.lower() for w in _ORDINALS.findall(b)}
    return bool(oa and ob and not oa & ob)


def _only(figure: Figure, found: Sequence[Figure]) -> bool:
    return sum(1 for f in found if f.unit == figure.unit) == 1


def _different_fates(a: str, b: str) -> tuple[str, str] | None:
    """The same count of the same people with fates that exclude each other ("seven soldiers
    were killed" / "seven soldiers were wounded")."""
    if _other_events(a, b):
        return None
    for x in figures(a):
        for y in figures(b):
            if x.value == y.value and x.unit == y.unit and x.fate != y.fate and {x.fate, y.fate} <= EXCLUSIVE_FATES \
                    and _same_counted(x, y) and shared(x.context - {f"={x.fate}"}, y.context - {f"={y.fate}"}):
                return x.phrase, y.phrase
    return None


def _figures_clash(a: str, b: str) -> bool:
    """Figures of one unit in both, and none of the same value: whatever they count, the
    two do not make the same claim."""
    fa, fb = figures(a), figures(b)
    pairs = [(x, y) for x in fa for y in fb if x.unit == y.unit]
    return bool(pairs) and not any(x.value == y.value for x, y in pairs)


def _differing_dates(a: str, b: str) -> tuple[str, str] | None:
    da, db = find_dates(a), find_dates(b)
    for x in da:
        for y in db:
            if x.precision == y.precision and (x.last < y.first or y.last < x.first):
                return x.text, y.text
    wa = {w.lower() for w in _WEEKDAY.findall(a)}
    wb = {w.lower() for w in _WEEKDAY.findall(b)}
    if wa and wb and not wa & wb:
        return sorted(wa)[0].capitalize(), sorted(wb)[0].capitalize()
    return None


_OPPOSITE_WORDS = frozenset(w for pair in OPPOSITES for w in pair)


def _unprefixed(word: str) -> str:
    """A word of an opposite pair without its "re-" ("reopened" is "opened": the museum reopened
    / stayed closed)."""
    return word[2:] if word.startswith("re") and word[2:] in _OPPOSITE_WORDS else word


def _opposite(wa: Sequence[str], wb: Sequence[str]) -> tuple[str, str] | None:
    wa, wb = [_unprefixed(w) for w in wa], [_unprefixed(w) for w in wb]
    ta, tb = " " + " ".join(wa) + " ", " " + " ".join(wb) + " "
    for x, y in OPPOSITES:
        for p, q in ((x, y), (y, x)):
            if f" {p} " in ta and f" {q} " in tb and f" {q} " not in ta and f" {p} " not in tb:
                return p, q
    return None


def compare(a: str, b: str) -> Relation | None:
    """How two sentences relate: they differ, they agree, or None (not about the same thing,
    or nothing checkable)."""
    wa, wb = _words(a), _words(b)
    ta, tb = _terms(wa), _terms(wb)
    topic = _overlap(ta, tb)
    common_terms = shared(ta, tb)
    if not common_terms:
        return None
    # denial: what one denies, the other says (outside any denial of its own)
    scope_a, rest_a, denied_a = _denial_scope(wa)
    scope_b, rest_b, denied_b = _denial_scope(wb)
    for scope, rest, other, denied in ((scope_a, rest_b, wb, denied_a), (scope_b, rest_a, wa, denied_b)):
        common = scope & rest
        if denied and not _says(denied, rest):
            continue  # the other names the same people or place but not what was denied of them
        if common and (len(common) >= 2 or topic >= SAME_TOPIC):
            if _negated(other) and not (scope_a and scope_b):
                break  # denying what the other negates is saying the same
            return Relation("differ", "denial", _quote(a, common), _quote(b, common))
    if topic < SAME_TOPIC:
        return None
    # a denial of what the other does not say ("surrounded" / "should surrender") gives no polarity
    polar_a = _negated(wa) if denied_a and not _says(denied_a, rest_b) else _polarity(wa)
    polar_b = _negated(wb) if denied_b and not _says(denied_b, rest_a) else _polarity(wb)
    if topic >= NEAR_SAME and polar_a != polar_b:
        return Relation("differ", "negation", _quote(a, common_terms), _quote(b, common_terms))
    if topic >= NEAR_SAME:
        opposite = _opposite(wa, wb)
        if opposite:
            return Relation("differ", "opposites", _quote(a, common_terms | {stem(opposite[0])}),
                            _quote(b, common_terms | {stem(opposite[1])}))
    named_a, named_b = names(a), names(b)
    swapped = _swapped_names(a, b, named_a, named_b)
    differing = _differing_figures(a, b, topic) or _different_fates(a, b)
    dates = _differing_dates(a, b) or _differing_times(a, b)
    if _named_apart(a, b, named_a, named_b) and (dates or _other_figures(a, b, named_a, named_b, topic)):
        return None  # other people or places at another time or count: other events, not one fact told twice
    if swapped:
        return Relation("differ", "names", *swapped)
    if differing:
        return Relation("differ", "figures", differing[0], differing[1])
    if topic >= NEAR_SAME and dates:
        return Relation("differ", "dates", dates[0], dates[1])
    slot = _slot_figures(a, b)
    if slot:
        return Relation("differ", "figures", slot[0], slot[1])
    if _figures_clash(a, b) or dates or not _same_facts(a, b, wa, wb, named_a, named_b):
        return None  # neither the same claim nor a known difference
    if _one_word_swapped(a, b):
        return None  # "finished second" / "finished third", "a profit" / "a loss": another fact in one slot
    if topic >= AGREE or _same_figure(a, b) or _same_quote(a, b):
        return Relation("agree", "same claim", _quote(a, common_terms), _quote(b, common_terms))
    return None


def _swapped_names(a: str, b: str, named_a: list[Name], named_b: list[Name]) -> tuple[str, str] | None:
    """Nearly the same sentence, reworded or not, with another name in one slot ("awarded to
    A" / "B won", "held in A" / "held in B"): (the phrase naming A, the phrase naming B).

    Names that are the source ("Trump said") are no fact of the sentence. A lone capitalised
    word opening a sentence counts only against a name the other sentence surely gives, and
    two of them ("Heavy rain" / "Torrential rain") are ordinary words."""
    only_a = [n for n in unmatched(named_a, named_b, b) if not n.speaker]
    only_b = [n for n in unmatched(named_b, named_a, a) if not n.speaker]
    opening_a = [n for n in only_a if n.initial]
    opening_b = [n for n in only_b if n.initial]
    if opening_a and opening_b:
        only_a, only_b = [n for n in only_a if not n.initial], [n for n in only_b if not n.initial]
    if not only_a or not only_b or all(n.initial for n in only_a + only_b) or len(only_a) > 2 or len(only_b) > 2:
        return None  # one slot holds a name or two ("Wembley Stadium in London"); more are other sentences
    left_out = only_a + only_b + [n for n in named_a + named_b if n.speaker]
    rest_a = _terms(_nouns(_mask(a, [n for n in left_out if n in named_a])))
    rest_b = _terms(_nouns(_mask(b, [n for n in left_out if n in named_b])))
    if not rest_a or not rest_b:
        return None
    common = shared(rest_a, rest_b)
    if not _same_slot(common, rest_a, rest_b, only_a, only_b, (a, b)):
        return None
    # the two in the most alike places of their sentences, sure names before sentence openings
    x, y = min(((x, y) for x in only_a for y in only_b),
               key=lambda p: (p[0].initial + p[1].initial, abs(p[0].start / len(a) - p[1].start / len(b))))
    return _name_quote(a, x), _name_quote(b, y)


def _same_slot(common: set[str], rest_a: set[str], rest_b: set[str], only_a: list[Name], only_b: list[Name],
               texts: tuple[str, str]) -> bool:
    """Whether the words besides the two names make them one slot of one fact: nearly the same
    sentence, or, when one sentence adds a clause of its own ("..., sending the fans into
    raptures"), the same act told of one sure name each ("the goal was scored by A" / "B scored
    the goal") with most of the shorter sentence's words."""
    if len(common) >= SLOT_CONTEXT and len(common) / len(rest_a | rest_b | common) >= SAME_SLOT:
        return True
    if len(only_a) != 1 or len(only_b) != 1 or only_a[0].initial or only_b[0].initial:
        return False
    same_act = shared(acts(texts[0]), acts(texts[1]))
    return bool(same_act) and len(common) >= SLOT_CONTEXT - 1 and _overlap(rest_a, rest_b) >= SAME_SLOT


def _mask(text: str, spans: Sequence[Name]) -> str:
    for name in spans:
        text = text[:name.start] + " " * (name.end - name.start) + text[name.end:]
    return text


def _name_quote(text: str, name: Name, before: int = 2, limit: int = 8) -> str:
    """The name with the words that give its slot: back to the second ordinary word before
    it in its clause ("awarded to the South African novelist Damon Galgut" -> "the South
    African novelist Damon Galgut"), else the words after it ("Peter Handke won the")."""
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, name.start)), default=0)
    words = text[clause_start:name.start].split()
    taken: list[str] = []
    lower = 0
    while words and lower < before and len(taken) < limit:
        word = words.pop()
        taken.insert(0, word)
        lower += word[:1].islower()
    if lower:
        return " ".join(taken + [name.text])
    following = _CLAUSE.search(text, name.end)
    after = text[name.end:following.start() if following else len(text)].split()[:before]
    return " ".join([name.text] + after).rstrip(".")


_TIMES = frozenset("""today yesterday tomorrow tonight weekend week month year morning afternoon evening night
monday tuesday wednesday thursday friday saturday sunday""".split())
# month names only with their capital: "may" and "march" are verbs too
_MONTH_NAMES = re.compile(rf"\b({'|'.join(calendar.month_name[1:])})\b")


def _differing_times(a: str, b: str) -> tuple[str, str] | None:
    """Days, times of day, weeks and months that do not meet ("next week" / "next month",
    "in May" / "in June"): the date rules read only dates they can place."""
    ta = _TIMES.intersection(_words(a)) | {m.lower() for m in _MONTH_NAMES.findall(a)}
    tb = _TIMES.intersection(_words(b)) | {m.lower() for m in _MONTH_NAMES.findall(b)}
    if ta and tb and not ta & tb:
        return sorted(ta)[0], sorted(tb)[0]
    return None


_NUMBER = re.compile(r"\d")


def _slot_figures(a: str, b: str) -> tuple[str, str] | None:
    """One sentence told twice in nearly the same words with another figure where the first
    had one ("by 312 votes to 290" / "by 301 votes to 290", "at 8pm" / "at 10pm", "aged 81" /
    "aged 78"): what the figure rules miss when another figure of the two is the same."""
    ta, tb = a.split(), b.split()
    ka, kb = [_slot_key(t) for t in ta], [_slot_key(t) for t in tb]
    matcher = _same_wording(ka, kb)
    if matcher is None:
        return None
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = sorted(k for k in ka[i1:i2] if _NUMBER.search(k))
        added = sorted(k for k in kb[j1:j2] if _NUMBER.search(k))
        if op == "replace" and removed and added and removed != added:
            return _around(ta, i1, i2), _around(tb, j1, j2)
    return None


# function words that may stand for each other in one fact ("would reopen" / "will reopen")
_INTERCHANGEABLE = [frozenset(group.split()) for group in ("a an the this that its his her their",
                                                           "will would shall can could may might", "is are was were",
                                                           "has have had")]
_SAYING = frozenset("said says told reported announced".split())


def _one_word_swapped(a: str, b: str) -> bool:
    """Nearly the same words with one word put for another that is not of its class
    ("finished second" / "finished third", "reported a profit" / "a loss", "over budget" /
    "under budget"): the slot holds another fact, whatever the relation of the two words. One
    name in two spellings ("Gaddafi" / "Qaddafi") is no other word."""
    ka, kb = [_slot_key(t) for t in a.split()], [_slot_key(t) for t in b.split()]
    matcher = _same_wording(ka, kb)
    return matcher is not None and any(op == "replace" and i2 - i1 == 1 == j2 - j1 and _other_word(ka, i1, kb, j1)
               for op, i1, i2, j1, j2 in matcher.get_opcodes())


def _other_word(ka: Sequence[str], i: int, kb: Sequence[str], j: int) -> bool:
    """Whether word i of one sentence and word j of the other say something else: not one word
    class, not one name, not interchangeable function words, not who says it ("Officials said"
    / "Authorities said")."""
    x, y = ka[i], kb[j]
    if same_thing(stem(x)) == same_thing(stem(y)) or same_word(x, y) or any({x, y} <= g for g in _INTERCHANGEABLE):
        return False
    following = set(ka[i + 1:i + 2]) | set(kb[j + 1:j + 2])
    return not {stem(x), stem(y)} & REPORTING and not following & _SAYING


def _same_wording(ka: list[str], kb: list[str]) -> difflib.SequenceMatcher | None:
    """The alignment of two sentences' slot keys when they are nearly the same words (at least
    SAME_WORDING of them aligned); None otherwise, or when one has no words (all names, masked out)."""
    if not ka or not kb:
        return None
    matcher = difflib.SequenceMatcher(a=ka, b=kb, autojunk=False)
    if 2 * sum(m.size for m in matcher.get_matching_blocks()) / (len(ka) + len(kb)) < SAME_WORDING:
        return None
    return matcher


def _slot_key(token: str) -> str:
    """A word as compared in one slot: number words as digits ("twelve" and "12" are one)."""
    key = re.sub(r"[^\w.%$€£-]", "", token.lower().replace("’", "'")).strip(".")
    return token_value(key) or key


def _around(tokens: Sequence[str], first: int, last: int, context: int = 2) -> str:
    return " ".join(tokens[max(0, first - context):last + context]).strip(" ,;:.")


def _other_figures(a: str, b: str, named_a: list[Name], named_b: list[Name], topic: float) -> bool:
    """Figures that differ outside the names ("Falcon 9" / "Ariane 6" is a name, not a figure)."""
    a, b = _mask(a, named_a), _mask(b, named_b)
    if _differing_figures(a, b, topic) or _different_fates(a, b) or _slot_figures(a, b):
        return True
    values_a, values_b = {f.value for f in figures(a)}, {f.value for f in figures(b)}
    return bool(values_a and values_b and not values_a & values_b)  # "40% of Egypt's" / "half of Paris's"


def _facts(names_: list[Name], others: list[Name], other_text: str) -> list[Name]:
    """The names of one sentence that the other lacks, without the sources of what it says."""
    return [n for n in unmatched(names_, others, other_text) if not (n.speaker and n.initial)]


def _named_apart(a: str, b: str, named_a: list[Name], named_b: list[Name]) -> bool:
    """Each names someone or something the other does not, besides who says it."""
    return (any(not n.speaker for n in unmatched(named_a, named_b, b))
            and any(not n.speaker for n in unmatched(named_b, named_a, a)))


def _same_facts(a: str, b: str, wa: Sequence[str], wb: Sequence[str], named_a: list[Name],
                named_b: list[Name]) -> bool:
    """Positive evidence of one claim: no name of each that the other lacks (the one with
    fewer may leave some out), every figure of the one with fewer figures in the other, and
    something said besides who it is about."""
    only_a, only_b = _facts(named_a, named_b, b), _facts(named_b, named_a, a)
    if only_a and only_b:
        return False
    fa, fb = figures(a), figures(b)
    fewer, more = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
    if any(not any(x.value == y.value and x.unit == y.unit and x.fate == y.fate for y in more) for x in fewer):
        return False  # a figure the other lacks, or gives of another fate ("ten rescued" / "ten killed")
    if other_acts(a, b) and not _same_quote(a, b):
        # each tells of an act the other does not ("employs 3,000" / "3,000 went on strike"); two that
        # quote the same words tell of one remark, however they frame it
        return False
    sources = {same_thing(stem(w)) for n in named_a + named_b if n.speaker for w in n.words}
    return bool(shared(_terms(wa), _terms(wb)) - sources)


def _same_figure(a: str, b: str) -> bool:
    """The same number with the same unit and fate (180 passengers, $85 a barrel), and a word
    in common around it that names a thing, not only the act ("shares rose 3%" / "revenue
    rose 3%" are two figures): the same fact."""
    verbs = acts(a) | acts(b)
    return any(x.value == y.value and x.unit == y.unit and x.fate == y.fate and _same_counted(x, y)
               and shared(x.context, y.context) - verbs for x in figures(a) for y in figures(b))


_QUOTED = re.compile(r"[“\"]([^”\"]{6,})[”\"]")


def _same_quote(a: str, b: str) -> bool:
    """Both quote the same words ("cautious optimism")."""
    qa = {" ".join(_words(q)) for q in _QUOTED.findall(a)}
    qb = {" ".join(_words(q)) for q in _QUOTED.findall(b)}
    return any(x and (x in y or y in x) for x in qa for y in qb if x and y)


def check(cited: Sequence[CitedSentence]) -> tuple[tuple[Disagreement, ...], tuple[Agreement, ...]]:
    """Where the cited sentences of different articles differ, and which citations agree.

    Each pair of citations is reported once (the first difference found); citations that
    agree are grouped, unless they also differ somewhere."""
    disagreements: list[Disagreement] = []
    agreeing: list[set[int]] = []
    differing: set[frozenset[int]] = set()
    for i, x in enumerate(cited):
        for y in cited[i + 1:]:
            if x.article == y.article or x.number == y.number:
                continue
            pair = frozenset((x.number, y.number))
            relation = compare(x.text, y.text)
            if relation is None:
                continue
            if relation.label == "differ" and pair not in differing:
                differing.add(pair)
                first, second = (x, y) if x.number < y.number else (y, x)
                says = (relation.first, relation.second) if first is x else (relation.second, relation.first)
                disagreements.append(Disagreement(first=first.number, second=second.number, kind=relation.kind,
                                                 first_says=says[0], second_says=says[1]))
            elif relation.label == "agree":
                agreeing.append(set(pair))
    groups: list[set[int]] = []
    for agreed in agreeing:
        if frozenset(agreed) in differing:
            continue
        joined = [g for g in groups if g & agreed]
        merged = set(agreed).union(*joined)
        groups = [g for g in groups if g not in joined] + [merged]
    agreements = tuple(Agreement(numbers=tuple(sorted(g))) for g in sorted(groups, key=min))
    return tuple(sorted(disagreements, key=lambda d: (d.first, d.second))), agreements


def summary(disagreements: Sequence[Disagreement], agreements: Sequence[Agreement]) -> str:
    """The plain sentences appended to an answer ("" when there is nothing to say)."""
    parts = []
    if disagreements:
        parts.append("Sources differ: " + "; ".join(d.sentence() for d in disagreements) + ".")
    for agreement in agreements:
        numbers = [f"[{n}]" for n in agreement.numbers]
        parts.append(f"{', '.join(numbers[:-1])} and {numbers[-1]} agree.")
    return " ".join(parts)
