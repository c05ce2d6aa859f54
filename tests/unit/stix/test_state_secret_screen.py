"""The grades' regex is a trie (prefixes factored out, for speed); it must find a grade exactly
where the plain alternation of the grades does (Art. 6: speed may never let a stamp through)."""

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
    st.sampled_from([" ", "\n", "-", "«", "»", "(", ")", ": ", "экз. № 2", "a", "x", "7",
                     "\u200b", ".", "_"]),
    st.text(max_size=8),
)


def _plain() -> re.Pattern[str]:
    alternatives = sorted(("".join(ss._stamp_tokens(s)) for s in STAMPS), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


PLAIN = _plain()


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=6).map("".join))
def test_the_trie_agrees_with_the_plain_alternation(text: str) -> None:
    assert (ss._grades().search(text) is None) == (PLAIN.search(text) is None)


def test_the_trie_finds_every_grade_alone_and_quoted() -> None:
    for stamp in (unicodedata.normalize("NFKC", s) for s in STAMPS):  # as has_stamp reads
        assert ss._grades().fullmatch(stamp), stamp
        assert ss._grades().search(f"«{stamp.upper()}»"), stamp
