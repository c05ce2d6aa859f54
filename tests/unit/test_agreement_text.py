"""The Agreement as parsed from the packaged Kazakh seed: Art. 1-15, Art. 2 terms, Art. 3."""

from __future__ import annotations

import ast
import inspect
import json
from datetime import date
from importlib import resources

import pytest

from kelisim.domain import agreement_text
from kelisim.domain.agreement_text import (
    THREAT_CLASSES,
    directions,
    glossary,
    load_agreement,
)
from kelisim.domain.errors import NotFound

LANGS = ("kk", "ru", "en")

# Counted by hand in Art. 2 of the Kazakh text: 25 "term - definition" lines, plus one sentence
# on what threats include, which is folded into threats_to_information_security.
ART2_TERM_COUNT = 25


def test_fixed_facts() -> None:
    a = load_agreement()
    assert a.key == "cis-infosec-2013"
    assert a.signed_on == date(2013, 11, 20)
    assert a.place["en"] == "Saint Petersburg"
    assert a.place["kk"] == a.place["ru"] == "Санкт-Петербург"
    assert "Атқарушы комитеті" in a.depositary["kk"]
    assert a.depositary["ru"].startswith("Исполнительный комитет")
    assert "Executive Committee" in a.depositary["en"]
    for mapping in (a.titles, a.place, a.depositary):
        assert set(mapping) == set(LANGS)
        assert all(v.strip() for v in mapping.values())
    assert a.titles["kk"].startswith("Тәуелсіз Мемлекеттер Достастығына")
    assert "ақпараттық қауіпсіздікті" in a.titles["kk"]


def test_the_final_clause_agrees_with_the_fixed_facts() -> None:
    a = load_agreement()
    assert a.final_clause_kk.startswith("2013 жылғы 20 қарашада Санкт-Петербург")
    assert "орыс тілінде" in a.final_clause_kk
    assert "Гаркун" in a.certification_kk


def test_fifteen_articles_with_text_and_labels() -> None:
    a = load_agreement()
    assert [art.number for art in a.articles] == list(range(1, 16))
    for art in a.articles:
        assert art.text_kk.strip(), art.number
        assert "-бап" not in art.text_kk.splitlines()[0]
        assert set(art.titles) == set(LANGS)
        assert set(art.summary) == set(LANGS)
        assert all(v.strip() for v in (*art.titles.values(), *art.summary.values()))


def test_article_bodies_hold_what_the_articles_say() -> None:
    a = load_agreement()
    assert "30 күн" in a.article(13).text_kk
    assert "үшінші хабарламаны" in a.article(13).text_kk
    assert "30 күн ішінде" in a.article(8).text_kk
    assert "мемлекеттік құпияға (мемлекеттік сырларға)" in a.article(6).text_kk
    assert "6 айдан кешіктірмей" in a.article(15).text_kk
    assert "қосылу туралы құжатты" in a.article(14).text_kk
    # The "done at" clause and the signature blocks are not part of Art. 15.
    assert "2013 жылғы 20 қарашада" not in a.article(15).text_kk
    assert "Үкіметі атынан" not in a.article(15).text_kk
    assert a.preamble_kk.startswith("Бұдан әрі Тараптар деп аталатын")
    assert a.preamble_kk.rstrip().endswith("төмендегілер туралы келісті:")


def test_unknown_article_is_not_found() -> None:
    with pytest.raises(NotFound):
        load_agreement().article(16)


def test_signature_blocks_in_text_order() -> None:
    assert load_agreement().signature_blocks == (
        "AZE", "RUS", "ARM", "TJK", "BLR", "TKM", "KAZ", "UZB", "KGZ", "UKR", "MDA",
    )  # fmt: skip


def test_glossary_count_and_languages() -> None:
    terms = glossary()
    assert len(terms) == ART2_TERM_COUNT
    assert len({t.key for t in terms}) == len(terms)
    for t in terms:
        for lang in LANGS:
            d = t.in_language(lang)
            assert d.term.strip() and d.definition.strip(), (t.key, lang)
        assert not t.kk.definition.endswith(";")


