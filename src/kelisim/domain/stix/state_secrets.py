"""Art. 6: information classified as a state secret under a Party's law is never transferred.

kelisim refuses, at intake, an object that bears the kelisim state-secret marking
(``STATE_SECRET_MARKING_ID``, in object_marking_refs or a granular marking) or whose text carries
a state-secret classification stamp of any Party. The grades and their letter codes are data per
Party and language (``kelisim/data/state_secret_stamps.json``, citing each state's law).

The rule (the same words are in docs/stix-extensions.md, section "State secrets"):

    Every string of the object is read, at any depth, and every property name other than a
    plain lower-case ASCII one (the names STIX defines are such, and are schema). The text is
    normalised first: Unicode NFKC (full-width and mathematical letters become plain ones);
    Latin, Cyrillic and Greek letters that look alike count as the same letter, and so do the
    plain-Cyrillic spellings of Kazakh, Kyrgyz, Tajik and Uzbek letters; invisible characters
    (Unicode format characters such as zero-width spaces and soft hyphens, combining marks,
    variation selectors) are ignored; a grade may be letter-spaced or broken by dots, hyphens,
    underscores or a line break between its letters ("С Е К Р Е Т Н О", "S.E.C.R.E.T",
    "сек-/ретно"). A grade found as a whole word is a stamp, and the object is refused, when:
    1. it is written in capitals ("СЕКРЕТНО", "TOP SECRET", "ҚҰПИЯ"), or with capitals inside
       its words ("СеКрЕтНо"), or letter-spaced - wherever it stands, whatever precedes or
       follows it;
    2. it is enclosed in brackets or quotes: «Совершенно секретно», [Құпия], (Secret);
    3. it stands as a segment of its own: it opens its line or follows the end of a sentence
       (". ! ?") or a spaced dash or bar, and it closes its line or is followed by ". ! ? : ;
       |", a spaced dash or "//": "Секретно", "Отчёт о ходе работ. Секретно", "Құпия: баяндама";
    4. it is followed by a registration mark ("экз. № 2", "№ 3", "copy 1", "дана № 1");
    5. it follows a word that names a grade ("гриф", "грифі", "classification",
       "classified"): "гриф секретно", "classification: secret";
    6. it is followed by "//", as in banner markings ("secret//noforn").
    A letter code of a grade (СС, ОВ, TS) is matched only as written (capitals, its own script)
    and is a stamp under rules 2 to 6.
    Anything else is ordinary text and passes: the words in lower case or sentence case inside a
    sentence ("a secret key", "секретный ключ", "Это совершенно секретно.", "Құпия сөз",
    "Password: secret"). Art. 6 errs on the side of not transferring: a quoted mention such as
    «гриф «Секретно» снят», or an upper-case "SECRET KEY", is refused too; the refusal says why
    and cites Art. 6, so that the sender can reword it.

The reason returned never quotes the object: no byte of a refused object is echoed.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from kelisim.domain.stix.extension import STATE_SECRET_MARKING_ID

__all__ = ["codes", "has_stamp", "stamps", "state_secret_reason"]

REASON_MARKING = ("Refused: the object bears the state-secret marking. Information classified "
                  "as a state secret under a Party's law is not transferred under the "
                  "Agreement (Art. 6); nothing of it was stored.")
REASON_STAMP = ("Refused: the object's text carries a state-secret classification stamp of a "
                "Party (a grade in capitals, in brackets or quotes, standing on its own, or "
                "with a registration mark; the rule is in docs/stix-extensions.md). "
                "Information classified as a state secret under a Party's law is not "
                "transferred under the Agreement (Art. 6); nothing of it was stored.")

_OPENERS = "«\"“„‘'([{<‹‚"
_CLOSERS = "»\"”“’')]}>›‘"
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\v\f\x1c-\x1e\x85]")
_WORD = re.compile(r"\w")
_REGISTRATION = re.compile(
    r"(?:№|#\s*\d|экз\.|(?:экз(?:емпляр)?|прим|асобн\w*|дана|нусха|nusxa|copy|cop\.|"
    r"ex(?:emplar)?|nr|no)\.?\s*(?:№|#|no\.?|nr\.?)?\s*\d)", re.IGNORECASE)
_OPENS = re.compile(r"(?:[.!?…]|\s[-–—|])\s*$")
_CLOSES = re.compile(r"\s*(?:[.!?…:;|]|[-–—]\s|//)")
_LETTERS = re.compile(r"[^\W\d_]+")
_LABEL = re.compile(r"(?<!\w)(?:гриф\w*|classification(?:\s+level)?|classified(?:\s+as)?)"
                    r"[\s:\-–—=]*$", re.IGNORECASE)
_BANNER = re.compile(r"^\s*//")
_BIDI = re.compile("[\u202d\u202e\u2066-\u2069\u200f\u061c]")

# Letters that look alike or are commonly typed for one another (one class per group).
_ALIKE = [
    "aаәα", "bвβ", "cсς", "eеэε", "hнһңη", "iіıİиӣι", "kкқκ", "mмμ", "oоөӧο0", "pрρ",
    "tтτ", "xхҳχ", "yуұүўυ", "гғ", "ş ș", "ţț", "sѕ", "jј", "dԁ", "'ʻ‘’`ʼ",
]
_VISIBLE_GAP = r"[\s.\-_*·•‧∙⋅\u2010-\u2015/\\|~]"


@cache
def _invisible() -> str:
    """A regex of one of the characters the rule ignores: format characters (Cf: zero-width
    spaces and joiners, soft hyphen, bidi controls, tags), combining and enclosing marks (Mn,
    Me, variation selectors among them) and the Hangul fillers. Built from the running
    Python's Unicode tables (planes 0, 1 and 14 hold them all) so a new invisible character
    is covered without a code change."""
    members: list[int] = []
    for start, end in ((0, 0x20000), (0xE0000, 0xE1000)):
        members += [c for c in range(start, min(end, sys.maxunicode + 1))
                    if unicodedata.category(chr(c)) in ("Cf", "Mn", "Me")]
    members += [0x115F, 0x1160, 0x3164, 0xFFA0]
    return _one_of(sorted(c for c in members if c < 0x10000), sorted(c for c in members
                                                                      if c >= 0x10000))


def _one_of(bmp: list[int], astral: list[int]) -> str:
    """A regex matching one of these code points. `re` tests a class of the BMP alone against
    a bitmap, but a class with astral code points range by range (ten times slower, on every
    letter of every string), so the astral ones are only tried on an astral character."""
    return f"(?:{_class(bmp)}|(?=[\U00010000-\U0010ffff]){_class(astral)})"


def _class(members: list[int]) -> str:
    ranges: list[tuple[int, int]] = []
    for c in members:
        if ranges and c == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)
    return f"[{body}]"


@cache
def _invisible_re() -> re.Pattern[str]:
    return re.compile(_invisible())


def _gaps() -> tuple[str, str]:
    """What may stand between two letters of a grade's word, and between two of its words
    (invisible characters are gone by then)."""
    return f"{_VISIBLE_GAP}{{0,2}}", f"{_VISIBLE_GAP}{{0,4}}"


def _base(char: str) -> str:
    """The letter without its diacritics ("ö" -> "o", "й" -> "и"), lower case."""
    decomposed = unicodedata.normalize("NFKD", char.lower())
    return decomposed[0] if decomposed and decomposed[1:].strip(
        "".join(chr(c) for c in range(0x300, 0x370))) == "" else char.lower()


@cache
def _variants() -> dict[str, frozenset[str]]:
    """Base letter -> every precomposed letter on it, both cases, of the alphabets the Parties
    write in (Latin, Greek, Cyrillic, Armenian): a combining accent that NFKC composes with a
    letter of a grade ("Z" + U+0301 -> "Ź") must not hide the grade."""
    variants: dict[str, set[str]] = {}
    for code in (*range(0x41, 0x590), *range(0x1E00, 0x2000)):
        char = chr(code)
        if char.isalpha():
            variants.setdefault(_base(char), set()).update({char, char.lower(), char.upper()})
    return {base: frozenset(chars) for base, chars in variants.items()}


@cache
def _letter_class(char: str) -> str:
    """The regex class of the letters read as `char`: its look-alikes and its accented forms."""
    base = _base(char)
    bases = {base}
    for group in _ALIKE:
        letters = {_base(c) for c in group.replace(" ", "")}
        if base in letters:
            bases |= letters
    members: set[str] = {char, char.lower(), char.upper()}
    for letter in bases:
        members |= {letter, letter.upper()} | _variants().get(letter, frozenset())
    members = {c for c in members if len(c) == 1}
    return "[" + "".join(sorted(re.escape(c) for c in members)) + "]"


@cache
def _data() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(resources.files("kelisim.data").joinpath(
        "state_secret_stamps.json").read_text(encoding="utf-8"))
    return raw


@cache
def stamps() -> dict[str, dict[str, tuple[str, ...]]]:
    """Party (alpha-3) -> language -> grades, from the data file."""
    return {party: {lang: tuple(words) for lang, words in entry["stamps"].items()}
            for party, entry in _data()["parties"].items()}


@cache
def codes() -> dict[str, dict[str, tuple[str, ...]]]:
    """Party (alpha-3) -> language -> letter codes of the grades, from the data file."""
    return {party: {lang: tuple(words) for lang, words in entry.get("codes", {}).items()}
            for party, entry in _data()["parties"].items()}


def _stamp_tokens(stamp: str) -> tuple[str, ...]:
    """A grade as a sequence of regex tokens: a letter class, then a gap, and so on."""
    in_word, between_words = _gaps()
    parts: list[str] = []
    for char in unicodedata.normalize("NFKC", stamp):
        if char.isspace():
            parts.append(between_words)
        elif char == ".":
            parts += [r"\.", between_words]
        else:  # a letter: the in-word gap stands between two letters only
            if parts and parts[-1] not in (in_word, between_words):
                parts.append(in_word)
            parts.append(_letter_class(char))
    return tuple(parts)


def _every_stamp() -> set[str]:
    return {s for by_lang in stamps().values() for words in by_lang.values() for s in words}


def _every_code() -> set[str]:
    return {s for by_lang in codes().values() for words in by_lang.values() for s in words}


def _trie_regex(sequences: list[tuple[str, ...]]) -> str:
    """One alternation with common prefixes factored out: the same language as the plain
    alternation of the sequences, but `re` tries only the branches whose first token fits -
    some hundred kilobytes per TAXII envelope are searched, at every position."""
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
def _grades() -> re.Pattern[str]:
    trie = _trie_regex(sorted({_stamp_tokens(s) for s in _every_stamp()}))
    return re.compile(r"(?<!\w)" + trie + r"(?!\w)", re.IGNORECASE)


@cache
def _codes() -> re.Pattern[str]:
    alternatives = sorted((re.escape(c) for c in _every_code()), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


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
    reversed_too = False
    if not text.isascii():  # ASCII is NFKC already and holds no invisible character
        text = unicodedata.normalize("NFKC", text)
        # Bidi controls can show a reversed run of letters as a grade: read it reversed too.
        reversed_too = _BIDI.search(text) is not None
        if _invisible_re().search(text) is not None:
            text = _invisible_re().sub("", text)
    return _stamped(text) or (reversed_too and _stamped(text[::-1]))


def _stamped(text: str) -> bool:
    breaks: list[int] | None = None  # where lines end, found once a grade is found
    for m in _grades().finditer(text):
        if _written_as_stamp(m.group()):
            return True
        breaks = breaks if breaks is not None else _line_breaks(text)
        if _stands_as_stamp(text, breaks, m.start(), m.end()):
            return True
    for m in _codes().finditer(text):
        breaks = breaks if breaks is not None else _line_breaks(text)
        if _stands_as_stamp(text, breaks, m.start(), m.end()):
            return True
    return False


def _line_breaks(text: str) -> list[int]:
    return [m.start() for m in _LINE_BREAK.finditer(text)]


def _written_as_stamp(found: str) -> bool:
    """Rule 1: capitals, capitals inside a word, or letter-spacing."""
    if not found.islower():  # some letter is a capital
        cased = [c for c in found if c.isupper() or c.islower()]
        if all(c.isupper() for c in cased):
            return True
        if any(c.isupper() for word in _LETTERS.findall(found) for c in word[1:]):
            return True
    return not found.isalpha() and sum(
        1 for word in _LETTERS.findall(found) if len(word) == 1) >= 3


_WINDOW = 64
"""How much of the line around a grade rules 2-6 look at (beyond whether a word precedes or
follows it on its line): a label, a registration mark or a bracket stands next to it."""


def _stands_as_stamp(text: str, breaks: list[int], start: int, end: int) -> bool:
    """Rules 2 to 6: where the grade stands on its line."""
    at = bisect.bisect_left(breaks, start)
    line_start = breaks[at - 1] + 1 if at else 0
    line_end = breaks[at] if at < len(breaks) else len(text)
    before = text[max(line_start, start - _WINDOW):start]
    after = text[end:min(line_end, end + _WINDOW)]
    left, right = before.rstrip(), after.lstrip()
    if left[-1:] and left[-1] in _OPENERS and right[:1] and right[0] in _CLOSERS:
        return True
    opens = _WORD.search(text, line_start, start) is None or _OPENS.search(before)
    if opens and (_WORD.search(text, end, line_end) is None or _CLOSES.match(after)):
        return True
    if _REGISTRATION.match(right.lstrip(",;:/-–—( ")):
        return True
    return _LABEL.search(before) is not None or _BANNER.match(after) is not None


_MAX_DEPTH = 64


def _any_stamped(value: Any, depth: int = 0) -> bool:
    """Does any string in value, at any depth, carry a stamp? A plain recursion, not a
    generator: this walk visits every string of every posted object. Deeper than intake
    admits, a value is refused rather than left unread."""
    if isinstance(value, str):
        return has_stamp(value)
    if depth > _MAX_DEPTH:
        return True
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and not (key.isascii() and key.islower()) and \
                    has_stamp(key):
                return True
            if _any_stamped(item, depth + 1):
                return True
        return False
    if isinstance(value, list | tuple):
        return any(_any_stamped(item, depth + 1) for item in value)
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
