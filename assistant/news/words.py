"""Word classes the agreement rules read news with (no LLM, no word vectors).

- `same_thing(word)`: news names one thing many ways ("fire" / "blaze", "homes" /
  "households", "killed" / "died" / "death toll"); two sentences about it share its class.
- `FATES`: what a count of people or jobs says happened to them. Two figures count the
  same thing only when their fates match ("6 arrested" is not "a crowd of 6,000"), and
  the same number with two exclusive fates is a disagreement ("seven soldiers were
  killed" / "seven soldiers were wounded").

Small on purpose: each class is a set of everyday news words for one thing, not a
thesaurus, since a wrong equivalence makes a false "Sources differ".
"""

from __future__ import annotations

from functools import lru_cache

from index.text import stem

_CLASSES = {
    # what happened to the people (or jobs) a figure counts
    "dead": "killed kill kills dead died die dies death deaths toll fatalities",
    "injured": "injured injuring wounded wounding hurt injuries",
    "missing": "missing unaccounted",
    "freed": "released freed",
    "held": "arrested detained held captured abducted kidnapped",
    "hired": "hired hiring hires recruited recruiting",
    "job cuts": "laid laying layoffs cut cuts cutting axed axing shed shedding",
    # one thing, several names
    "crowd": "crowd crowds protesters demonstrators marchers protest demonstration",  # not "march": the month
    "fire": "fire fires blaze blazes wildfire wildfires flames",
    "quake": "earthquake earthquakes quake quakes tremor tremors",
    "blast": "blast explosion explosions",
    "workforce": "workers staff employees workforce jobs",
    "dwellings": "homes households houses",
    "power": "power electricity",
    "troops": "soldiers troops servicemen",
    "storm": "storm storms hurricane typhoon cyclone",
    # one movement of a price or a count, several verbs
    "rise": "rose rise rises rising risen climbed climbs jumped jumps surged surges",
    "fall": "fell fall falls falling fallen dropped drops declined declines slid slides slumped slumps",
}
FATES = frozenset({"dead", "injured", "missing", "freed", "held", "hired", "job cuts"})
EXCLUSIVE_FATES = frozenset({"dead", "injured", "missing", "freed"})  # one person cannot have two of these

# a word and the classes that are kinds of it: "civilians were harmed" is said by "civilians
# were killed", and news counts any crowd, workforce or troops as "people"
KINDS_OF = {"harm": frozenset({"=dead", "=injured"}), "peopl": frozenset({"=crowd", "=workforce", "=troops"})}

_BY_STEM = {stem(word): f"={name}" for name, words in _CLASSES.items() for word in words.split()}


@lru_cache(maxsize=50_000)
def same_thing(word_stem: str) -> str:
    """The class of a stemmed word ("=fire" for "blaze"), or the stem itself."""
    return _BY_STEM.get(word_stem, word_stem)


def shared(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> set[str]:
    """The word classes two sets have in common, a general word ("people") meeting a kind
    of it ("protesters") counting as one."""
    common = set(a & b)
    for general, kinds in KINDS_OF.items():
        if general in a and kinds & b or general in b and kinds & a:
            common.add(general)
    return common


def fate_of(word_stem: str) -> str:
    """The fate a stemmed word names ("dead" for "died"), or ""."""
    name = _BY_STEM.get(word_stem, "")[1:]
    return name if name in FATES else ""
