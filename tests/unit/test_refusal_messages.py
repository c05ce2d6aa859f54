"""Refusals as translatable messages (decision 0007, issue 6): each refusal a depositary, an
account holder or a signing-in user meets is provoked through the real code and shown in
Kazakh, Russian and English; its English form is the API's reason word for word; every template
in the sources is satisfied by the parameters given where it is raised; and every translation
keeps the template's `{placeholders}` (the catalog test checks only `%(name)s` ones)."""

from __future__ import annotations

import ast
import string
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from babel.messages.pofile import read_po
from starlette.datastructures import FormData

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.domain.access import Action, may_create_account, require
from kelisim.domain.accounts import OrganizationKind, Principal, Role, split_token, validate_account
from kelisim.domain.errors import KelisimError, Message
from kelisim.domain.instruments import Correction, RecordedEntry, Signature, apply_correction
from kelisim.domain.passwords import MAX_LENGTH, check_strength
from kelisim.domain.states import load_states
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import consultations as ws_consult
from kelisim.domain.workspace import costs as ws_costs
from kelisim.domain.workspace import participation as ws_joining
from kelisim.domain.workspace import stages as ws_stages
from kelisim.services.depositary import _check_party_known, _parse_at, _validate, record_entries
from kelisim.web.ui.depositary import entry_from_form
from kelisim.web.ui.i18n import translations
from kelisim.web.ui.refusals import translated_article, translated_reason

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "src" / "kelisim" / part for part in ("domain", "services", "web/ui")]
TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 12, tzinfo=UTC)


def sig(party: str, on: str = "2013-11-20") -> dict:
    return {"kind": "signature", "party": party, "date": on}


def note(party: str, received: str) -> dict:
    return {"kind": "notification", "party": party, "received": received,
            "authorized_bodies": [{"name": f"{party} body"}]}


def accede(party: str, received: str) -> dict:
    return {"kind": "accession", "party": party, "received": received}


BASE = [sig("KAZ"), sig("RUS"), sig("BLR"), sig("ARM"), note("KAZ", "2014-03-01"),
        note("RUS", "2014-04-01"), note("BLR", "2014-05-01")]
"""In force from 31 May 2014 for KAZ, RUS, BLR (entries 1-7); ARM only signed."""


def record(new: list[dict], existing: list[dict] = BASE) -> None:
    """What `record_entries` does between parsing and writing (the rules and their wrapper)."""
    old = [RecordedEntry(i, _parse_at(i, body), AT) for i, body in enumerate(existing, 1)]
    added = [RecordedEntry(len(old) + i, _parse_at(i, body), AT) for i, body in enumerate(new, 1)]
    _validate(old, added, {e.id: i for i, e in enumerate(added, 1)}, load_states(), TODAY)


def person(role: Role, party: str | None) -> Principal:
    return Principal(account_id=9, name="someone", role=role,
                     organization_kind=OrganizationKind.AUTHORIZED_BODY, party=party)


