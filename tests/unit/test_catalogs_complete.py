"""The UI's catalogs are complete: every message of the templates and UI code is translated in
Kazakh and Russian (and English), none fuzzy, placeholders kept, and the template is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "kelisim" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_the_template_holds_every_message_the_sources_use() -> None:
    with (LOCALE / "messages.pot").open("rb") as handle:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id
                    for m in read_po(handle) if m.id}
    missing = extracted_ids() - template
    assert not missing, f"run the extraction in docs/ui-translations.md; new: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    with (LOCALE / "messages.pot").open("rb") as handle:
        template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle)
                        if m.id}
    translated = catalog(lang)
    by_id = {m.id if isinstance(m.id, str) else m.id[0]: m for m in translated if m.id}
    assert template_ids <= set(by_id), sorted(template_ids - set(by_id))
    problems = []
    for key in sorted(template_ids):
        message = by_id[key]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(key)
            continue
        wanted = set(PLACEHOLDER.findall(key))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - wanted - {"num"}:
                problems.append(f"{key}: unknown placeholder in {text!r}")
            if wanted - {"num"} - set(PLACEHOLDER.findall(text)):
                problems.append(f"{key}: placeholder dropped in {text!r}")
    assert not problems, problems


def test_kazakh_and_russian_differ_from_english_where_words_are_translated() -> None:
    kk, ru = catalog("kk"), catalog("ru")
    same = [m.id for m in kk if m.id and isinstance(m.id, str) and m.string == m.id
            and m.id not in ("kelisim",)]
    assert not same, same
    assert ru.get("Sign in").string == "Войти"
