"""Every column stored beside a chain's body is verified, on both databases (issue 13, section 2),
and migration 0009 leaves no column outside a hash and no tombstone shown too widely.

For each chain table, each column that is not the body or its hash is edited in one row, directly
in the database, past the append-only guard (tests/tampering.py); verification must then name
exactly that entry and that column, with the stored and the expected value, and the command
that verifies the chain must exit 1 with that one line. Undoing the edit makes it pass again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Table, select, update
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from typer.testing import CliRunner

from kelisim.cli import app
from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.config import Settings
from kelisim.domain.exchange_policy import Endpoint, Scope, ScopeKind
from kelisim.domain.ledger import GENESIS_HASH, make_link
from kelisim.domain.taxii import Query
from kelisim.services import accounts, depositary, ledger
from kelisim.services.bootstrap import initialize
from kelisim.services.certification import integrity
from kelisim.services.exchange import audit, intake, reading
from kelisim.services.runtime import build_runtime
from kelisim.storage.database import downgrade, upgrade
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.instants import aware
from kelisim.storage.schema import (
    cert_ledger_entries,
    exchange_audit,
    exchange_collections,
    ledger_entries,
    ledger_heads,
)
from tests.conftest import TODAY, Node
from tests.exchange_support import indicator, restricted_marking, setup_exchange
from tests.integration.certification_setup import issue, make_registry
from tests.tampering import drop_append_only_guard

HISTORY = [{"kind": "signature", "party": p, "date": "2013-11-20"} for p in ("KAZ", "RUS", "BLR")]
LATER = timedelta(seconds=1)


@dataclass(frozen=True)
class Chain:
    table: Table
    fill: Callable[[Node], int]  # records entries; returns the seq of the row to edit
    verify: Callable[[Node], dict[str, Any]]
    command: tuple[str, ...]
    edits: tuple[tuple[str, Any], ...]  # (column, new value; a callable gets the stored one)


def fill_ledger(node: Node) -> int:
    admin = accounts.authenticate(node.runtime, node.admin_token)
    depositary.record_entries(node.runtime, admin, HISTORY)
    depositary.record_entries(node.runtime, admin, [
        {"kind": "correction", "supersedes": 3, "void": True}])
    return 2


def fill_certification(node: Node) -> int:
    registry = make_registry(node)
    issue(registry, "KZ-1", "KZ-CC", level="EAL2")
    with node.runtime.unit_of_work() as uow:
        return int(uow.connection.execute(
            select(cert_ledger_entries.c.seq)
            .where(cert_ledger_entries.c.kind == "certificate.issued")).scalar_one())


def fill_audit(node: Node) -> int:
    ex = setup_exchange(node)
    marking = restricted_marking("KAZ", ["RUS"])
    restricted = indicator("restricted", markings=[marking["id"]])
    status_id = intake.accept_envelope(node.runtime, ex.principals["kz"], ex.collection_id,
                                       orjson.dumps({"objects": [marking, restricted]}))
    intake.process_job(node.runtime, status_id)
    reading.read_page(node.runtime, ex.principals["ru"], ex.collection_id,
                      Query(versions=("all",)), Endpoint.OBJECTS)
    reading.read_page(node.runtime, ex.principals["ru"], ex.collection_id, Query(),
                      Endpoint.VERSIONS, restricted["id"])
    return 2


def as_admin(check: Callable[..., dict[str, Any]]) -> Callable[[Node], dict[str, Any]]:
    return lambda node: check(node.runtime, accounts.authenticate(node.runtime, node.admin_token))


CHAINS = {
    "ledger_entries": Chain(
        ledger_entries, fill_ledger, as_admin(ledger.verify_ledger), ("ledger", "verify"),
        (("recorded_at", lambda v: v + LATER), ("kind", "accession"), ("party", "ARM"),
         ("party", None), ("event_date", date(2000, 1, 1)), ("event_date", None),
         ("recorded_by", 424242), ("recorded_by", None))),
    "cert_ledger_entries": Chain(
        cert_ledger_entries, fill_certification,
        as_admin(integrity.verify_certification_ledger), ("certification", "verify-ledger"),
        (("recorded_at", lambda v: v + LATER), ("kind", "certificate.withdrawn"),
         ("scheme", "RU-FSTEC"), ("scheme", None), ("number", "KZ-2"), ("number", None),
         ("event_date", date(2000, 1, 1)), ("event_date", None), ("recorded_by", 424242),
         ("recorded_by", None))),
    "exchange_audit": Chain(
        exchange_audit, fill_audit, lambda node: audit.verify_audit(node.runtime),
        ("audit", "verify"),
        (("recorded_at", lambda v: v + LATER), ("account_id", 424242), ("party", "BLR"),
         ("party", None), ("owners", "|RUS|"))),
}


def shown(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def stored(node: Node, table: Table, seq: int, column: str) -> Any:
    with node.runtime.unit_of_work() as uow:
        return aware(uow.connection.execute(
            select(table.c[column]).where(table.c.seq == seq)).scalar_one())


def put(node: Node, table: Table, seq: int, column: str, value: Any) -> None:
    with node.runtime.unit_of_work() as uow:
        uow.connection.execute(update(table).where(table.c.seq == seq).values({column: value}))
        uow.commit()


def run_cli(node: Node, command: tuple[str, ...]) -> tuple[int, str, str]:
    settings = node.runtime.settings
    result = CliRunner().invoke(app, ["--database-url", settings.database_url,
                                      "--data-dir", str(settings.data_dir), *command])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", list(CHAINS))
def test_an_edit_of_any_stored_column_is_named_with_its_entry_and_both_values(
        node: Node, name: str) -> None:
    chain = CHAINS[name]
    # every column but the chain's own (seq, body, hash) is edited here: a new one must be too
    assert {column for column, _ in chain.edits} == set(chain.table.c.keys()) - {
        "seq", "body", "hash"}
    seq = chain.fill(node)
    assert chain.verify(node)["ok"], chain.verify(node)["problems"]
    code, _, _ = run_cli(node, chain.command)
    assert code == 0
    drop_append_only_guard(node, name)
    for column, edit in chain.edits:
        original = stored(node, chain.table, seq, column)
        new = edit(original) if callable(edit) else edit
        assert new != original, (column, new)
        put(node, chain.table, seq, column, new)
        expected = (f"entry {seq}: column {column} holds {shown(new)} but its hashed body says "
                    f"{shown(original)}")
        try:
            report = chain.verify(node)
            assert not report["ok"]
            assert report["problems"] == [expected]
            code, out, err = run_cli(node, chain.command)
            assert code == 1
            if name == "exchange_audit":  # the report as JSON, and one line of error
                assert orjson.loads(out)["problems"] == [expected]
                assert err.strip().splitlines() == [
                    "error: the audit of reads does not verify (Art. 6)"]
            else:
                assert [line for line in err.splitlines() if line.startswith("  - ")] == [
                    f"  - {expected}"]
        finally:
            put(node, chain.table, seq, column, original)
        assert chain.verify(node)["ok"]


def test_who_recorded_an_entry_is_inside_its_hash(node: Node) -> None:
    admin = accounts.authenticate(node.runtime, node.admin_token)
    depositary.record_entries(node.runtime, admin, HISTORY[:1])
    with node.runtime.unit_of_work() as uow:
        [(link, columns)] = list(uow.ledger.stored())
    assert orjson.loads(link.body)["recorded_by"] == admin.account_id == columns["recorded_by"]


def test_migration_0009_clears_who_recorded_an_entry_outside_its_hash(
        database_url: str, tmp_path: Path) -> None:
    """An entry recorded before 0009 has no `recorded_by` in its body: the column claimed what no
    hash covered; the upgrade clears it, and the chain (bodies, hashes, head) is unchanged."""
    rt = build_runtime(Settings(database_url=database_url, data_dir=tmp_path))
    initialize(rt)
    engine = rt.uow.engine
    downgrade(engine, "0007")
    link = make_link(1, TODAY, HISTORY[0], GENESIS_HASH)  # as kelisim wrote it before 0009
    with engine.begin() as conn:
        conn.execute(ledger_entries.insert().values(
            seq=1, recorded_at=TODAY, kind="signature", party="KAZ",
            event_date=date(2013, 11, 20), body=link.body, hash=link.hash, recorded_by=1))
        conn.execute(ledger_heads.insert().values(chain="depositary", seq=1, hash=link.hash))
    upgrade(engine)
    try:
        with rt.unit_of_work() as uow:
            [(after, columns)] = list(uow.ledger.stored())
        assert after == link and columns["recorded_by"] is None
        report = ledger.verify_ledger(rt, LOCAL_OPERATOR)
        assert report["ok"], report["problems"]
        with rt.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
            uow.connection.execute(update(ledger_entries).values(recorded_by=2))
    finally:
        rt.close()


def test_migration_0009_shows_an_older_tombstone_to_its_producer_party_only(
        database_url: str, tmp_path: Path) -> None:
    """A tombstone left before 0009 kept no gates of its version: nobody but its producer's
    Party is shown it (whether others could read the version is no longer known)."""
    rt = build_runtime(Settings(database_url=database_url, data_dir=tmp_path))
    initialize(rt)
    engine = rt.uow.engine
    downgrade(engine, "0007")
    columns = ("collection_id", "stix_id", "version", "producer_party", "deleted_by",
               "deleted_at")
    old = sa_table("exchange_tombstones", *(sa_column(c) for c in columns))
    with engine.begin() as conn:
        conn.execute(exchange_collections.insert().values(
            id="c1", title="old", created_at=TODAY, last_added=0))
        for stix_id, producer in (("indicator--kaz", "KAZ"), ("indicator--nobody", None)):
            conn.execute(old.insert().values(
                collection_id="c1", stix_id=stix_id, version="2026-11-20T10:00:00.000000Z",
                producer_party=producer, deleted_by=1, deleted_at=TODAY))
    upgrade(engine)
    try:
        with rt.unit_of_work() as uow:
            repo = ObjectsRepository(uow.connection)
            seen = {who: [t.stix_id for t in repo.tombstones("c1", reach)] for who, reach in (
                ("KAZ", Scope(ScopeKind.BODY, "KAZ", "KAZ/KZ-CERT")),
                ("RUS", Scope(ScopeKind.BODY, "RUS", "RUS/RU-CERT")),
                ("depositary", Scope(ScopeKind.OPEN_ONLY)))}
    finally:
        rt.close()
    assert seen == {"KAZ": ["indicator--kaz"], "RUS": [], "depositary": []}