REFUSALS: dict[str, Callable[[], Any]] = {
    # Art. 13-15 and the final clause, through the depositary's validation
    "signed before the Agreement": lambda: record([sig("UZB", "2013-01-01")]),
    "received before the Agreement": lambda: record([note("ARM", "2013-05-01")]),
    "signature by a non-CIS state": lambda: record([sig("GEO")]),
    "second signature": lambda: record([sig("KAZ", "2014-01-01")]),
    "signature after accession": lambda: record([accede("UZB", "2015-01-10"),
                                                 sig("UZB", "2015-02-01")]),
    "notification without signature": lambda: record([note("UZB", "2014-06-01")]),
    "second notification": lambda: record([note("KAZ", "2014-06-01")]),
    "accession by a non-CIS state": lambda: record([accede("GEO", "2015-01-10")]),
    "accession, no entry into force": lambda: record([accede("UZB", "2014-01-10")]),
    "accession before entry into force": lambda: record([accede("UZB", "2014-05-10")]),
    "accession by a signatory": lambda: record([accede("ARM", "2015-01-10")]),
    "accession by a Party": lambda: record([accede("KAZ", "2015-01-10")]),
    "bodies of a non-Party": lambda: record([{
        "kind": "authorized_bodies_change", "party": "ARM", "changed": "2015-01-01",
        "received": "2015-01-02", "authorized_bodies": ["x"]}]),
    "change before the instrument": lambda: record([{
        "kind": "authorized_bodies_change", "party": "KAZ", "changed": "2014-01-01",
        "received": "2014-06-01", "authorized_bodies": ["x"]}]),
    "withdrawal of a non-Party": lambda: record([{
        "kind": "withdrawal_notice", "party": "ARM", "received": "2016-01-10"}]),
    "withdrawal too early": lambda: record([{
        "kind": "withdrawal_notice", "party": "KAZ", "received": "2016-01-10",
        "withdrawal_date": "2016-02-01"}]),
    "signature in the future": lambda: record([sig("UZB", "2027-01-01")]),
    "receipt in the future": lambda: record([note("ARM", "2027-01-01")]),
    "correction of nothing": lambda: record([{"kind": "correction", "supersedes": 99,
                                              "void": True}]),
    "correction of a voided entry": lambda: record([
        {"kind": "correction", "supersedes": 4, "void": True},
        {"kind": "correction", "supersedes": 4, "date": "2013-11-21"}]),
    "recorded entry made unlawful": lambda: record([{"kind": "correction", "supersedes": 1,
                                                     "void": True}]),
    "correction changing the kind": lambda: apply_correction(
        Signature("KAZ", date=date(2013, 11, 20)),
        Correction(supersedes=1, changes={"kind": "notification"})),
    "correction of a field the entry lacks": lambda: record([
        {"kind": "correction", "supersedes": 1, "received": "2014-01-01"}]),
    "correction removing a field": lambda: record([
        {"kind": "correction", "supersedes": 5, "party": ""}]),
    # the shape of an entry (parsed before the rules)
    "entry not an object": lambda: _parse_at(1, "x"),
    "unknown kind": lambda: _parse_at(2, {"kind": "treaty"}),
    "missing field": lambda: _parse_at(1, {"kind": "notification", "party": "KAZ"}),
    "change without bodies": lambda: _parse_at(1, {
        "kind": "authorized_bodies_change", "party": "KAZ", "changed": "2014-06-01",
        "received": "2014-06-02", "authorized_bodies": []}),
    "date not a string": lambda: _parse_at(1, {**sig("KAZ"), "date": 20131120}),
    "date malformed": lambda: _parse_at(1, {**sig("KAZ"), "date": "2013-11-2"}),
    "bodies not a list": lambda: _parse_at(1, {**note("KAZ", "2014-03-01"),
                                               "authorized_bodies": "x"}),
    "body without a name": lambda: _parse_at(1, {**note("KAZ", "2014-03-01"),
                                                 "authorized_bodies": [{"name": ""}]}),
    "party not alpha-3": lambda: _parse_at(1, sig("KZ")),
    "correction without supersedes": lambda: _parse_at(1, {"kind": "correction"}),
    "void not a boolean": lambda: _parse_at(1, {"kind": "correction", "supersedes": 1,
                                                "void": "yes"}),
    "correction of no field": lambda: _parse_at(1, {"kind": "correction", "supersedes": 1}),
    # the depositary service and form
    "entries not a list": lambda: record_entries(cast(Any, None), LOCAL_OPERATOR, "x"),
    "no entry": lambda: record_entries(cast(Any, None), LOCAL_OPERATOR, []),
    "too many entries": lambda: record_entries(cast(Any, None), LOCAL_OPERATOR, [{}] * 10_001),
    "unknown state": lambda: _check_party_known(3, Signature("XYZ", date=date(2014, 1, 1)),
                                                load_states()),
    "form of no kind": lambda: entry_from_form("treaty", FormData()),
    "form correction of no entry": lambda: entry_from_form("correction", FormData(
        {"supersedes": "x"})),
    "form correction of nothing": lambda: entry_from_form("correction", FormData(
        {"supersedes": "3"})),
    "form protocol not JSON": lambda: entry_from_form("protocol", FormData({"entry": "{"})),
    "form protocol not an object": lambda: entry_from_form("protocol", FormData(
        {"entry": "[1]"})),
    # accounts, passwords, access
    "organization kind": lambda: validate_account("analyst", "ministry", "KAZ"),
    "role": lambda: validate_account("boss", "authorized_body", "KAZ"),
    "role of the organization": lambda: validate_account("certifier", "authorized_body", "KAZ"),
    "depositary with a Party": lambda: validate_account("depositary", "depositary", "KAZ"),
    "Party's body without a Party": lambda: validate_account("analyst", "authorized_body", None),
    "malformed token": lambda: split_token("nope"),
    "short password": lambda: check_strength("short"),
    "long password": lambda: check_strength("x" * (MAX_LENGTH + 1)),
    "password with spaces": lambda: check_strength(" a long password "),
    "analyst records": lambda: require(person(Role.ANALYST, "KAZ"), Action.RECORD_INSTRUMENT),
    "reader manages accounts": lambda: require(person(Role.READER, "KAZ"),
                                               Action.MANAGE_ACCOUNTS),
    "admin of another Party": lambda: require(person(Role.PARTY_ADMIN, "KAZ"),
                                              Action.MANAGE_ACCOUNTS, party="RUS"),
    "admin mints a certification body": lambda: may_create_account(
        person(Role.PARTY_ADMIN, "KAZ"), Role.CERTIFIER, OrganizationKind.CERTIFICATION_BODY,
        "KAZ").enforce(Action.MANAGE_ACCOUNTS.value),
    # the cooperation workspace (issue 15; Art. 4, 5, 7, 13-15)
    "workspace: a reader acts": lambda: require(person(Role.READER, "KAZ"),
                                                Action.ACT_IN_WORKSPACE, party="KAZ"),
    "workspace: not an authorized body": lambda: ws_joining.require_acting_body(
        person(Role.DEPOSITARY, None)),
    "workspace: joining while not in force": lambda: ws_joining.check_may_join(
        "ARM", PartyState.SIGNATORY, TODAY, []),
    "workspace: joining twice": lambda: ws_joining.check_may_join(
        "KAZ", PartyState.IN_FORCE, TODAY, [ws_joining.Participation("KAZ", TODAY, "kz")]),
    "workspace: consent by a non-participant": lambda: ws_joining.check_participant(
        "BLR", [], TODAY, "consent to deadlines"),
    "workspace: consent for another Party": lambda: ws_joining.check_acts_for("RUS", "KAZ"),
    "workspace: stale consent": lambda: ws_stages.check_consent(
        ws_stages.Stage("s", 1, "first", (), TODAY, 2), "KAZ", 1),
    "workspace: deadline before the previous stage's": lambda: ws_stages.check_order(
        [ws_stages.Stage("s", 1, "first", (), TODAY)], 2, date(2026, 1, 1)),
    "workspace: unknown currency": lambda: ws_costs.parse_currency("ABC"),
    "workspace: negative amount": lambda: ws_costs.parse_amount("-5"),
    "workspace: shares not summing to 1": lambda: ws_costs.parse_shares({"KAZ": "0.5"}),
    "consultation: a signatory invited": lambda: ws_consult.check_invited(
        "KAZ", ["ARM"], {"ARM": PartyState.SIGNATORY}, TODAY),
    "consultation: answered by a Party not invited": lambda: ws_consult.check_answer(
        ws_consult.Consultation("c", "s", (12,), "KAZ", ("RUS",), AT), "ARM"),
    "consultation: minutes kept by another Party": lambda: ws_consult.check_requester(
        ws_consult.Consultation("c", "s", (12,), "KAZ", ("RUS",), AT), "RUS"),
    "consultation: minutes before the day": lambda: ws_consult.check_minutes(
        ws_consult.Consultation("c", "s", (12,), "KAZ", ("RUS",), AT,
                                held_on=date(2026, 12, 1)), ["KAZ"], TODAY),
}


