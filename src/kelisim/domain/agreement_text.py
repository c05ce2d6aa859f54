"""The text of the 2013 CIS information-security Agreement, as data the rest of kelisim can cite.

Why this module exists: every rule the platform enforces comes from a numbered article of the
Agreement (done at Saint Petersburg on 20 November 2013), and every record it keeps uses the
vocabulary of Art. 2 and the directions of cooperation of Art. 3. Rather than re-typing that text
in many places, the certified Kazakh translation shipped as package data
(``kelisim/data/agreement-2013-kk.txt``) is parsed here, once, into frozen values:

* :func:`load_agreement` - title, preamble, the fifteen articles split on their ``N-бап``
  headings, the final clause, the certification note and the governments named in the signature
  blocks (which are *not* proof of signature or of being in force: status is what the depositary
  records under Art. 13-15).
* :func:`glossary` - the Art. 2 terms. The Kazakh term and definition are parsed from the text;
  Russian and English come from ``kelisim/data/glossary.json``, matched by the exact Kazakh term.
  The Art. 2 sentence "for the purposes of this Agreement threats to information security are
  understood to include the development and use of information weapons, information terrorism
  and information crime" is not a ``term - definition`` line; it is appended (as a second
  sentence) to the definition of ``threats_to_information_security``, which it qualifies, so the
  glossary holds exactly the terms the article defines.
* :func:`directions` - the nineteen Art. 3 directions (the Kazakh text runs directions 6 and 7
  together on one line; splitting on ``;`` separates them). Russian and English come from
  ``kelisim/data/directions.json``.
* :data:`THREAT_CLASSES` - the three classes of threat named in Art. 2.

Article titles and summaries are short labels written for the platform (the Agreement itself
has no article headings); the Russian and English are translations of the Kazakh. The Kazakh
file is the source: where a label and the article text differ, the text wins.

Everything here is pure: it reads package data only, never the network or a database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from kelisim.domain.errors import InvalidInput, NotFound

__all__ = [
    "AGREEMENT_KEY",
    "LANGUAGES",
    "THREAT_CLASSES",
    "AgreementText",
    "Article",
    "Definition",
    "Direction",
    "Term",
    "directions",
    "glossary",
    "load_agreement",
]

AGREEMENT_KEY = "cis-infosec-2013"
LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")

_DATA_PACKAGE = "kelisim.data"
_SEED_FILE = "agreement-2013-kk.txt"
_GLOSSARY_FILE = "glossary.json"
_DIRECTIONS_FILE = "directions.json"
_ARTICLES_FILE = "articles.json"

_ARTICLE_COUNT = 15
_DIRECTION_COUNT = 19


# --------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Article:
    """One article: its number, its Kazakh body (paragraphs joined by newlines) and labels.

    ``titles`` and ``summary`` are keyed by language (kk, ru, en). Treat the dicts as read-only:
    the value is cached and shared.
    """

    number: int
    text_kk: str
    titles: dict[str, str]
    summary: dict[str, str]


@dataclass(frozen=True)
class AgreementText:
    """The Agreement as parsed from the Kazakh seed text plus fixed facts from its final clause."""

    key: str
    titles: dict[str, str]
    signed_on: date
    place: dict[str, str]
    depositary: dict[str, str]
    preamble_kk: str
    articles: tuple[Article, ...]
    signature_blocks: tuple[str, ...]
    final_clause_kk: str
    certification_kk: str

    def article(self, number: int) -> Article:
        """The article with this number (1-15); raises NotFound otherwise."""
        for art in self.articles:
            if art.number == number:
                return art
        raise NotFound(
            f"The Agreement has articles 1-{len(self.articles)}; there is no article {number}."
        )


@dataclass(frozen=True)
class Definition:
    """A term and its definition in one language."""

    term: str
    definition: str


@dataclass(frozen=True)
class Term:
    """An Art. 2 term; ``key`` is a stable snake_case English identifier."""

    key: str
    kk: Definition
    ru: Definition
    en: Definition

    def in_language(self, lang: str) -> Definition:
        if lang not in LANGUAGES:
            raise InvalidInput(f"Unknown language {lang!r}; expected one of {LANGUAGES}.")
        return getattr(self, lang)


@dataclass(frozen=True)
class Direction:
    """An Art. 3 main direction of cooperation; ``texts`` keyed by kk, ru, en."""

    number: int
    key: str
    texts: dict[str, str]


# The three classes of threat that Art. 2 says threats to information security include.
# The Kazakh wording is the one used in the Art. 2 sentence on threats.
THREAT_CLASSES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "information_weapon": MappingProxyType(
            {
                "kk": "ақпараттық қаруды әзірлеу және қолдану",
                "ru": "разработка и применение информационного оружия",
                "en": "development and use of information weapons",
            }
        ),
        "information_terrorism": MappingProxyType(
            {
                "kk": "ақпараттық терроризм",
                "ru": "информационный терроризм",
                "en": "information terrorism",
            }
        ),
        "information_crime": MappingProxyType(
            {
                "kk": "ақпараттық қылмыстылық",
                "ru": "информационная преступность",
                "en": "information crime",
            }
        ),
    }
)


# --------------------------------------------------------------------------------------------
# Fixed facts and labels (not parsed: the seed text states them in prose or not at all)

_TITLES_RU = (
    "Соглашение о сотрудничестве государств – участников Содружества Независимых Государств "
    "в области обеспечения информационной безопасности"
)
_TITLES_EN = (
    "Agreement on cooperation of the member states of the Commonwealth of Independent States "
    "in ensuring information security"
)
_PLACE = {"kk": "Санкт-Петербург", "ru": "Санкт-Петербург", "en": "Saint Petersburg"}
_DEPOSITARY = {
    "kk": "Тәуелсіз Мемлекеттер Достастығының Атқарушы комитеті",
    "ru": "Исполнительный комитет Содружества Независимых Государств",
    "en": "Executive Committee of the Commonwealth of Independent States",
}
_SIGNED_ON = date(2013, 11, 20)

# Genitive names as they stand in the Kazakh signature blocks ("X Үкіметі атынан").
_SIGNATORY_CODES: dict[str, str] = {
    "Әзербайжан Республикасының": "AZE",
    "Ресей Федерациясының": "RUS",
    "Армения Республикасының": "ARM",
    "Тәжікстан Республикасының": "TJK",
    "Беларусь Республикасының": "BLR",
    "Түрікменстан Республикасының": "TKM",
    "Қазақстан Республикасының": "KAZ",
    "Өзбекстан Республикасының": "UZB",
    "Қырғыз Республикасының": "KGZ",
    "Украинаның": "UKR",
    "Молдова Республикасының": "MDA",
}

# --------------------------------------------------------------------------------------------
# Parsing

_HEADING = re.compile(r"^(\d+)-бап\s*$")
_PARAGRAPH_INDENT = "      "
# "term - definition": a dash with spaces either side; a few lines of the seed use an em dash,
# and one ("ақпараттық терроризм-ақпараттық ...") has no spaces at all (fallback below).
_SPACED_DASH = re.compile(r"\s+[-–—]\s+")
_BARE_DASH = re.compile(r"[-–—]")
_DONE_AT = re.compile(r"^\d{4} жылғы \d+ \w+ ")
_SIGNATURE_SPLIT = re.compile(r"Үкіметі\s+атынан")
_ART3_INTRO_END = "бағыттар:"
_ART3_CLOSING = " бойынша өзара іс-қимыл мен ынтымақтастықты ұйымдастырады."


class AgreementTextError(ValueError):
    """The packaged data does not parse as expected: a packaging bug, never a user error."""


def _read_text(name: str) -> str:
    return resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _read_json(name: str) -> Any:
    return json.loads(_read_text(name))


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("( ", "(").replace(" )", ")")


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: an indented line starts one, unindented lines continue it.

    Blank lines (the seed has page breaks mid-paragraph) are ignored.
    """
    paragraphs: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        if line.startswith(_PARAGRAPH_INDENT) or not paragraphs:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [_normalise(" ".join(p)) for p in paragraphs]


