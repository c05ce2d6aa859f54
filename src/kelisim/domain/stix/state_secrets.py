"""Art. 6: information classified as a state secret under a Party's law is never transferred.

kelisim refuses, at intake, an object that bears the kelisim state-secret marking
(``STATE_SECRET_MARKING_ID``, in object_marking_refs or a granular marking) or whose text carries
a state-secret classification stamp of any Party. The grades are data per Party and language
(``kelisim/data/state_secret_stamps.json``, citing each state's law on state secrets).

The rule for a stamp (a classification *marking*, not the word "secret" in a sentence):
every string value of the object, at any depth, is normalised - Unicode NFKC; soft hyphens and
zero-width characters removed; a word hyphenated across a line break joined; runs of whitespace
collapsed; a letter-spaced line ("С Е К Р Е Т Н О") closed up - and cut into lines. Stamps are
matched case-insensitively as whole words, tolerant of Latin/Cyrillic look-alike letters and of
the plain-Cyrillic spellings of Kazakh, Kyrgyz, Tajik and Uzbek letters. A match is a stamp when:

1. it stands alone on its line (nothing but punctuation around it): ``Секретно``, ``TOP SECRET.``;
2. it is enclosed in brackets or quotes: ``«Совершенно секретно»``, ``[Құпия]``, ``(SECRET)``;
3. it opens its line and is followed by a registration mark (``экз. №``, ``№``, ``copy``,
   ``дана``, ``nr.``...): ``Секретно, экз. № 2``;
4. it is written in capitals and opens its line followed by a separator (``, ; : / -``), or is
   in capitals and followed by a registration mark anywhere: ``СЕКРЕТНО: доклад``.

So "a secret key", "секретный ключ", "Құпия сөз" (password), "это совершенно секретно" pass.
Deliberately refused: a quoted mention such as «гриф «Секретно» снят» - Art. 6 errs on the side
of not transferring. Property *names* are not scanned (they are schema, not text).

The reason returned never quotes the object: no byte of a refused object is echoed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from kelisim.domain.stix.extension import STATE_SECRET_MARKING_ID

__all__ = ["stamps", "state_secret_reason"]

REASON_MARKING = ("Refused: the object bears the state-secret marking. Information classified "
                  "as a state secret under a Party's law is not transferred under the "
                  "Agreement (Art. 6); nothing of it was stored.")
REASON_STAMP = ("Refused: the object's text carries a state-secret classification stamp of a "
                "Party. Information classified as a state secret under a Party's law is not "
                "transferred under the Agreement (Art. 6); nothing of it was stored.")

_OPENERS = "«\"“„‘'([{<‹"
_CLOSERS = "»\"”“’')]}>›"
_SEPARATORS = ",;:/-–—|."
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_HYPHENATED = re.compile(r"(\w)[-\u2010\u2011]\s*\n\s*(\w)")
_LINES = re.compile(r"[\r\n\u2028\u2029\v\f]+")
_SPACES = re.compile(r"\s+")
_LETTER_SPACED = re.compile(r"(?:\w ){3,}\w")
_WORD = re.compile(r"\w")
_NEEDS_NORMALISING = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]|[-\u2010\u2011]\s*\n|"
                                r"\w \w \w \w")  # (\w ){3,}\w exists iff this does
_REGISTRATION = re.compile(
    r"(?:экз|экземпляр|прим|асобн|дана|нусха|nusxa|nr\b|no\b\.?\s*\d|№|#\s*\d|copy|ex\b|"
    r"exemplar)", re.IGNORECASE)

# Letters that look alike or are commonly typed for one another (one class per group).
_ALIKE = [
    "aаә", "bв", "cс", "eеэ", "hнһң", "iіıİиӣ", "kкқ", "mм", "oоөӧ", "pр", "tт",
    "xхҳ", "yуұүў", "гғ", "ş ș", "ţț", "'ʻ‘’`ʼ",
]


@cache
def _alike_classes() -> dict[str, str]:
    classes: dict[str, str] = {}
    for group in _ALIKE:
        letters = group.replace(" ", "")
        members = set(letters) | {c.upper() for c in letters} | {c.lower() for c in letters}
        cls = "[" + "".join(sorted(re.escape(c) for c in members)) + "]"
        for letter in members:
            classes[letter] = cls
    return classes


@cache
def stamps() -> dict[str, dict[str, tuple[str, ...]]]:
    """Party (alpha-3) -> language -> stamps, from the data file."""
    raw = json.loads(resources.files("kelisim.data").joinpath("state_secret_stamps.json")
                     .read_text(encoding="utf-8"))
    return {party: {lang: tuple(words) for lang, words in entry["stamps"].items()}
            for party, entry in raw["parties"].items()}


def _stamp_tokens(stamp: str) -> tuple[str, ...]:
    classes = _alike_classes()
    parts: list[str] = []
    for char in unicodedata.normalize("NFKC", stamp):
        if char.isspace():
            parts.append(r"\s*" if parts and parts[-1] == r"\." else r"\s+")
        elif char == ".":
            parts.append(r"\.")
        else:
            parts.append(classes.get(char, re.escape(char)))
    return tuple(parts)


def _stamp_regex(stamp: str) -> str:
    return "".join(_stamp_tokens(stamp))


def _every_stamp() -> set[str]:
    return {s for by_lang in stamps().values() for words in by_lang.values() for s in words}


@cache
def _matcher() -> re.Pattern[str]:
    alternatives = sorted((_stamp_regex(s) for s in _every_stamp()), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


def _trie_regex(sequences: list[tuple[str, ...]]) -> str:
    """One alternation with common prefixes factored out: the same language as the plain
    alternation of the sequences, but `re` tries only the branches whose first token fits."""
    branches: dict[str, list[tuple[str, ...]]] = {}
    ends = False
    for sequence in sequences:
        if sequence:
            branches.setdefault(sequence[0], []).append(sequence[1:])
        else:
            ends = True
    options = [head + _trie_regex(rests) for head, rests in sorted(branches.items())]
    if not options:
        return ""
    body = "(?:" + "|".join(options) + ")"
    return body + "?" if ends else body


@cache
def _screen() -> re.Pattern[str]:
    """Finds a match somewhere exactly when `_matcher()` does (same language, same boundary
    conditions); used only to let stamp-free text through fast - some hundred kilobytes per
    TAXII envelope, where the plain alternation is tried at every position."""
    trie = _trie_regex(sorted({_stamp_tokens(s) for s in _every_stamp()}))
    return re.compile(r"(?<!\w)" + trie + r"(?![\w])", re.IGNORECASE)


def _lines(text: str) -> Iterator[str]:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = _HYPHENATED.sub(r"\1\2", text)
    for line in _LINES.split(text):
        line = _SPACES.sub(" ", line).strip()
        if _LETTER_SPACED.fullmatch(line):
            line = line.replace(" ", "")
        if line:
            yield line


def has_stamp(text: str) -> bool:
    """Does this text carry a classification stamp, by the rule in the module docstring?"""
    if len(text) <= _MEMO_MAX_LENGTH:
        return _short_has_stamp(text)
    return _has_stamp(text)


# Short strings repeat across the objects of an envelope (identifiers in refs, timestamps,
# marking references: two thirds of the text a bulk post scans); the answer is a pure
# function of the string, so it is remembered for the short ones only (bounded memory).
_MEMO_MAX_LENGTH = 256


@lru_cache(maxsize=16_384)
def _short_has_stamp(text: str) -> bool:
    return _has_stamp(text)


def _has_stamp(text: str) -> bool:
    if _screen().search(unicodedata.normalize("NFKC", text)) is None and \
            _NEEDS_NORMALISING.search(text) is None:
        return False
    matcher = _matcher()
    for line in _lines(text):
        for m in matcher.finditer(line):
            if _is_marking(line[: m.start()], m.group(), line[m.end():]):
                return True
    return False


def _is_marking(before: str, stamp: str, after: str) -> bool:
    left, right = before.rstrip(), after.lstrip()
    if left[-1:] and left[-1] in _OPENERS and right[:1] and right[0] in _CLOSERS:
        return True
    at_start = _WORD.search(before) is None
    upper = stamp.isupper()
    rest = right.lstrip(_SEPARATORS + " ")
    registered = _REGISTRATION.match(rest) is not None
    if at_start and (_WORD.search(after) is None or registered):
        return True
    if upper and registered:
        return True
    return at_start and upper and right[:1] != "" and right[0] in _SEPARATORS


def _any_stamped(value: Any, depth: int = 0) -> bool:
    """Does any string in value, at any depth (64 at most), carry a stamp? A plain recursion,
    not a generator: this walk visits every string of every posted object."""
    if isinstance(value, str):
        return has_stamp(value)
    if depth > 64:
        return False
    if isinstance(value, Mapping):
        items: Any = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    for item in items:
        if isinstance(item, str):
            if has_stamp(item):
                return True
        elif isinstance(item, Mapping | list | tuple) and _any_stamped(item, depth + 1):
            return True
    return False


def _bears_marking(obj: Mapping[str, Any]) -> bool:
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list) and STATE_SECRET_MARKING_ID in refs:
        return True
    granular = obj.get("granular_markings")
    return isinstance(granular, list) and any(
        isinstance(g, Mapping) and g.get("marking_ref") == STATE_SECRET_MARKING_ID
        for g in granular)


def state_secret_reason(obj: Mapping[str, Any]) -> str | None:
    """A reason citing Art. 6 if obj is marked or stamped as a state secret; else None.

    The reason never quotes the object's content.
    """
    if not isinstance(obj, Mapping):
        return None
    if _bears_marking(obj):
        return REASON_MARKING
    if _any_stamped(obj):
        return REASON_STAMP
    return None
