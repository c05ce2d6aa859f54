"""The full-text normal form and query language (issue 16, item 3): one plain-Python folding of
Kazakh, Russian and English that the index and the queries share, what of an object is
searched, and how a query is read and refused."""

from __future__ import annotations

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.search_text import (
    MAX_TOKENS,
    Term,
    document,
    fold,
    parse_query,
    tokens,
)
from kelisim.storage.text_index import fts5_match, tsquery_literal, tsvector_literal

FOLDING = [
    # Kazakh Cyrillic: the nine letters of its own, to their Russian base letters
    ("Қазақстан", "казакстан"),
    ("ӘУЕ ЖОЛЫ", "ауе жолы"),
    ("ғылым", "гылым"),
    ("Ұлттық қауіпсіздік", "улттык кауипсиздик"),
    ("өнеркәсіп", "онеркасип"),
    ("үкімет", "укимет"),
    ("ақпараттық", "акпараттык"),
    ("Һ һ", "х х"),
    ("Іздеу", "издеу"),
    ("мың", "мын"),
    # Russian: case, ё as е, й kept as a letter of its own
    ("ЁЛКА", "елка"),
    ("Всё", "все"),
    ("Йошкар-Ола", "йошкар-ола"),
    ("ЙОД", "йод"),
    ("Фишинговая кампания", "фишинговая кампания"),
    # English and Latin accents; the Kazakh Latin alphabet (2021)
    ("Malware CAMPAIGN", "malware campaign"),
    ("Café naïve", "cafe naive"),
    ("Straße", "strasse"),
    ("Qazaqstan Respýblıkasy", "qazaqstan respyblikasy"),
    ("ä ğ ı ñ ö ū ü ş", "a g i n o u u s"),
    ("İstanbul", "istanbul"),
    # a decomposed letter folds as the composed one
    ("е\u0308лка", "елка"),
]


@pytest.mark.parametrize(("written", "folded"), FOLDING)
def test_folding_rule_table(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_composed_and_decomposed_text_fold_alike() -> None:
    import unicodedata
    for written, _ in FOLDING:
        assert fold(unicodedata.normalize("NFD", written)) == fold(written)


def test_tokens_are_runs_of_letters_and_digits() -> None:
    assert tokens("C2-server at evil.example, 198.51.100.7; APT_28") == [
        "c2", "server", "at", "evil", "example", "198", "51", "100", "7", "apt", "28"]
    assert tokens("1e3x") == ["1e3x"]  # one token: PostgreSQL's parser would split it
    assert tokens("a" * 201 + " kept") == ["kept"]  # no word is that long


def test_the_document_holds_the_searched_properties_and_pattern_values() -> None:
    obj = {
        "type": "indicator", "name": "Банк шабуылы", "description": "Phishing wave",
        "labels": ["malicious-activity"], "aliases": ["Fancy Bear"],
        "external_references": [{"source_name": "mitre-attack", "external_id": "T1566",
                                 "description": "Фишинг", "url": "https://attack.example/T1566"}],
        "pattern_type": "stix",
        "pattern": "[domain-name:value = 'c2.evil.example' AND process:name = 'dropper.exe']",
        "created_by_ref": "identity--not-searched", "confidence": 80,
    }
    assert document(obj).split() == [
        "банк", "шабуылы", "phishing", "wave", "malicious", "activity", "fancy", "bear",
        "mitre", "attack", "t1566", "фишинг", "https", "attack", "example", "t1566",
        "c2", "evil", "example", "dropper", "exe"]
    assert document({"type": "ipv4-addr", "value": "203.0.113.9"}) == "203 0 113 9"
    assert document({"type": "relationship", "relationship_type": "uses"}) == ""
    assert len(document({"name": "w " * (MAX_TOKENS + 50)}).split()) == MAX_TOKENS


def test_queries_are_words_phrases_and_prefixes() -> None:
    query = parse_query('Қазақ* "Fancy  Bear" evil.example ёлка - ')
    assert query.terms == (Term(("казак",), prefix=True), Term(("fancy", "bear")),
                           Term(("evil", "example")), Term(("елка",)))
    assert fts5_match(query) == '"казак"* AND "fancy bear" AND "evil example" AND "елка"'
    assert tsquery_literal(query) == ("('казак':*) & ('fancy' <-> 'bear') & "
                                      "('evil' <-> 'example') & ('елка')")
    assert parse_query('"c2 serv"*').terms == (Term(("c2", "serv"), prefix=True),)
    assert tsvector_literal("a b a") == "'a':1 'b':2 'a':3"


@pytest.mark.parametrize(("query", "named"), [
    ('"unclosed', "quotation mark"),
    ("", "no word to search for"),
    ("-- !!", "no word to search for"),
    ('""', "has no word of letters or digits"),
    ("ab*cd", "only ends a word"),
    ("*", "needs letters or digits before the *"),
    ("a*", "at least 2 letters"),
    (" ".join(f"w{i}" for i in range(17)), "at most 16"),
    ("x" * 501, "at most 500"),
])
def test_bad_queries_are_refused_naming_the_problem(query: str, named: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query(query)
    assert named in refused.value.reason
    assert refused.value.details == {"parameter": "q"}
    assert refused.value.message is not None  # a template the UI translates
