"""The normalised view reads clean words out of text as given, and every span of it maps
back to a span of that text."""

from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from index.textview import normalised, view

# the characters the view exists for, mixed into ordinary text
ODD = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c",
       "\u2066", "\u2069", "\u00a0", "\u202f", "\t", "\r\n", "\r", "\n", "\u2028", "\u2029", "\u0085", "\x00",
       "\u0301", "\u0308", "\u0323", "\U0001F469", "\U0001F52C", "\u2764", "\ufe0f", "\U0001F3FD", "\u1100",
       "\u1161", "\u11a8", "\uac00", "\u0bc6", "\u0bbe", "\u212b", "\u2126", "\ud800", "e", "A", " ", ".",
       "\u05d0"]
TEXT = st.lists(st.sampled_from(ODD) | st.text(max_size=4), max_size=40).map("".join)


def test_invisible_characters_go_and_spaces_and_line_ends_become_plain():
    text = "Wit\u00adkoff met\u00a0Putin\u200b in Mos\u2060cow.\r\nThe \u2067Kremlin\u2069 said\tso.\rEnd\ufeff."
    assert normalised(text) == "Witkoff met Putin in Moscow.\nThe Kremlin said so.\nEnd."


def test_each_view_character_maps_to_the_characters_it_was_read_from():
    text = "Wit\u00adkoff\r\nsaid\u00a0caf\u0065\u0301."
    shown = view(text)
    assert shown.text == "Witkoff\nsaid café."
    assert [text[slice(*shown.span(i, i + 1))] for i in range(len(shown.text))] == [
        "W", "i", "t", "k", "o", "f", "f", "\r\n", "s", "a", "i", "d", "\u00a0", "c", "a", "f", "e\u0301", "."]
    # a span never starts or ends on a dropped character, and keeps the ones inside it
    assert text[slice(*shown.span(0, 7))] == "Wit\u00adkoff"


def test_a_joiner_between_emoji_stays_and_one_inside_a_word_goes():
    scientist = "\U0001F469\u200d\U0001F52C"
    assert normalised(f"A {scientist} at CERN said the re\u200dsults held.") == \
        f"A {scientist} at CERN said the results held."


def test_text_with_nothing_to_normalise_is_its_own_view():
    text = "President Trump said on Friday that talks went well.\n\nThe Kremlin disagreed."
    shown = view(text)
    assert shown.text is text and shown.identical and shown.span(5, 17) == (5, 17)


def _aligned(shown, at: int) -> bool:
    """Whether view offset `at` falls between the groups the view was read in (cuts none)."""
    return at in (0, len(shown.text)) or shown.span(at - 1, at)[1] <= shown.span(at, at + 1)[0]


@hsettings(max_examples=400, deadline=None)
@given(text=TEXT, cut=st.tuples(st.integers(0, 200), st.integers(0, 200)))
@example(text="\u200d\U0001F469\u200d\U0001F52C\u200d", cut=(1, 2))
@example(text="e\u200b\u0301\r\u200b\nx", cut=(0, 1))
def test_every_span_of_the_view_maps_to_a_valid_span_of_the_text(text, cut):
    shown = view(text)
    assert normalised(text) == shown.text
    size = len(shown.text)
    a, b = sorted(min(c, size) for c in cut)
    start, end = shown.span(a, b)
    assert 0 <= start <= end <= len(text)
    # the text a span maps to reads (at least) the view's characters; exactly them when no group is cut
    assert shown.text[a:b] in normalised(text[start:end])
    if _aligned(shown, a) and _aligned(shown, b):
        assert normalised(text[start:end]) == shown.text[a:b]
    # spans keep the view's order
    spans = [shown.span(i, i + 1) for i in range(size)]
    assert all(x[0] <= y[0] and x[1] <= y[1] for x, y in zip(spans, spans[1:]))
    assert normalised(text[slice(*shown.span(0, size))]) == shown.text


@hsettings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_the_view_holds_no_character_it_removes_and_is_stable(text):
    shown = normalised(text)
    assert not any(ch in shown for ch in "\r\u00a0\u00ad\u200b\u2060\ufeff\u200e\u2066\t\x00")
    assert normalised(shown) == shown
