"""Hypothesis strategies for Art. 6 tests: a state-secret stamp in one of the forms the rule of
kelisim/domain/stix/state_secrets.py names, disguised as an evader would (look-alike letters,
invisible characters), inside arbitrary text, put into any string of a valid STIX object."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from kelisim.domain.stix.state_secrets import stamps
from tests.unit.stix.corpus import VALID

GRADES = sorted({g for by_lang in stamps().values() for gs in by_lang.values() for g in gs})
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u0301", "\ufe0f"]
LATIN_FOR_CYRILLIC = dict(zip("АВЕКМНОРСТХаеорсух", "ABEKMHOPCTXaeopcyx", strict=True))
# What may stand right before and after a stamp that stands inside other text: the rule is about
# whole words, so a letter glued to the stamp would make another word.
BEFORE = [" ", "\n", ", ", "; ", " — ", "\t", "/", ". ", "("]
AFTER = [" ", "\n", ", ", "; ", " — ", "\t", "/", ".", ")"]


@st.composite
def _disguised_capitals(draw: st.DrawFn) -> str:
    grade = draw(st.sampled_from(GRADES)).upper()
    chars: list[str] = []
    for char in grade:
        if char in LATIN_FOR_CYRILLIC and draw(st.booleans()):
            char = LATIN_FOR_CYRILLIC[char]
        chars.append(char)
        if char.isalpha() and draw(st.integers(0, 5)) == 0:
            chars.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(chars)


@st.composite
def _placed(draw: st.DrawFn) -> str:
    """A grade in a stamp's position (rules 2-6), whatever its case."""
    grade = draw(st.sampled_from(GRADES))
    grade = draw(st.sampled_from([grade, grade.lower(), grade.upper()]))
    form = draw(st.sampled_from(["«{}»", "({})", "[{}]", "\n{}\n", "{}, экз. № 3", "гриф {}",
                                 "{}//rel", "\n{}: "]))
    return form.format(grade)


def stamp_forms() -> st.SearchStrategy[str]:
    return st.one_of(_disguised_capitals(), _placed())


@st.composite
def stamped_texts(draw: st.DrawFn) -> str:
    """Arbitrary text around a stamp."""
    return (draw(st.text(max_size=30)) + draw(st.sampled_from(BEFORE)) + draw(stamp_forms())
            + draw(st.sampled_from(AFTER)) + draw(st.text(max_size=30)))


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_paths(v, (*path, i))]
    return []


@st.composite
def objects_with_a_stamp(draw: st.DrawFn) -> dict[str, Any]:
    """A valid object of the corpus with one of its strings - any, at any depth, or a new
    description or custom property - replaced by, or extended with, a stamped text."""
    obj = copy.deepcopy(VALID[draw(st.sampled_from(sorted(VALID)))])
    text = draw(stamped_texts())
    paths = [*_string_paths(obj), ("description",), ("x_kelisim_note",)]
    path = draw(st.sampled_from(paths))
    holder: Any = obj
    for step in path[:-1]:
        holder = holder[step]
    old = holder.get(path[-1], "") if isinstance(holder, dict) else holder[path[-1]]
    holder[path[-1]] = draw(st.sampled_from([text, old + text, text + old]))
    return obj
