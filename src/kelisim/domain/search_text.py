"""Full-text search: one normal form of text in Kazakh, Russian and English, what of a STIX
object is searched, and the query language (issue 16, item 3; docs/decisions/0018).

Why plain Python: the two databases must give the same answers. SQLite's FTS5 and PostgreSQL's
text search each fold case and split words their own way (PostgreSQL's parser reads `1e3x` as
the number `1e3` and the word `x`; FTS5's tokenizers know Unicode 6.1), so neither is asked to:
text is folded and split here, into tokens of letters and digits; the databases store and match
exactly these tokens (FTS5's `ascii` tokenizer splits only at the spaces written between them;
PostgreSQL gets a tsvector literal, never its parser). A query goes through the same `tokens`.

Folding (`fold`): Unicode case folding; Kazakh letters to their Russian base letters (ә→а, ғ→г,
қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и), as a Kazakh writer without a Kazakh keyboard types them;
ё→е, as Russian is usually printed; every other diacritic dropped (é→e, ö→o, ş→s, and the
Kazakh Latin alphabet of 2021: ä→a, ğ→g, ı→i, ñ→n, ū→u, ü→u). й stays й: it is a letter of its
own in Russian and Kazakh, not и with a mark, and folding it would merge unrelated words.

Query (`parse_query`): words, all of which must occur (AND); a "quoted phrase", whose words
must occur in that order, adjacent; a prefix `word*`. A word that folds to several tokens
(`evil.example`, `c2-server`, an IP address) is searched as a phrase of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.domain.stix.observables import Observable, observables
from kelisim.domain.stix.patterns import pattern_values

__all__ = ["MAX_QUERY", "MAX_TERMS", "MAX_TOKENS", "SPEC", "Term", "TextQuery", "document",
           "fold", "parse_query", "tokens"]

SPEC = "issue 16, full-text search"
MAX_TOKEN = 200
"""Longer runs of letters and digits (none is a word; a SHA-512 is 128) are not indexed."""
MAX_TOKENS = 4000
"""Tokens indexed per object version (PostgreSQL keeps word positions up to 16,383)."""
MAX_QUERY = 500
MAX_TERMS = 16
MIN_PREFIX = 2

_LETTERS = {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
            "і": "и", "ё": "е", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t"}
_KEPT = "\x00"
"""Stands for й while marks are dropped (й is и plus a breve once decomposed)."""
_MARKS: dict[int, str | None] = {code: None for code in range(0x20000)
                                 if unicodedata.combining(chr(code))}
"""Combining marks (none is assigned beyond plane 1)."""
_TABLE: dict[int, str | None] = {**_MARKS, **{ord(k): v for k, v in _LETTERS.items()},
                                 ord(_KEPT): "й"}
_TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """The text in the one form both the index and the queries use (see the module)."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    composed = unicodedata.normalize("NFC", folded)  # a decomposed й is й too
    decomposed = unicodedata.normalize("NFKD", composed.replace("й", _KEPT))
    # Letters decomposed into a base and marks may have folded letters inside (ї -> і + ̈).
    return unicodedata.normalize("NFC", decomposed.translate(_TABLE))


def tokens(text: str) -> list[str]:
    """The folded text's runs of letters and digits, in order (too long ones left out)."""
    return [t for t in _TOKEN.findall(fold(text)) if len(t) <= MAX_TOKEN]


def document(obj: dict[str, Any], values: Sequence[Observable] | None = None) -> str:
    """What is searched of one STIX object, as tokens joined by spaces: its name, description,
    labels and aliases, its external references (source name, external id, description, url),
    and the values it carries (an SCO's value, the strings an indicator's STIX pattern compares
    with, read by the intake's pattern grammar). At most `MAX_TOKENS` tokens. `values`: the
    object's `observables`, when the caller has them already (the intake does)."""
    found: list[str] = []
    for text in _texts(obj, observables(obj) if values is None else values):
        found.extend(tokens(text))
        if len(found) >= MAX_TOKENS:
            break
    return " ".join(found[:MAX_TOKENS])


