"""Hash chains that make an append-only record tamper-evident.

Each link's body is the RFC 8785 (JCS) canonical JSON of
`{"seq": n, "recorded_at": ..., "entry": {...}, "prev_hash": <hash of link n-1>}` and its hash is
the SHA-256 of those exact bytes. Because the body carries its own sequence number and the previous
hash, an edit to any byte, a deleted link, an inserted link or a reordering breaks the chain at a
place `verify_chain` can name. Truncating the tail is caught by comparing against the head (count
and last hash) that is stored apart and printed by `kelisim ledger verify`, so it can be published.

The depositary's record (Art. 8, 13-15) uses this chain; so do the audit log of reads of
restricted-access information (Art. 6) and the certification registry's lifecycle events.

Each chain's table also stores columns beside the body, for queries (kind, party, dates, who
recorded it, ...). None of them is trusted apart from the body: each is derived from the body
(`kelisim.domain.chain_columns`) when written and checked against it by `column_problems` when
verified, so an edit of a column is named (entry, column, expected and stored value) just as an
edit of the body is. What a column cannot be derived from (who recorded an entry) is put inside
the body (`attested`), hence inside the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import rfc8785

from kelisim.domain.errors import KelisimError

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Link:
    seq: int
    body: bytes
    hash: str


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.seq is None else f"entry {self.seq}: {self.reason}"


_SAFE_INT = 2**53 - 1
_SORTED = orjson.OPT_SORT_KEYS


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of `value`.

    For plain JSON with no floats (what every chain and signed statement holds), orjson with
    sorted keys writes exactly the JCS bytes, about forty times faster than the pure-Python
    encoder: the same escapes, UTF-8 as is, integers as digits. Key order agrees with JCS's
    UTF-16 order while no key holds a code point from U+D800 up. Anything else (floats, large
    integers, other types) goes to `rfc8785`, which also raises what it always raised.
    (tests/unit/test_canonical_json.py compares the two on generated values.)"""
    if _plain(value):
        return orjson.dumps(value, option=_SORTED)
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    """Whether `value` is JSON of strings, safe integers, booleans and nulls only, with keys
    below U+D800 (a walk with a stack: chains' entries nest a few levels, proofs hold lists)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:
                return False
        elif kind is dict:
            try:
                keys = "".join(item)
            except TypeError:  # a key that is not a string
                return False
            if keys and max(keys) >= "\ud800":
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            return False
    return True


def make_link(seq: int, recorded_at: datetime, entry: Mapping[str, Any], prev_hash: str,
              attested: Mapping[str, Any] | None = None) -> Link:
    """The link; `attested` adds top-level keys (e.g. `recorded_by`) to the hashed body."""
    body = canonical_json({**(attested or {}), "seq": seq, "recorded_at": recorded_at.isoformat(),
                           "entry": dict(entry), "prev_hash": prev_hash})
    return Link(seq, body, hashlib.sha256(body).hexdigest())


def decode_body(body: bytes) -> dict[str, Any]:
    return orjson.loads(body)


def verify_chain(links: Iterable[Link], head: Head | None, *,
                 after: Head | None = None) -> list[Problem]:
    """Every place the chain breaks, in order; an empty list means the record is untouched.

    `after` verifies a segment: links `after.seq + 1, ...` continuing from the entry `after`
    names (a checkpoint already verified); by default the chain starts at its genesis.
    """
    problems: list[Problem] = []
    last = after if after is not None else Head(0, GENESIS_HASH)
    expected_seq, prev_hash = last.seq + 1, last.hash
    for link in links:
        problems.extend(_check_link(link, expected_seq, prev_hash))
        expected_seq, prev_hash = link.seq + 1, link.hash
        last = Head(link.seq, link.hash)
    if head is not None and head != last:
        if head.seq > last.seq:
            problems.append(Problem(None, f"the head records {head.seq} entries but only "
                                          f"{last.seq} are present: entries were deleted"))
        else:
            problems.append(Problem(None, f"the head (entry {head.seq}, {head.hash[:12]}...) does "
                                          f"not match the last entry ({last.seq}, "
                                          f"{last.hash[:12]}...)"))
    return problems


def _check_link(link: Link, expected_seq: int, prev_hash: str) -> list[Problem]:
    problems = []
    if link.seq != expected_seq:
        what = "missing" if link.seq > expected_seq else "out of order or duplicated"
        problems.append(Problem(link.seq,
                                f"expected entry {expected_seq} here; entries are {what}"))
    if hashlib.sha256(link.body).hexdigest() != link.hash:
        problems.append(Problem(link.seq, "content changed: its hash no longer matches"))
    try:
        body = decode_body(link.body)
        canonical = canonical_json(body) == link.body
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return [*problems, Problem(link.seq, "its stored body is not valid JSON")]
    if not canonical:
        problems.append(Problem(link.seq, "its stored body is not in canonical form"))
    if not isinstance(body, dict) or body.get("seq") != link.seq:
        problems.append(Problem(link.seq, "its body names another sequence number"))
    elif body.get("prev_hash") != prev_hash:
        problems.append(Problem(link.seq, "not linked to the entry before it (prev_hash differs)"))
    return problems


Columns = Mapping[str, Any]


def column_problems(rows: Iterable[tuple[Link, Columns]],
                    derive: Callable[[dict[str, Any]], Columns]) -> list[Problem]:
    """Each stored column that differs from what the entry's hashed body says it holds.

    `rows` pairs each link with the columns stored beside it; `derive` gives, from the decoded
    body, the value every such column must hold. A body that cannot be decoded is already named
    by `verify_chain`; one whose content cannot give its columns is named here.
    """
    problems: list[Problem] = []
    for link, stored in rows:
        try:
            body = decode_body(link.body)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            continue
        try:
            expected = derive(body)
        except (KeyError, TypeError, ValueError, AttributeError, KelisimError) as error:
            problems.append(Problem(link.seq, f"its body does not give its stored columns "
                                              f"({type(error).__name__}: {error})"))
            continue
        for name, value in expected.items():
            if name in stored and not _same(stored[name], value):
                problems.append(Problem(link.seq, f"column {name} holds {_shown(stored[name])} "
                                                  f"but its hashed body says {_shown(value)}"))
    return problems


def verify_stored(stored: Sequence[tuple[Link, Columns]], head: Head,
                  derive: Callable[[dict[str, Any]], Columns]) -> list[Problem]:
    """A chain table verified whole: the links against the head, and each stored column
    against its hashed body; by entry."""
    return in_order([*verify_chain([link for link, _ in stored], head),
                     *column_problems(stored, derive)])


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by entry, those of the whole chain (no entry) last; stable within an entry."""
    return sorted(problems, key=lambda p: (p.seq is None, p.seq or 0))


def _same(stored: Any, expected: Any) -> bool:
    if type(stored) is not type(expected) and not (
            isinstance(stored, datetime) and isinstance(expected, datetime)):
        return False
    return bool(stored == expected)


def _shown(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    return str(value)
