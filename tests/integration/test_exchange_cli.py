"""`kelisim collections ...` and `kelisim audit verify` on both databases, as an operator."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from kelisim.domain.errors import NotFound
from kelisim.services.exchange.publication import DEFINITIONS_COLLECTION_ID
from kelisim.storage.database import make_engine


def test_collections_add_list_grant(cli) -> None:
    code, out, _ = cli("collections", "add", "KZ feed", "--alias", "kz", "--owner", "KAZ",
                       "--write", "KAZ")
    assert code == 0
    created = json.loads(out)
    assert created["owner_party"] == "KAZ" and created["write_parties"] == ["KAZ"]
    assert created["read_parties"] == "every bound Party"
    code, out, _ = cli("collections", "grant", "kz", "--read", "KAZ", "--read", "RUS",
                       "--write", "KAZ")
    assert code == 0 and json.loads(out)["read_parties"] == ["KAZ", "RUS"]
    code, out, _ = cli("collections", "list")
    assert [c["id"] for c in json.loads(out)] == [DEFINITIONS_COLLECTION_ID, created["id"]]
    with pytest.raises(NotFound, match="XYZ"):
        cli("collections", "grant", "kz", "--read", "XYZ")


def test_audit_verify_passes_then_detects_tampering(cli, database_url: str) -> None:
    code, out, _ = cli("audit", "verify")
    assert code == 0 and json.loads(out)["ok"] is True
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO ledger_heads (chain, seq, hash) "
                          "VALUES ('exchange_audit', 3, :h)"), {"h": "f" * 64})
    engine.dispose()
    code, out, _ = cli("audit", "verify")
    assert code == 1 and "deleted" in json.loads(out)["problems"][0]