def refusal(name: str) -> KelisimError:
    with pytest.raises(KelisimError) as caught:
        REFUSALS[name]()
    return caught.value


@pytest.mark.parametrize("name", list(REFUSALS))
def test_each_refusal_is_shown_in_each_language(name: str) -> None:
    error = refusal(name)
    assert isinstance(error.message, Message), error.reason
    assert str(error.message) == error.reason  # the API's and the CLI's text, unchanged
    english = translated_reason(error, "en")
    assert english
    for lang in ("kk", "ru"):
        shown = translated_reason(error, lang)
        assert shown and shown != english, (lang, shown)
        template = error.message.template
        assert translations(lang).gettext(template) != template, (lang, template)
        assert translated_article(error.article, lang) or not error.article


def test_the_api_reason_is_the_english_sentence_it_always_was() -> None:
    assert refusal("accession before entry into force").reason == (
        "Entry 1 of the request: The instrument was received on 2014-05-10, before the "
        "Agreement entered into force on 2014-05-31; accession is open only after entry into "
        "force.")
    assert refusal("recorded entry made unlawful").reason.startswith(
        "Recorded entry 5 would no longer be lawful: KAZ has no signature recorded on or before "
        "2014-03-01")
    assert refusal("unknown state").reason == (
        "Entry 3 of the request: XYZ is not a state kelisim knows as a CIS state (past or "
        "present).")


