"""Art. 6: state-secret markings and stamps are refused; ordinary talk of secrets is not."""

from __future__ import annotations

import pytest

from kelisim.domain.stix.extension import STATE_SECRET_MARKING_ID
from kelisim.domain.stix.state_secrets import has_stamp, stamps, state_secret_reason
from tests.unit.stix.corpus import valid

STAMPED = {
    "ru-alone": "Секретно",
    "ru-capitals-with-colon": "СОВЕРШЕННО СЕКРЕТНО: сводка",
    "ru-registration": "Совершенно секретно, экз. № 2",
    "ru-quoted": "Документ «Особой важности» приложен",
    "ru-letter-spaced": "С Е К Р Е Т Н О",
    "ru-latin-lookalikes": "CEKPETHO",
    "ru-hyphenated": "Совершенно сек-\nретно",
    "ru-soft-hyphen": "Се\u00adкретно",
    "ru-abbreviated": "Сов. секретно",
    "ru-line-in-text": "Отчёт\nСЕКРЕТНО\nтекст",
    "kk-alone": "Өте құпия",
    "kk-bracketed": "[Құпия]",
    "kk-top": "Аса маңызды, дана № 1",
    "kk-plain-cyrillic": "Оте купия",
    "kk-latin": "Öte qūpia",
    "be": "Цалкам сакрэтна",
    "uk": "ЦІЛКОМ ТАЄМНО",
    "ky": "Өтө жашыруун",
    "tg": "Комилан махфӣ",
    "uz-latin": "O‘ta maxfiy",
    "uz-cyrillic": "Ўта махфий",
    "hy": "Հույժ գաղտնի",
    "az": "Tam məxfi",
    "az-capitals": "TAM MƏXFİ",
    "ro": "Strict secret",
    "ro-cedilla": "De importanţă deosebită",
    "tk": "Örän gizlin",
    "en-top-secret": "Top Secret",
    "en-capitals": "TOP SECRET//NOFORN",
    "en-parenthesised": "Annex (SECRET)",
}

NOT_STAMPED = {
    "en-secret-key": "a secret key",
    "en-secret-key-first": "Secret key rotation",
    "en-capital-words": "SECRET KEY",
    "en-top-secret-in-prose": "The top secret of success",
    "en-state-secrets": "state secrets are never transferred",
    "ru-adjective": "секретный ключ",
    "ru-in-sentence": "Это совершенно секретно.",
    "ru-noun": "Секретность обеспечена",
    "ru-compound": "секретно-розыскной",
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
}


@pytest.mark.parametrize("name", sorted(STAMPED))
def test_a_stamp_is_found(name: str) -> None:
    assert has_stamp(STAMPED[name])


@pytest.mark.parametrize("name", sorted(NOT_STAMPED))
def test_talk_of_secrets_is_not_a_stamp(name: str) -> None:
    assert not has_stamp(NOT_STAMPED[name])


def test_every_party_has_grades_in_its_language_and_in_russian() -> None:
    grades = stamps()
    assert set(grades) == {"RUS", "KAZ", "BLR", "KGZ", "TJK", "UZB", "ARM", "AZE", "MDA", "TKM",
                           "UKR"}
    for party, by_lang in grades.items():
        assert ("ru" in by_lang and len(by_lang) >= 2) or party == "RUS", party
        assert "Секретно" in by_lang["ru"]


def test_a_stamp_deep_in_the_object_refuses_it_without_echoing_it() -> None:
    obj = valid("report")
    obj["external_references"] = [{"source_name": "x", "description": "Совершенно секретно"}]
    reason = state_secret_reason(obj)
    assert reason is not None and "Art. 6" in reason
    assert "екретно" not in reason and "x" not in reason.split()


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
