"""Words as every part of the project cuts them (index/text.py)."""

import re
from pathlib import Path

from snowballstemmer.porter_stemmer import PorterStemmer

from index.text import _stemmer, content_terms, stem

SAMPLES = Path(__file__).resolve().parents[1] / "articles"


def test_stems_come_from_the_compiled_stemmer_and_equal_the_pure_python_ones():
    """PyStemmer runs the same Snowball Porter algorithm in C (12x faster on a build's
    sentences); a stem that differed would make the question's words miss the index's."""
    assert type(_stemmer()).__module__ == "Stemmer"
    vocabulary = {w for path in SAMPLES.iterdir() if path.is_file()
                  for w in re.findall(r"\w+", path.read_text(encoding="utf-8", errors="ignore").lower())}
    vocabulary |= {"running", "generously", "caresses", "ponies", "relational", "hopefulness", "ﬁnal", "straße",
                   "naïve", "1973", "kyiv's", "ceasefire", "x"}
    pure = PorterStemmer()
    assert len(vocabulary) > 300
    assert [stem(w) for w in sorted(vocabulary)] == [pure.stemWord(w) for w in sorted(vocabulary)]


def test_content_terms_drop_stop_words_and_stem_the_rest():
    assert content_terms("The ministers said they were negotiating a ceasefire") == ["minist", "negoti", "ceasefir"]
