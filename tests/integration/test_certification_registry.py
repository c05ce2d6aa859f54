"""The certification registry's use cases on SQLite and PostgreSQL: verification against the
depositary's record, refusals that change nothing, access by Party, the ledger and its tamper
detection, and the projection equal to a replay of the ledger."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from kelisim.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.services.certification import catalogue, integrity, recording, verification
from kelisim.storage.database import is_postgres
from kelisim.storage.schema import (
    certificate_periods,
    certificate_requirements,
    certificate_terms,
    certificates,
)
from tests.certification_data import certificate_json
from tests.conftest import Node
from tests.integration.certification_setup import Registry, issue, make_registry


@pytest.fixture
def registry(node: Node) -> Registry:
    return make_registry(node)


def snapshot(registry: Registry) -> tuple:
    with registry.node.runtime.unit_of_work() as uow:
        chain = uow.connection.execute(text(
            "SELECT seq, hash FROM cert_ledger_entries ORDER BY seq")).all()
        rows = uow.connection.execute(select(certificates.c.number, certificates.c.last_seq)
                                      .order_by(certificates.c.number)).all()
    return chain, rows


@pytest.mark.parametrize(
    ("on", "valid", "last"),
    [("2022-05-31", True, "recognised"), ("2022-06-01", False, "issuing_party_not_in_force")])
def test_a_withdrawn_partys_certificates_lapse_on_the_effective_date(
        registry: Registry, on: str, valid: bool, last: str) -> None:
    issue(registry, "BY-1", "BY-OAC", level="EAL4", issued="2020-01-01")
    answer = verification.verify_certificate(registry.node.runtime, registry.admin, "BY-1",
                                             "kaz", date.fromisoformat(on))
    assert answer["verdict"]["valid"] is valid
    assert answer["verdict"]["reasons"][-1]["code"] == last


def test_a_suspension_is_an_event_and_the_verdict_follows_it(registry: Registry) -> None:
    rt = registry.node.runtime
    issue(registry, "KZ-1", "KZ-CC", level="EAL2")
    recording.record_event(rt, registry.certifiers["KAZ"], "KZ-1", "suspended",
                           {"on": "2024-02-01", "reason": "flaw under analysis"})
    before = verification.verify_certificate(rt, registry.admin, "KZ-1", "RUS", date(2024, 1, 31))
    during = verification.verify_certificate(rt, registry.admin, "KZ-1", "RUS", date(2024, 2, 1))
    assert before["verdict"]["valid"] and before["verdict"]["arrangement"] == "RUS-KZ"
    assert not during["verdict"]["valid"]
    assert during["verdict"]["reasons"][-1]["text"] == "Suspended on 2024-02-01."
    assert [h["event"] for h in during["certificate"]["history"]] == ["issued", "suspended"]


BAD_INPUT = [
        pytest.param(lambda r: issue(r, "X-1", "NO-SUCH"), NotFound, "No scheme 'NO-SUCH'",
                     id="unknown-scheme"),
        pytest.param(lambda r: issue(r, "X-1", "KZ-CC", issued="2022-01-01",
                                     expires="2021-12-31"),
                     InvalidInput, "must come after the issue date", id="expiry-before-issue"),
        pytest.param(lambda r: issue(r, "KZ-DUP", "KZ-CC"), Conflict, "already recorded",
                     id="duplicate-number"),
        pytest.param(lambda r: issue(r, "X-1", "KZ-CC", level="EAL8"), InvalidInput,
                     "not on the scale", id="level-outside-the-scale"),
        pytest.param(lambda r: issue(r, "X-1", "KZ-CC", issued="2027-01-01",
                                     expires="2030-01-01"),
                     RuleViolation, "after today", id="issue-date-in-the-future"),
        pytest.param(lambda r: recording.issue_certificate(
            r.node.runtime, r.certifiers["RUS"], certificate_json("X-1", "KZ-CC")),
            PermissionDenied, "own Party only", id="a-certifier-for-another-partys-scheme"),
        pytest.param(lambda r: recording.record_event(
            r.node.runtime, r.certifiers["RUS"], "KZ-DUP", "withdrawn", {"on": "2022-01-01"}),
            PermissionDenied, "not KAZ", id="withdrawing-another-partys-certificate"),
        pytest.param(lambda r: recording.record_event(
            r.node.runtime, r.certifiers["KAZ"], "KZ-DUP", "reinstated", {"on": "2022-01-01"}),
            RuleViolation, "only a suspended", id="reinstating-a-valid-certificate"),
        pytest.param(lambda r: recording.record_arrangement(
            r.node.runtime, r.party_admins["RUS"], {
                "key": "X", "name": "x", "recognising_scheme": "KZ-CC",
                "recognised_scheme": "RU-FSTEC", "caps": [{"document": "FSTEC-UD",
                                                           "level": "4"}],
                "valid_from": "2020-01-01"}),
            PermissionDenied, "recognising Party", id="an-arrangement-for-another-party"),
        pytest.param(lambda r: catalogue.import_csv(
            r.node.runtime, r.certifiers["KAZ"], "KZ-CC", "Category,Name\nfirewall,x\n"),
            InvalidInput, "lacks the column", id="malformed-csv"),
]


def test_bad_input_gets_a_clear_error_and_changes_nothing(registry: Registry) -> None:
    """One registry per database for the whole table (each case is checked on its own)."""
    issue(registry, "KZ-DUP", "KZ-CC")
    before = snapshot(registry)
    for case in BAD_INPUT:
        act, error, says = case.values
        with pytest.raises(error) as refused:
            act(registry)
        assert says in refused.value.reason, case.id
        assert snapshot(registry) == before, case.id


def test_a_csv_with_bad_lines_is_refused_whole_naming_every_line(registry: Registry) -> None:
    header = ("Category,Name,Manufacturer,Scheme,Assurance Level,Protection Profile(s),"
              "Certification Date,Archived Date,Certification Report URL,Security Target URL,"
              "Maintenance Date,Maintenance Title,Maintenance Report,Maintenance ST")
    lines = [header,
             "Boundary Protection Devices and Systems,Good,V,KZ,EAL2,,01/02/2022,01/02/2027,,,,,,",
             "Boundary Protection Devices and Systems,Bad date,V,KZ,EAL2,,2022-01-02,,,,,,,",
             "Databases,Bad level,V,KZ,EAL9,,01/02/2022,01/02/2027,,,,,,",
             "Databases,Other scheme,V,RU,EAL2,,01/02/2022,01/02/2027,,,,,,",
             "Databases,Short row,V"]
    before = snapshot(registry)
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_csv(registry.node.runtime, registry.certifiers["KAZ"], "KZ-CC",
                             "\n".join(lines) + "\n")
    assert [e["line"] for e in refused.value.details["errors"]] == [3, 4, 5, 6]
    assert "MM/DD/YYYY" in refused.value.details["errors"][0]["reason"]
    assert snapshot(registry) == before


def test_the_ledger_refuses_update_and_delete_in_the_database(registry: Registry) -> None:
    for statement in ("UPDATE cert_ledger_entries SET kind = 'x'",
                      "DELETE FROM cert_ledger_entries"):
        with pytest.raises(Exception, match="append-only"), \
                registry.node.runtime.unit_of_work() as uow:
            uow.connection.execute(text(statement))


def test_the_chain_verifies_and_tampering_is_named(registry: Registry) -> None:
    rt = registry.node.runtime
    issue(registry, "KZ-1", "KZ-CC")
    report = integrity.verify_certification_ledger(rt, registry.admin)
    assert report["ok"] and report["entries"] == 7 and report["head"]["seq"] == 7
    with rt.unit_of_work() as uow:
        if is_postgres(uow.connection.engine):
            uow.connection.execute(text("ALTER TABLE cert_ledger_entries DISABLE TRIGGER "
                                        "cert_ledger_entries_append_only"))
        else:
            uow.connection.execute(text("DROP TRIGGER cert_ledger_entries_append_only_update"))
        uow.connection.execute(text("UPDATE cert_ledger_entries SET body = :b WHERE seq = 7"),
                               {"b": b'{"tampered":true}'})
        uow.commit()
    report = integrity.verify_certification_ledger(rt, registry.admin)
    assert not report["ok"]
    assert any(p.startswith("entry 7: content changed") for p in report["problems"])


def projection(registry: Registry) -> tuple:
    with registry.node.runtime.unit_of_work() as uow:
        conn = uow.connection
        return (conn.execute(select(certificates.c.number, certificates.c.body,
                                    certificates.c.last_seq, certificates.c.sort_key)
                             .order_by(certificates.c.number)).all(),
                *(conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                  for t in (certificate_requirements, certificate_periods, certificate_terms)))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_projection_equals_a_replay_of_the_ledger(registry: Registry, seed: int) -> None:
    rt, rng = registry.node.runtime, random.Random(seed)
    numbers = [f"KZ-P{i}" for i in range(6)]
    for number in numbers:
        issue(registry, number, "KZ-CC", level=rng.choice(["EAL1", "EAL2", "EAL4"]),
              issued="2020-01-01", expires="2026-01-01")
    day = date(2020, 2, 1)
    for _ in range(30):
        day += timedelta(days=rng.randint(0, 40))
        kind = rng.choice(["suspended", "reinstated", "withdrawn", "maintenance", "amended"])
        raw: dict = {"on": day.isoformat(), "version": "2", "title": "m",
                     "changes": {"vendor": f"Vendor {rng.randint(1, 3)}"}}
        try:
            recording.record_event(rt, registry.certifiers["KAZ"], rng.choice(numbers), kind, raw)
        except RuleViolation:
            continue
    before = projection(registry)
    assert integrity.rebuild_projection(rt, registry.admin)["certificates"] == 6
    assert projection(registry) == before


def test_a_tool_and_version_is_verified_through_every_certificate_covering_it(
        registry: Registry) -> None:
    rt = registry.node.runtime
    issue(registry, "KZ-T", "KZ-CC", product="Alatau Firewall", version="3.0",
          expires="2029-01-01")
    recording.record_event(rt, registry.certifiers["KAZ"], "KZ-T", "maintenance",
                           {"on": "2023-05-01", "version": "3.1", "title": "3.1 update"})
    covered = verification.verify_tool(rt, registry.admin, "alatau firewall", "3.1", "RUS",
                                       date(2024, 1, 1))
    assert covered["valid"] is True
    assert [v["number"] for v in covered["verdicts"]] == ["KZ-T"]
    uncovered = verification.verify_tool(rt, registry.admin, "Alatau Firewall", "4.0", "RUS",
                                         date(2024, 1, 1))
    assert uncovered == {"product": "Alatau Firewall", "version": "4.0", "in": "RUS",
                         "valid": False, "verdicts": []}
