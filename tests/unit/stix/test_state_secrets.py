"""Art. 6: state-secret markings and stamps are refused; ordinary talk of secrets is not.

The table is the rule of kelisim/domain/stix/state_secrets.py written out form by form: first
hand-picked texts in every Party's languages, then every grade of the data file in every form
the rule names (capitals anywhere, brackets, a segment of its own, registration marks, labels,
banners, letter-spacing, look-alike letters, invisible characters, line breaks).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from kelisim.domain.stix import state_secrets as ss
from kelisim.domain.stix.extension import STATE_SECRET_MARKING_ID
from kelisim.domain.stix.state_secrets import codes, has_stamp, stamps, state_secret_reason
from tests.unit.stix.corpus import valid

STAMPED = {
    "ru-alone": "Секретно",
    "ru-capitals-with-colon": "СОВЕРШЕННО СЕКРЕТНО: сводка",
    "ru-capitals-then-space-and-text": "СЕКРЕТНО доклад о ходе работ",
    "ru-capitals-after-a-sentence": "Доклад о ходе работ. СЕКРЕТНО",
    "ru-capitals-mid-sentence": "Передаём СОВ. СЕКРЕТНО сведения о сети",
    "ru-sentence-case-after-a-sentence": "Доклад о ходе работ. Секретно",
    "ru-registration": "Совершенно секретно, экз. № 2",
    "ru-registration-mid-line": "Справка: секретно экз. № 2 на 3 листах",
    "ru-quoted": "Документ «Особой важности» приложен",
    "ru-quoted-mention": "гриф «Секретно» снят",
    "ru-label": "гриф секретно, доклад",
    "ru-letter-spaced": "С Е К Р Е Т Н О",
    "ru-letter-spaced-in-text": "см. С Е К Р Е Т Н О приложение",
    "ru-dotted": "С.Е.К.Р.Е.Т.Н.О. доклад",
    "ru-latin-lookalikes": "CEKPETHO",
    "ru-latin-lookalikes-in-text": "отчёт CEKPETHO по сети",
    "ru-mixed-script-word": "СЕКРEТНО доклад",  # a Latin E inside the Cyrillic word
    "ru-greek-lookalike": "СЕΚРЕТНО доклад",  # a Greek Kappa
    "ru-mixed-case": "доклад СеКрЕтНо по сети",
    "ru-hyphenated": "Совершенно сек-\nретно",
    "ru-soft-hyphen": "Се\u00adкретно",
    "ru-zero-width-in-text": "доклад СЕ\u200bКРЕ\u200dТНО по сети",
    "ru-combining-marks": "доклад С\u0332Е\u0332К\u0332Р\u0332Е\u0332Т\u0332Н\u0332О\u0332 сети",
    "ru-fullwidth": "доклад ＳＥＣＲＥＴ сети",
    "ru-abbreviated": "Сов. секретно",
    "ru-abbreviated-no-space": "СОВ.СЕКРЕТНО доклад",
    "ru-line-in-text": "Отчёт\nСЕКРЕТНО\nтекст",
    "ru-code-bracketed": "Справка (СС) по сети",
    "ru-code-alone": "ОВ",
    "ru-code-registered": "СС экз. № 1",
    "ru-bidi-reversed": "\u202eОНТЕРКЕС\u202c доклад",
    "kk-alone": "Өте құпия",
    "kk-bracketed": "[Құпия]",
    "kk-top": "Аса маңызды, дана № 1",
    "kk-capitals-then-text": "ҚҰПИЯ баяндама желі туралы",
    "kk-capitals-after-sentence": "Желі туралы баяндама. ӨТЕ ҚҰПИЯ",
    "kk-segment-with-colon": "Құпия: баяндама",
    "kk-plain-cyrillic": "Оте купия",
    "kk-latin": "Öte qūpia",
    "kk-latin-capitals-in-text": "baiandama ÖTE QŪPIA jeli",
    "be": "Цалкам сакрэтна",
    "be-capitals-in-text": "справаздача САКРЭТНА па сетцы",
    "uk": "ЦІЛКОМ ТАЄМНО",
    "uk-capitals-in-text": "звіт ТАЄМНО про мережу",
    "ky": "Өтө жашыруун",
    "ky-capitals-in-text": "отчет ЖАШЫРУУН тармак",
    "tg": "Комилан махфӣ",
    "tg-capitals-in-text": "гузориш МАХФӢ шабака",
    "uz-latin": "O‘ta maxfiy",
    "uz-latin-capitals-in-text": "hisobot O'TA MAXFIY tarmoq",
    "uz-cyrillic": "Ўта махфий",
    "hy": "Հույժ գաղտնի",
    "hy-capitals-in-text": "զեկույց ԳԱՂՏՆԻ ցանց",
    "az": "Tam məxfi",
    "az-capitals": "TAM MƏXFİ",
    "az-capitals-in-text": "hesabat MƏXFİ şəbəkə",
    "ro": "Strict secret",
    "ro-cedilla": "De importanţă deosebită",
    "ro-capitals-in-text": "raport STRICT SECRET rețea",
    "tk": "Örän gizlin",
    "tk-capitals-in-text": "hasabat GIZLIN tor",
    "en-top-secret": "Top Secret",
    "en-capitals": "TOP SECRET//NOFORN",
    "en-capitals-then-space-and-text": "TOP SECRET report on the network",
    "en-capitals-after-a-sentence": "Report on the network. SECRET",
    "en-capitals-mid-sentence": "This SECRET report names the hosts",
    "en-capital-words": "SECRET KEY",
    "en-parenthesised": "Annex (SECRET)",
    "en-banner-lower-case": "secret//noforn",
    "en-label": "Classification: secret",
    "en-copy": "Secret copy 1 of 3",
    "en-code-banner": "TS//SCI report",
    "en-underscored": "lure named TOP_SECRET.docx",
    "en-letter-spaced": "S E C R E T report",
    "en-zero-width": "S\u200bE\u200bC\u200bR\u200bE\u200bT report",
    "en-variation-selector": "SE\ufe0fCRET report",
}

NOT_STAMPED = {
    "en-secret-key": "a secret key",
    "en-secret-key-first": "Secret key rotation",
    "en-top-secret-in-prose": "The top secret of success",
    "en-state-secrets": "state secrets are never transferred",
    "en-password": "Password: secret",
    "en-credentials": "default credentials admin/secret",
    "en-code-in-prose": "TS files are compiled to JS",
    "ru-adjective": "секретный ключ",
    "ru-in-sentence": "Это совершенно секретно.",
    "ru-noun": "Секретность обеспечена",
    "ru-compound": "секретно-розыскной",
    "ru-code-in-prose": "в СС-процессе нет ошибок",
    "kk-password": "Құпия сөз",
    "kk-in-sentence": "Бұл құпия емес",
    "be-in-sentence": "гэта сакрэтна для ўсіх",
    "uk-in-sentence": "він таємно пішов",
    "uz-in-sentence": "bu maxfiy emas",
    "hy-in-sentence": "սա գաղտնի չէ",
    "az-in-sentence": "bu məxfi deyil",
    "ro-in-sentence": "parola este secret aici",
    "tk-in-sentence": "bu gizlin däl",
    "ky-in-sentence": "бул жашыруун эмес",
    "tg-in-sentence": "ин махфӣ нест",
    "identifier": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "pattern": "[file:name = 'report.docx' AND file:hashes.'SHA-256' = 'ab12']",
}


@pytest.mark.parametrize("name", sorted(STAMPED))
def test_a_stamp_is_found(name: str) -> None:
    assert has_stamp(STAMPED[name])


@pytest.mark.parametrize("name", sorted(NOT_STAMPED))
def test_talk_of_secrets_is_not_a_stamp(name: str) -> None:
    assert not has_stamp(NOT_STAMPED[name])


def _grades() -> list[tuple[str, str, str]]:
    return sorted({(party, lang, grade) for party, by_lang in stamps().items()
                   for lang, grades in by_lang.items() for grade in grades})


def _letter_spaced(grade: str, gap: str) -> str:
    return "  ".join(gap.join(word) for word in grade.upper().split())


def _invisible_inside(grade: str, mark: str) -> str:
    upper = grade.upper()
    return upper[:1] + mark + upper[1:-1] + mark + upper[-1:]


FORMS = {
    "capitals-alone": lambda g: g.upper(),
    "capitals-opening-then-text": lambda g: f"{g.upper()} report 12 of the network",
    "capitals-after-a-sentence": lambda g: f"The network was scanned. {g.upper()}",
    "capitals-mid-sentence": lambda g: f"we send {g.upper()} data today",
    "capitals-in-a-later-line": lambda g: f"first line\nsee {g.upper()} here\nlast",
    "quoted": lambda g: f"the «{g}» file",
    "bracketed": lambda g: f"annex [{g.lower()}] follows",
    "segment-after-a-sentence": lambda g: f"The network was scanned. {g}",
    "segment-with-colon": lambda g: f"{g}: the report",
    "registration": lambda g: f"{g.lower()}, экз. № 2",
    "label": lambda g: f"гриф: {g.lower()}",
    "banner": lambda g: f"{g.lower()}//rel",
    "letter-spaced": lambda g: f"see {_letter_spaced(g, ' ')} here",
    "dotted": lambda g: f"see {_letter_spaced(g, '.')} here",
    "zero-width": lambda g: f"see {_invisible_inside(g, chr(0x200B))} here",
    "word-joiner": lambda g: f"see {_invisible_inside(g, chr(0x2060))} here",
    "soft-hyphen": lambda g: f"see {_invisible_inside(g, chr(0xAD))} here",
    "fullwidth-or-compatibility": lambda g: f"see {unicodedata.normalize('NFD', g.upper())} here",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_grade_of_every_party_is_found_in_every_form(form: str) -> None:
    missed = [(party, lang, grade) for party, lang, grade in _grades()
              if not has_stamp(FORMS[form](grade))]
    assert missed == []


def test_every_grade_is_found_with_latin_look_alikes_in_cyrillic() -> None:
    latin = str.maketrans("АВЕКМНОРСТХаеорсух", "ABEKMHOPCTXaeopcyx")
    cyrillic = [g for _, _, g in _grades() if any("\u0400" <= c <= "\u04ff" for c in g)]
    assert cyrillic
    missed = [g for g in cyrillic if not has_stamp(f"see {g.upper().translate(latin)} here")]
    assert missed == []


@pytest.mark.parametrize("sentence", ["the {} of it was told", "we spoke of {} things"])
def test_every_grade_in_lower_case_inside_a_sentence_passes(sentence: str) -> None:
    flagged = [g for _, _, g in _grades() if has_stamp(sentence.format(g.lower()))]
    assert flagged == []


def test_every_code_is_a_stamp_where_a_stamp_stands_and_not_in_prose() -> None:
    every = {c for by_lang in codes().values() for cs in by_lang.values() for c in cs}
    assert {"СС", "ОВ", "TS"} <= every
    for code in every:
        assert has_stamp(f"a ({code}) note") and has_stamp(code) and has_stamp(f"{code}//X")
        assert not has_stamp(f"the {code} value was read"), code


def test_the_ignored_characters_cover_every_format_and_combining_character() -> None:
    import re
    invisible = re.compile(ss._invisible())
    missing = [hex(c) for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) in ("Cf", "Mn", "Me")
               and not invisible.fullmatch(chr(c))]
    assert missing == []


def test_the_rule_is_written_once_in_the_same_words_in_the_docs() -> None:
    docstring = ss.__doc__ or ""
    rule = docstring.split("section \"State secrets\"):\n\n", 1)[1].split("\n\nThe reason", 1)[0]
    words = " ".join(rule.split())
    docs = Path(__file__).resolve().parents[3] / "docs" / "stix-extensions.md"
    assert words in " ".join(docs.read_text(encoding="utf-8").split())


def test_every_party_has_grades_in_its_language_and_in_russian() -> None:
    grades = stamps()
    assert set(grades) == {"RUS", "KAZ", "BLR", "KGZ", "TJK", "UZB", "ARM", "AZE", "MDA", "TKM",
                           "UKR"}
    for party, by_lang in grades.items():
        assert ("ru" in by_lang and len(by_lang) >= 2) or party == "RUS", party
        assert {"Секретно", "Сов. секретно"} <= set(by_lang["ru"])


def test_a_stamp_deep_in_the_object_refuses_it_without_echoing_it() -> None:
    obj = valid("report")
    obj["external_references"] = [{"source_name": "x", "description": "Совершенно секретно"}]
    reason = state_secret_reason(obj)
    assert reason is not None and "Art. 6" in reason
    assert "екретно" not in reason and "x" not in reason.split()


def test_a_stamp_in_a_property_name_refuses_the_object() -> None:
    obj = valid("malware")
    obj["x_notes"] = {"СЕКРЕТНО": "1"}
    assert state_secret_reason(obj) is not None


def test_text_nested_deeper_than_the_scan_reads_is_refused_not_let_through() -> None:
    obj = valid("malware")
    deep: list = ["harmless"]
    for _ in range(80):
        deep = [deep]
    obj["x_deep"] = deep
    assert state_secret_reason(obj) is not None


@pytest.mark.parametrize("where", ["object_marking_refs", "granular_markings"])
def test_the_state_secret_marking_refuses_the_object(where: str) -> None:
    obj = valid("malware")
    if where == "object_marking_refs":
        obj[where] = [STATE_SECRET_MARKING_ID]
    else:
        obj[where] = [{"selectors": ["name"], "marking_ref": STATE_SECRET_MARKING_ID}]
    reason = state_secret_reason(obj)
    assert reason is not None and "Art. 6" in reason


def test_an_ordinary_object_passes() -> None:
    for name in ("indicator", "report", "malware", "identity"):
        assert state_secret_reason(valid(name)) is None
