"""The forms of English irregular verbs, as stems: "send" asked, "sent" written is the same word.

Porter stemming joins "meets"/"meeting" but not "meet"/"met"; the confidence (confidence.py)
counts a question word its passage lacks against answering, so without this table "Who did
Trump send to meet Putin?" would lack two words of a passage that says "Witkoff met Putin".
"""

from __future__ import annotations

from functools import lru_cache

from index.text import stem

_FORMS = """arise arose arisen|awake awoke awoken|bear bore borne born|beat beaten|become became|begin began begun|
bend bent|bind bound|bite bit bitten|bleed bled|blow blew blown|break broke broken|breed bred|bring brought|
build built|burn burnt|buy bought|catch caught|choose chose chosen|cling clung|come came|creep crept|deal dealt|
dig dug|draw drew drawn|dream dreamt|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|
feed fed|feel felt|fight fought|find found|flee fled|fly flew flown|forbid forbade forbidden|forget forgot
forgotten|forgive forgave forgiven|freeze froze frozen|get got gotten|give gave given|go went gone|grind ground|
grow grew grown|hang hung|hear heard|hide hid hidden|hold held|keep kept|kneel knelt|know knew known|lay laid|
lead led|leave left|lend lent|lie lain|lose lost|make made|mean meant|meet met|overcome overcame|pay paid|
ride rode ridden|ring rang rung|rise rose risen|run ran|say said|see saw seen|seek sought|sell sold|send sent|
shake shook shaken|shine shone|shoot shot|show shown|shrink shrank shrunk|sing sang sung|sink sank sunk|sit sat|
sleep slept|slide slid|speak spoke spoken|speed sped|spend spent|spin spun|stand stood|steal stole stolen|
stick stuck|sting stung|stride strode|strike struck|strive strove striven|swear swore sworn|sweep swept|
swim swam swum|swing swung|take took taken|teach taught|tear tore torn|tell told|think thought|throw threw
thrown|tread trod trodden|undergo underwent undergone|understand understood|undertake undertook undertaken|
wake woke woken|wear wore worn|weave wove woven|weep wept|win won|wind wound|withdraw withdrew withdrawn|
write wrote written"""


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for line in _FORMS.replace("\n", " ").split("|"):
        stems = tuple(dict.fromkeys(stem(word) for word in line.split()))
        for one in stems:
            groups[one] = tuple(dict.fromkeys(groups.get(one, ()) + stems))
    return groups


def forms(term: str) -> tuple[str, ...]:
    """The stems of every form of the verb whose stem `term` is (the term itself first)."""
    return (term, *(other for other in _groups().get(term, ()) if other != term))