@dataclass(frozen=True)
class _Parsed:
    title_kk: str
    preamble: list[str]
    articles: dict[int, list[str]]
    final_clause: str
    signature_blocks: tuple[str, ...]
    certification: str


@cache
def _parsed() -> _Parsed:
    lines = _read_text(_SEED_FILE).splitlines()

    try:
        title_end = next(i for i, line in enumerate(lines) if line.strip() == "КЕЛІСІМ")
    except StopIteration:
        raise AgreementTextError("seed text has no 'КЕЛІСІМ' title line") from None
    title_kk = _normalise(" ".join(lines[:title_end])) + " келісім"

    headings = [(i, int(m.group(1))) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    numbers = [n for _, n in headings]
    if numbers != list(range(1, _ARTICLE_COUNT + 1)):
        raise AgreementTextError(f"expected article headings 1..{_ARTICLE_COUNT}, got {numbers}")

    preamble = _paragraphs(lines[title_end + 1 : headings[0][0]])

    # Where the signature blocks start: the first name line followed by "Үкіметі атынан".
    last_heading = headings[-1][0]
    sig_start = next(
        i
        for i in range(last_heading + 1, len(lines) - 1)
        if lines[i].strip() and lines[i + 1].lstrip().startswith("Үкіметі атынан")
    )
    cert_start = next(
        i for i in range(sig_start, len(lines)) if lines[i].startswith(_PARAGRAPH_INDENT)
    )

    articles: dict[int, list[str]] = {}
    bounds = [*(i for i, _ in headings), sig_start]
    for (start, number), end in zip(headings, bounds[1:], strict=True):
        articles[number] = _paragraphs(lines[start + 1 : end])

    # The last article's final paragraph is the "done at ... in one original" clause.
    tail = articles[_ARTICLE_COUNT]
    done_at = [i for i, p in enumerate(tail) if _DONE_AT.match(p)]
    if len(done_at) != 1:
        raise AgreementTextError("could not find the 'done at' clause after the last article")
    final_clause = " ".join(tail[done_at[0] :])
    articles[_ARTICLE_COUNT] = tail[: done_at[0]]

    sig_text = " ".join(line.strip() for line in lines[sig_start:cert_start])
    names = [_normalise(part) for part in _SIGNATURE_SPLIT.split(sig_text)]
    codes: list[str] = []
    for name in names:
        if not name:
            continue
        if name not in _SIGNATORY_CODES:
            raise AgreementTextError(f"unknown government in signature blocks: {name!r}")
        codes.append(_SIGNATORY_CODES[name])

    certification = " ".join(_paragraphs(lines[cert_start:]))
    return _Parsed(
        title_kk=title_kk,
        preamble=preamble,
        articles=articles,
        final_clause=final_clause,
        signature_blocks=tuple(codes),
        certification=certification,
    )


@cache
def load_agreement() -> AgreementText:
    """The Agreement, parsed from the packaged Kazakh text (cached; values are shared)."""
    parsed = _parsed()
    labels = _read_json(_ARTICLES_FILE)  # titles and summaries in kk, ru, en, written by hand
    articles = []
    for number in range(1, _ARTICLE_COUNT + 1):
        label = labels[str(number)]
        articles.append(
            Article(
                number=number,
                text_kk="\n".join(parsed.articles[number]),
                titles={lang: label["titles"][lang] for lang in LANGUAGES},
                summary={lang: label["summary"][lang] for lang in LANGUAGES},
            )
        )
    return AgreementText(
        key=AGREEMENT_KEY,
        titles={"kk": parsed.title_kk, "ru": _TITLES_RU, "en": _TITLES_EN},
        signed_on=_SIGNED_ON,
        place=dict(_PLACE),
        depositary=dict(_DEPOSITARY),
        preamble_kk="\n".join(parsed.preamble),
        articles=tuple(articles),
        signature_blocks=parsed.signature_blocks,
        final_clause_kk=parsed.final_clause,
        certification_kk=parsed.certification,
    )


def _split_term(paragraph: str) -> tuple[str, str]:
    match = _SPACED_DASH.search(paragraph) or _BARE_DASH.search(paragraph)
    if match is None:
        raise AgreementTextError(f"Art. 2 line has no 'term - definition' dash: {paragraph!r}")
    return paragraph[: match.start()].strip(), paragraph[match.end() :].strip()


def _parse_glossary_kk() -> list[tuple[str, str]]:
    """(term, definition) pairs from Art. 2, in the order of the text.

    A paragraph that starts with a capital letter is not a term line (terms are lower case);
    it qualifies the term before it and is appended to that term's definition.
    """
    paragraphs = _parsed().articles[2]
    if not paragraphs or not paragraphs[0].endswith(":"):
        raise AgreementTextError("Art. 2 does not open with its 'terms mean:' sentence")
    pairs: list[tuple[str, str]] = []
    for paragraph in paragraphs[1:]:
        body = paragraph.rstrip(";.").strip()
        if body[:1].isupper():
            if not pairs:
                raise AgreementTextError(f"Art. 2 sentence before any term: {body!r}")
            term, definition = pairs[-1]
            pairs[-1] = (term, f"{definition}. {body}")
            continue
        pairs.append(_split_term(body))
    return pairs


@cache
def glossary() -> tuple[Term, ...]:
    """The Art. 2 terms in the order the article gives them (cached)."""
    entries = _read_json(_GLOSSARY_FILE)["terms"]
    by_kk_term = {entry["kk_term"]: entry for entry in entries}
    if len(by_kk_term) != len(entries):
        raise AgreementTextError("glossary.json repeats a kk_term")
    terms: list[Term] = []
    for kk_term, kk_definition in _parse_glossary_kk():
        entry = by_kk_term.pop(kk_term, None)
        if entry is None:
            raise AgreementTextError(f"glossary.json has no entry for Art. 2 term {kk_term!r}")
        terms.append(
            Term(
                key=entry["key"],
                kk=Definition(kk_term, kk_definition),
                ru=Definition(entry["ru"]["term"], entry["ru"]["definition"]),
                en=Definition(entry["en"]["term"], entry["en"]["definition"]),
            )
        )
    if by_kk_term:
        raise AgreementTextError(f"glossary.json entries not in Art. 2: {sorted(by_kk_term)}")
    keys = [t.key for t in terms]
    if len(set(keys)) != len(keys):
        raise AgreementTextError("glossary.json repeats a key")
    return tuple(terms)


def _parse_directions_kk() -> list[str]:
    paragraphs = _parsed().articles[3]
    if not paragraphs or not paragraphs[0].endswith(_ART3_INTRO_END):
        raise AgreementTextError("Art. 3 does not open with 'Тараптар мынадай негізгі бағыттар:'")
    body = " ".join(paragraphs[1:])
    if not body.endswith(_ART3_CLOSING):
        raise AgreementTextError("Art. 3 does not close with '... ынтымақтастықты ұйымдастырады.'")
    body = body[: -len(_ART3_CLOSING)]
    return [_normalise(item) for item in body.split(";") if item.strip()]


@cache
def directions() -> tuple[Direction, ...]:
    """The nineteen Art. 3 directions, numbered in the order of the text (cached)."""
    kk_texts = _parse_directions_kk()
    if len(kk_texts) != _DIRECTION_COUNT:
        raise AgreementTextError(f"expected {_DIRECTION_COUNT} directions, got {len(kk_texts)}")
    entries = {entry["number"]: entry for entry in _read_json(_DIRECTIONS_FILE)["directions"]}
    if sorted(entries) != list(range(1, _DIRECTION_COUNT + 1)):
        raise AgreementTextError("directions.json must number directions 1..19 once each")
    return tuple(
        Direction(
            number=number,
            key=entries[number]["key"],
            texts={"kk": kk, "ru": entries[number]["ru"], "en": entries[number]["en"]},
        )
        for number, kk in enumerate(kk_texts, start=1)
    )