def _texts(obj: dict[str, Any], observed: Sequence[Observable]) -> Iterator[str]:
    for name in ("name", "description"):
        yield from _strings(obj.get(name))
    for name in ("labels", "aliases", "x_mitre_aliases"):
        yield from _strings(obj.get(name))
    references = obj.get("external_references")
    if isinstance(references, list):
        for reference in references:
            if isinstance(reference, dict):
                for name in ("source_name", "external_id", "description", "url"):
                    yield from _strings(reference.get(name))
    values = dict.fromkeys(found.value for found in observed)
    if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix" \
            and isinstance(obj.get("pattern"), str):
        values.update(dict.fromkeys(compared[3] for compared in pattern_values(obj["pattern"])))
    yield from values


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return ()


@dataclass(frozen=True)
class Term:
    """Tokens that must occur adjacent, in order (one token: a word); with `prefix`, the last
    one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class TextQuery:
    """Every term must match (AND)."""

    terms: tuple[Term, ...]


_PIECE = re.compile(r'"([^"]*)"(\*?)|([^\s"]+)|(")')


def parse_query(text: str) -> TextQuery:
    """The terms of a query (see the module); InvalidInput naming what is wrong with it."""
    if len(text) > MAX_QUERY:
        raise InvalidInput(Message(N_("The query is {length} characters long; at most {limit} "
                                      "(issue 16, full-text search)."),
                                   length=len(text), limit=MAX_QUERY), parameter="q")
    terms: list[Term] = []
    for match in _PIECE.finditer(text):
        phrase, starred, word, stray = match.groups()
        if stray is not None:
            raise InvalidInput(Message(N_('The query opens a quotation mark (") that it does '
                                          "not close; close the phrase or remove the mark "
                                          "(issue 16, full-text search).")), parameter="q")
        term = _phrase(phrase, starred) if phrase is not None else _word(word)
        if term is not None and term not in terms:
            terms.append(term)
    if not terms:
        raise InvalidInput(Message(N_('The query has no word to search for: give words of '
                                      'letters or digits, a "quoted phrase" or a prefix such '
                                      "as malw* (issue 16, full-text search).")),
                           parameter="q")
    if len(terms) > MAX_TERMS:
        raise InvalidInput(Message(N_("The query has {count} words or phrases; at most "
                                      "{limit} (issue 16, full-text search)."),
                                   count=len(terms), limit=MAX_TERMS), parameter="q")
    return TextQuery(tuple(terms))


def _phrase(text: str, starred: str) -> Term | None:
    found = tokens(text)
    if not found:
        raise InvalidInput(Message(N_('The phrase "{phrase}" has no word of letters or digits '
                                      "in it (issue 16, full-text search)."),
                                   phrase=text[:40]), parameter="q")
    return _term(found, bool(starred), f'"{text[:40]}"*')


def _word(word: str) -> Term | None:
    prefix = word.endswith("*")
    body = word.rstrip("*") if prefix else word
    if "*" in body:
        raise InvalidInput(Message(N_("{word!r}: * marks a prefix and only ends a word, as "
                                      "in malw* (issue 16, full-text search)."),
                                   word=word[:40]), parameter="q")
    found = tokens(body)
    if not found:
        if prefix:
            raise InvalidInput(Message(N_("{word!r}: a prefix needs letters or digits before "
                                          "the * (issue 16, full-text search)."),
                                       word=word[:40]), parameter="q")
        return None  # punctuation alone, such as a dash between words
    return _term(found, prefix, word)


def _term(found: list[str], prefix: bool, written: str) -> Term:
    if prefix and len(found[-1]) < MIN_PREFIX:
        raise InvalidInput(Message(N_("{word!r}: a prefix has at least {count} letters or "
                                      "digits before the * (issue 16, full-text search)."),
                                   word=written[:40], count=MIN_PREFIX), parameter="q")
    return Term(tuple(found), prefix)


def matches(query: TextQuery, words: Sequence[str]) -> bool:
    """Whether a text's tokens (`tokens`) hold every term of `query`: a term's tokens adjacent
    and in order, its last one a prefix when the term says so. The same query language as the
    exchange's full-text index, for the small collections searched in memory (the workspace's
    library of practice)."""
    return all(_holds(term, words) for term in query.terms)


def _holds(term: Term, words: Sequence[str]) -> bool:
    size = len(term.tokens)
    for start in range(len(words) - size + 1):
        window = words[start:start + size]
        if list(window[:-1]) != list(term.tokens[:-1]):
            continue
        last, wanted = window[-1], term.tokens[-1]
        if last == wanted or (term.prefix and last.startswith(wanted)):
            return True
    return False
