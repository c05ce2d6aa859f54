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

# (kk, ru, en) title, then (kk, ru, en) summary, per article.
_ARTICLE_LABELS: dict[int, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    1: (
        ("Келісімнің мақсаты", "Цель Соглашения", "Purpose of the Agreement"),
        (
            "Келісімге қатысушы мемлекеттерде ақпараттық қауіпсіздікті қамтамасыз етуге "
            "бағытталған бірлескен үйлестірілген іс-шаралар өткізу.",
            "Проведение совместных скоординированных мероприятий, направленных на обеспечение "
            "информационной безопасности в государствах – участниках Соглашения.",
            "Joint coordinated measures aimed at ensuring information security in the states "
            "participating in the Agreement.",
        ),
    ),
    2: (
        ("Терминдер", "Термины", "Terms"),
        (
            "Келісімде қолданылатын терминдердің мағыналары, оның ішінде ақпараттық "
            "қауіпсіздікке төнетін қауіп-қатерлердің қатарына ақпараттық қаруды әзірлеу және "
            "қолдану, ақпараттық терроризм және ақпараттық қылмыстылық жатады.",
            "Значения используемых терминов; к угрозам информационной безопасности относятся, "
            "в том числе, разработка и применение информационного оружия, информационный "
            "терроризм и информационная преступность.",
            "Meanings of the terms used; threats to information security include the "
            "development and use of information weapons, information terrorism and "
            "information crime.",
        ),
    ),
    3: (
        (
            "Ынтымақтастықтың негізгі бағыттары",
            "Основные направления сотрудничества",
            "Main directions of cooperation",
        ),
        (
            "Тараптар өзара іс-қимыл мен ынтымақтастықты ұйымдастыратын он тоғыз негізгі бағыт.",
            "Девятнадцать основных направлений, по которым Стороны организуют взаимодействие "
            "и сотрудничество.",
            "The nineteen main directions in which the Parties organise interaction and "
            "cooperation.",
        ),
    ),
    4: (
        ("Ынтымақтастық нысандары", "Формы сотрудничества", "Forms of cooperation"),
        (
            "АКТ-ны құқыққа қайшы пайдалану қатерлеріне қарсы шоғырландырылған күш-жігер; "
            "мемлекетаралық бағдарламалар мен жобалар; деректер алмасу тәртібін оңайлату; "
            "ұйымдардың қатысуы; бірлескен іс-шаралар; консультациялар.",
            "Консолидированные усилия против угроз противоправного использования ИКТ; "
            "межгосударственные программы и проекты; упрощение порядка обмена данными; "
            "участие организаций; совместные мероприятия; консультации.",
            "Concerted effort against threats of unlawful use of ICT; interstate programmes "
            "and projects; simpler data exchange; participation of organisations; joint "
            "measures; consultations.",
        ),
    ),
    5: (
        ("Кезең-кезеңімен іске асыру", "Поэтапная реализация", "Implementation in stages"),
        (
            "Бірінші кезеңде ақпаратты жинау, талдау және алмасу, нормативтік құқықтық "
            "актілерді әзірлеу, алмасу тәртібін оңайлату; келесі кезеңдерде 3-баптағы "
            "бағыттарды келісілген мерзімдерде іске асыру.",
            "На первом этапе – сбор, анализ и обмен информацией, разработка нормативных "
            "правовых актов, упрощение порядка обмена; на последующих этапах – реализация "
            "направлений статьи 3 в согласованные сроки.",
            "First stage: collecting, analysing and exchanging information, drafting legal "
            "acts, simplifying exchange; later stages: carrying out the Art. 3 directions "
            "within agreed deadlines.",
        ),
    ),
    6: (
        (
            "Қолжетімділігі шектеулі ақпарат және мемлекеттік құпия",
            "Информация ограниченного доступа и государственная тайна",
            "Restricted-access information and state secrets",
        ),
        (
            "Келісімді іске асыру кезінде белгілі болған қолжетімділігі шектеулі ақпарат "
            "жария етілмейді және қорғалады; мемлекеттік құпияға жатқызылған мәліметтер Келісім "
            "шеңберінде берілмейді.",
            "Информация ограниченного доступа, ставшая известной при реализации Соглашения, "
            "не разглашается и защищается; сведения, отнесённые к государственной тайне, в "
            "рамках Соглашения не передаются.",
            "Restricted-access information learnt while carrying out the Agreement is not "
            "disclosed and is protected; information classified as a state secret is not "
            "transferred under the Agreement.",
        ),
    ),
    7: (
        ("Шығыстар", "Расходы", "Costs"),
        (
            "Әрбір нақты жағдайда өзгеше тәртіп келісілмесе, Тараптар шығыстарды дербес көтереді.",
            "Стороны самостоятельно несут расходы, если в каждом конкретном случае не "
            "согласован иной порядок.",
            "Each Party bears its own costs unless another arrangement is agreed in each "
            "specific case.",
        ),
    ),
    8: (
        ("Уәкілетті органдар", "Уполномоченные органы", "Authorized bodies"),
        (
            "Келісімді іске асыруға уәкілетті органдар жауапты; әрбір Тарап олардың тізбесін "
            "мемлекетішілік рәсімдер туралы хабарламамен бірге депозитарийге береді және "
            "тізбедегі өзгерістер туралы 30 күн ішінде жазбаша хабардар етеді.",
            "За реализацию Соглашения отвечают уполномоченные органы; каждая Сторона передаёт "
            "их перечень депозитарию вместе с уведомлением о выполнении внутригосударственных "
            "процедур и в течение 30 дней письменно уведомляет об изменениях в перечне.",
            "The authorized bodies are responsible for carrying out the Agreement; each Party "
            "gives their list to the depositary with its notification of completed domestic "
            "procedures and notifies changes to the list in writing within 30 days.",
        ),
    ),
    9: (
        (
            "Ақпарат және тәжірибе алмасу",
            "Обмен информацией и опытом",
            "Exchange of information and experience",
        ),
        (
            "Уәкілетті органдар өзара іс-қимыл мен 3-баптағы бағыттар бойынша ақпарат "
            "алмасады және ақпараттық қауіпсіздік, ақпараттық технологиялар мен ақпаратты "
            "қорғау құралдары мәселелері бойынша тәжірибе алмасады.",
            "Уполномоченные органы обмениваются информацией о взаимодействии и по "
            "направлениям статьи 3, а также опытом по вопросам информационной безопасности, "
            "информационных технологий и средств защиты информации.",
            "The authorized bodies exchange information on their interaction and on the "
            "Art. 3 directions, and exchange experience on information security, information "
            "technologies and information protection tools.",
        ),
    ),
    10: (
        (
            "Басқа халықаралық шарттар",
            "Другие международные договоры",
            "Other international treaties",
        ),
        (
            "Келісім Тараптардың басқа халықаралық шарттардан туындайтын құқықтары мен "
            "міндеттемелерін қозғамайды.",
            "Соглашение не затрагивает прав и обязательств Сторон, вытекающих из других "
            "международных договоров.",
            "The Agreement does not affect the Parties' rights and obligations under other "
            "international treaties.",
        ),
    ),
    11: (
        ("Өзгерістер мен толықтырулар", "Изменения и дополнения", "Amendments and additions"),
        (
            "Тараптардың өзара келісуі бойынша, Келісімнің ажырамас бөлігі болып табылатын "
            "хаттамалармен ресімделеді.",
            "Вносятся по взаимному согласию Сторон и оформляются протоколами, являющимися "
            "неотъемлемой частью Соглашения.",
            "Made by mutual consent of the Parties, in protocols forming an integral part of "
            "the Agreement.",
        ),
    ),
    12: (
        ("Дауларды шешу", "Разрешение споров", "Settlement of disputes"),
        (
            "Келісімді қолдану және түсіндіру жөніндегі даулы мәселелер мүдделі Тараптардың "
            "консультациялары мен келіссөздері арқылы шешіледі.",
            "Спорные вопросы применения и толкования Соглашения решаются путём консультаций и "
            "переговоров заинтересованных Сторон.",
            "Disputes over applying or interpreting the Agreement are settled by consultations "
            "and negotiations of the Parties concerned.",
        ),
    ),
    13: (
        ("Күшіне енуі", "Вступление в силу", "Entry into force"),
        (
            "Депозитарий мемлекетішілік рәсімдердің орындалғаны туралы үшінші хабарламаны "
            "алған күннен бастап 30 күн өткен соң; рәсімдерді кешірек орындаған Тараптар үшін "
            "депозитарий олардың құжаттарын алған күннен бастап 30 күн өткен соң.",
            "По истечении 30 дней с даты получения депозитарием третьего уведомления о "
            "выполнении внутригосударственных процедур; для Сторон, выполнивших их позднее, – "
            "по истечении 30 дней с даты получения депозитарием соответствующих документов.",
            "30 days after the depositary receives the third notification of completed "
            "domestic procedures; for Parties completing them later, 30 days after the "
            "depositary receives their documents.",
        ),
    ),
    14: (
        ("Қосылу", "Присоединение", "Accession"),
        (
            "Күшіне енгеннен кейін ТМД-ға кез келген қатысушы мемлекеттің қосылуы үшін ашық; "
            "қосылатын мемлекет үшін депозитарий қосылу туралы құжатты алған күннен бастап "
            "30 күн өткен соң күшіне енеді.",
            "После вступления в силу открыто для присоединения любого государства – участника "
            "СНГ; для присоединяющегося государства вступает в силу по истечении 30 дней с "
            "даты получения депозитарием документа о присоединении.",
            "After entry into force, open to accession by any CIS member state; for an "
            "acceding state it enters into force 30 days after the depositary receives the "
            "instrument of accession.",
        ),
    ),
    15: (
        ("Қолданылу мерзімі және шығу", "Срок действия и выход", "Duration and withdrawal"),
        (
            "Белгіленбеген мерзімге жасалады; Тарап шыққанға дейін 6 айдан кешіктірмей "
            "депозитарийге жазбаша хабарлама жіберіп және туындаған міндеттемелерді реттей "
            "отырып, Келісімнен шыға алады.",
            "Заключено на неопределённый срок; Сторона вправе выйти, направив депозитарию "
            "письменное уведомление не позднее чем за 6 месяцев до выхода и урегулировав "
            "возникшие обязательства.",
            "Concluded for an indefinite period; a Party may withdraw by written notice to the "
            "depositary no later than 6 months before withdrawing, settling the obligations "
            "that arose while it applied.",
        ),
    ),
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
    articles = []
    for number in range(1, _ARTICLE_COUNT + 1):
        titles, summary = _ARTICLE_LABELS[number]
        articles.append(
            Article(
                number=number,
                text_kk="\n".join(parsed.articles[number]),
                titles=dict(zip(LANGUAGES, titles, strict=True)),
                summary=dict(zip(LANGUAGES, summary, strict=True)),
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