def test_a_wrapped_refusal_is_translated_inside_its_wrapper() -> None:
    shown = translated_reason(refusal("recorded entry made unlawful"), "ru")
    assert shown == ("Внесённая запись 5 перестала бы быть правомерной: Казахстан: по состоянию "
                     "на 1 марта 2014\u202fг. подписание не зарегистрировано; о выполнении "
                     "внутригосударственных процедур уведомляет только подписавшее государство "
                     "(ст. 13), не подписавшее государство присоединяется (ст. 14).")
    assert translated_article("Art. 13-15", "kk") == "13-15-бап"
    assert translated_article("Preamble, Art. 13", "ru") == "Преамбула, Ст. 13"


def test_a_reason_rewritten_after_raising_or_given_as_text_stays_english() -> None:
    error = refusal("no entry")
    error.reason = "something else"
    assert translated_reason(error, "ru") is None
    assert translated_reason(KelisimError("plain text"), "kk") is None
    plain = KelisimError("plain text")
    plain.wrap("Entry {position} of the request: {reason}", position=2)
    assert plain.reason == "Entry 2 of the request: plain text" and plain.message is None


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _literal(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The template a call site passes: N_("...") or a module constant bound to one."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
            and node.args and isinstance(node.args[0], ast.Constant)):
        return str(node.args[0].value)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def test_every_template_is_satisfied_by_the_parameters_where_it_is_raised() -> None:
    checked, problems = 0, []
    for path in (p for folder in SOURCES for p in folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: text for node in tree.body if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)
                     and (text := _literal(node.value, {})) is not None}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            wraps = isinstance(node.func, ast.Attribute) and node.func.attr == "wrap"
            if not (wraps or (isinstance(node.func, ast.Name) and node.func.id == "Message")):
                continue
            template = _literal(node.args[0], constants)
            if template is None:
                continue  # chosen at run time: provoked above instead
            given = {kw.arg for kw in node.keywords if kw.arg} | ({"reason"} if wraps else set())
            checked += 1
            if _fields(template) - given:
                problems.append(f"{path.name}:{node.lineno}: {sorted(_fields(template) - given)}")
    assert not problems, problems
    assert checked >= 50, checked  # the rest choose their template at run time


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_translations_keep_every_brace_placeholder(lang: str) -> None:
    path = ROOT / "src" / "kelisim" / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    problems = []
    for message in catalog:
        if not message.id or "python-brace-format" not in message.flags:
            continue
        wanted = sorted((f, c) for _, f, _, c in string.Formatter().parse(str(message.id)) if f)
        found = sorted((f, c) for _, f, _, c in string.Formatter().parse(str(message.string))
                       if f)
        if wanted != found:
            problems.append((message.id, message.string))
    assert not problems, problems
