"""The fast screen of state-secret stamps finds a candidate exactly when the plain matcher
does (Art. 6: the screen may only let stamp-free text through, never a stamp)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.stix import state_secrets as ss

STAMPS = sorted(ss._every_stamp())
PIECES = st.one_of(
    st.sampled_from(STAMPS),
    st.sampled_from(STAMPS).map(str.upper),
    st.sampled_from(STAMPS).map(lambda s: s[: max(1, len(s) - 1)]),
    st.sampled_from([" ", "\n", "-", "«", "»", "(", ")", ": ", "экз. № 2", "a", "x", "7"]),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=6).map("".join))
def test_screen_agrees_with_the_matcher(text: str) -> None:
    assert (ss._screen().search(text) is None) == (ss._matcher().search(text) is None)


def test_screen_finds_every_stamp_alone() -> None:
    for stamp in (unicodedata.normalize("NFKC", s) for s in STAMPS):  # as has_stamp reads
        assert ss._screen().search(stamp), stamp
        assert ss._screen().search(f"«{stamp.upper()}»"), stamp


def test_letter_spacing_check_is_the_original_rule() -> None:
    original = re.compile(r"(?:\w ){3,}\w")
    for text in ["a b c d", "a b c", "С Е К Р Е Т Н О", "ab cd ef gh", "x y z w v", ""]:
        assert (original.search(text) is None) == (
            ss._NEEDS_NORMALISING.search(text) is None), text
