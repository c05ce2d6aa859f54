"""The depositary's record is append-only and hash-chained (issue 3, item 5): any edit, deletion
or reordering is detected and named; truncating the tail is caught by the published head."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.ledger import GENESIS_HASH, Head, Link, make_link, verify_chain

T0 = datetime(2014, 3, 1, 9, 30, tzinfo=UTC)
ENTRIES = [
    {"kind": "signature", "party": "KAZ", "date": "2013-11-20"},
    {"kind": "signature", "party": "RUS", "date": "2013-11-20"},
    {"kind": "notification", "party": "KAZ", "received": "2014-03-01",
     "authorized_bodies": [{"name": "Ministry A"}]},
    {"kind": "notification", "party": "RUS", "received": "2014-05-02",
     "authorized_bodies": [{"name": "Министерство Б", "language": "ru"}]},
    {"kind": "correction", "supersedes": 3, "received": "2014-03-02"},
    {"kind": "withdrawal_notice", "party": "KAZ", "received": "2016-03-15",
     "withdrawal_date": None},
]


def chain(n: int = len(ENTRIES)) -> list[Link]:
    links: list[Link] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        link = make_link(seq, T0 + timedelta(days=seq), ENTRIES[(seq - 1) % len(ENTRIES)], prev)
        links.append(link)
        prev = link.hash
    return links


def head_of(links: list[Link]) -> Head:
    return Head(links[-1].seq, links[-1].hash) if links else Head(0, GENESIS_HASH)


def seqs(problems: list) -> set[int | None]:
    return {p.seq for p in problems}


@pytest.mark.parametrize("n", [0, 1, 2, 6, 25])
def test_an_untouched_chain_of_n_links_verifies(n: int) -> None:
    links = chain(n)
    assert verify_chain(links, head_of(links)) == []
    assert verify_chain(links, None) == []


def test_each_link_hashes_its_own_body_and_names_the_previous_hash() -> None:
    links = chain()
    for link in links:
        assert hashlib.sha256(link.body).hexdigest() == link.hash
    assert [b'"prev_hash":"' + prev.hash.encode() in link.body
            for prev, link in itertools.pairwise(links)] == [True] * (len(links) - 1)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_changed_byte_in_a_body_fails_verification(data: st.DataObject) -> None:
    links = chain()
    index = data.draw(st.integers(0, len(links) - 1), label="link")
    body = bytearray(links[index].body)
    position = data.draw(st.integers(0, len(body) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != body[position]), label="byte")
    body[position] = value
    links[index] = replace(links[index], body=bytes(body))
    problems = verify_chain(links, head_of(chain()))
    assert links[index].seq in seqs(problems)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_changed_character_in_a_stored_hash_fails_verification(
        data: st.DataObject) -> None:
    links = chain()
    index = data.draw(st.integers(0, len(links) - 1), label="link")
    stored = links[index].hash
    position = data.draw(st.integers(0, len(stored) - 1), label="position")
    char = data.draw(st.characters(codec="ascii").filter(lambda c: c != stored[position]))
    links[index] = replace(links[index], hash=stored[:position] + char + stored[position + 1:])
    problems = verify_chain(links, head_of(chain()))
    assert links[index].seq in seqs(problems)


def test_an_edit_that_recomputes_the_links_own_hash_breaks_the_next_link() -> None:
    links = chain()
    forged = make_link(3, T0, {**ENTRIES[2], "received": "2014-02-01"}, links[1].hash)
    links[2] = forged
    problems = verify_chain(links, head_of(chain()))
    assert 4 in seqs(problems)
    assert any("prev_hash" in str(p) for p in problems)


def test_an_edit_rehashed_to_the_end_is_caught_by_the_published_head() -> None:
    original = chain()
    links = original[:2]
    for seq in range(3, len(original) + 1):
        entry = {**ENTRIES[seq - 1], "note": "forged"}
        links.append(make_link(seq, T0, entry, links[-1].hash))
    assert verify_chain(links, None) == []
    problems = verify_chain(links, head_of(original))
    assert seqs(problems) == {None}
    assert "head" in str(problems[0])


@pytest.mark.parametrize(
    ("tamper", "named", "says"),
    [
        pytest.param(lambda ls: ls[:2] + ls[3:], 4, "missing", id="deleting-a-middle-link"),
        pytest.param(lambda ls: ls[1:], 2, "missing", id="deleting-the-first-link"),
        pytest.param(lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], 3, "expected entry 2",
                     id="swapping-two-links"),
        pytest.param(lambda ls: [*ls[:3], ls[2], *ls[3:]], 3, "duplicated",
                     id="duplicating-a-link"),
        pytest.param(lambda ls: [*ls[:3], replace(ls[3], seq=9), *ls[4:]], 9,
                     "another sequence number", id="renumbering-a-link"),
    ],
)
def test_deleting_swapping_or_duplicating_links_is_named(tamper, named: int, says: str) -> None:
    original = chain()
    problems = verify_chain(tamper(original), head_of(original))
    assert problems, "tampering went unnoticed"
    assert any(p.seq == named and says in str(p) for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("keep", [0, 1, 5])
def test_truncating_the_tail_is_caught_by_the_head(keep: int) -> None:
    original = chain()
    truncated = original[:keep]
    assert verify_chain(truncated, None) == [], "a chain alone cannot know its lost tail"
    problems = verify_chain(truncated, head_of(original))
    assert [p.seq for p in problems] == [None]
    assert "deleted" in str(problems[0])


def test_a_body_in_non_canonical_form_is_named() -> None:
    links = chain()
    spaced = links[1].body.replace(b",", b", ", 1)
    links[1] = Link(2, spaced, hashlib.sha256(spaced).hexdigest())
    problems = verify_chain(links, None)
    assert any(p.seq == 2 and "canonical" in str(p) for p in problems)
