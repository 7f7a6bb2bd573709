"""An update left empty or filled with a placeholder ('-', 'n/a', 'tbc', 'no update')
counts as no update (NO_UPDATE at consolidation, in flags and in check). The quick
answer for ordinary text must agree with folding the whole text, however the
placeholder is spaced, dotted or cased, and however long the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xltools.reporting.flags import _PLACEHOLDERS, empty_progress


def folded_whole(value) -> bool:
    """The rule spelled out: spacing collapsed, case folded, dots and spaces trimmed."""
    folded = " ".join(str(value or "").split()).casefold()
    return folded.strip(" .") in _PLACEHOLDERS or folded in _PLACEHOLDERS


SPACING = st.sampled_from([" ", "  ", "\n", "\t", " \u00a0", "\r\n", ""])
PLACEHOLDER = st.builds(
    lambda pad, word, dots, upper, tail: pad + (word.upper() if upper else word) + dots + tail,
    st.text(st.sampled_from(" \n\t."), max_size=50),
    st.sampled_from(sorted(_PLACEHOLDERS)), st.text(st.sampled_from(". "), max_size=60),
    st.booleans(), SPACING)
TEXT = st.one_of(PLACEHOLDER, st.text(max_size=80),
                 st.text(st.sampled_from("nNaA/tTbBcCxX-. \n\u00a0ßrs"), max_size=80))


@settings(max_examples=400)
@given(TEXT)
def test_the_quick_answer_is_the_whole_fold(value):
    assert empty_progress(value) is folded_whole(value)


def test_placeholders_however_written_and_real_updates():
    for value in (None, "", "  ", "-", "N/A", " n/a. ", "TBC", "No   update", "no update.",
                  "." * 45 + " n/a", "\n" * 50 + "tbc", "n/a" + " " * 100):
        assert empty_progress(value), value
    for value in ("Panel met", "n/a — waiting for the panel", "Done", "x" * 500):
        assert not empty_progress(value), value