def test_glossary_json_matches_the_parsed_terms_both_ways() -> None:
    raw = json.loads(
        resources.files("kelisim.data").joinpath("glossary.json").read_text(encoding="utf-8")
    )
    json_keys = {entry["key"] for entry in raw["terms"]}
    parsed_keys = {t.key for t in glossary()}
    assert json_keys == parsed_keys
    for entry in raw["terms"]:
        assert entry["ru"]["term"] and entry["ru"]["definition"]
        assert entry["en"]["term"] and entry["en"]["definition"]


def test_known_terms() -> None:
    by_key = {t.key: t for t in glossary()}
    expected = {
        "information_crime": ("ақпараттық қылмыстылық", "information crime"),
        "information_terrorism": ("ақпараттық терроризм", "information terrorism"),
        "information_weapon": ("ақпараттық қару", "information weapon"),
        "authorized_bodies": ("уәкілетті органдар", "authorized bodies"),
        "restricted_access_information": (
            "қолжетімділігі шектеулі ақпарат",
            "restricted-access information",
        ),
        "interstate_information_system": (
            "мемлекетаралық ақпараттық жүйе",
            "interstate information system",
        ),
        "information_protection_tool": ("ақпаратты қорғау құралы", "information protection tool"),
        "certification_of_conformity": (
            "ақпаратты қорғау жөніндегі талаптарға сәйкестікті сертификаттау",
            "certification of conformity to information-protection requirements",
        ),
        "cross_border_transfer_of_information": (
            "ақпаратты трансшекаралық беру",
            "cross-border transfer of information",
        ),
        "unauthorized_access_to_information": (
            "ақпаратқа санкцияланбаған қолжетімділік",
            "unauthorized access to information",
        ),
        "information": ("ақпарат", "information"),
    }
    for key, (kk, en) in expected.items():
        assert by_key[key].kk.term == kk
        assert by_key[key].en.term == en
    assert glossary()[0].key == "influence_on_information"
    assert glossary()[-1].key == "authorized_bodies"
    assert by_key["information_terrorism"].kk.definition.startswith("ақпараттық ресурстарды")
    assert "Тараптардың" in by_key["authorized_bodies"].kk.definition


def test_threat_scope_sentence_is_kept_in_the_threats_definition() -> None:
    threats = {t.key: t for t in glossary()}["threats_to_information_security"]
    assert "Осы Келісімнің мақсатында" in threats.kk.definition
    for key, names in THREAT_CLASSES.items():
        assert names["kk"] in threats.kk.definition, key
        assert names["ru"] in threats.ru.definition, key
        assert names["en"] in threats.en.definition, key


def test_threat_classes() -> None:
    assert set(THREAT_CLASSES) == {
        "information_weapon",
        "information_terrorism",
        "information_crime",
    }
    glossary_keys = {t.key for t in glossary()}
    for key, names in THREAT_CLASSES.items():
        assert key in glossary_keys
        assert set(names) == set(LANGS) and all(names.values())


def test_nineteen_directions() -> None:
    ds = directions()
    assert [d.number for d in ds] == list(range(1, 20))
    assert len({d.key for d in ds}) == 19
    for d in ds:
        assert set(d.texts) == set(LANGS)
        assert all(v.strip() for v in d.texts.values())
        assert ";" not in d.texts["kk"]
    # The seed runs directions 6 and 7 together on one line; they are two directions.
    assert ds[5].texts["kk"] == "әртүрлі қолданбалы мақсаттағы қорғалған ақпараттық жүйелерді құру"
    assert ds[6].texts["kk"] == "ақпаратты трансшекаралық беруді ұйымдастыру"
    assert "өзара танудың" in ds[13].texts["kk"]
    assert "mutual recognition" in ds[13].texts["en"]
    assert ds[18].texts["kk"].endswith("ұйымдастыру және өткізу")


def test_loaders_are_cached() -> None:
    assert load_agreement() is load_agreement()
    assert glossary() is glossary()
    assert directions() is directions()


def test_no_web_or_sql_imports() -> None:
    from kelisim.domain import states

    for module in (agreement_text, states):
        tree = ast.parse(inspect.getsource(module))
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        for name in imported:
            assert name.split(".")[0] not in {"fastapi", "sqlalchemy", "starlette"}, name
