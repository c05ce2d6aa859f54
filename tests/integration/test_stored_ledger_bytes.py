"""Any single changed byte in the stored ledger fails verification, on both databases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from kelisim.services import accounts, depositary, ledger
from kelisim.storage.schema import ledger_entries
from tests.conftest import Node
from tests.tampering import drop_append_only_guard

HISTORY = [{"kind": "signature", "party": p, "date": "2013-11-20"} for p in ("KAZ", "RUS", "BLR")]


def _set(node: Node, seq: int, **values: object) -> None:
    with node.runtime.unit_of_work() as uow:
        uow.connection.execute(update(ledger_entries).where(ledger_entries.c.seq == seq)
                               .values(**values))
        uow.commit()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_changed_byte_in_a_stored_body_or_hash_fails_verification(
        node: Node, data: st.DataObject) -> None:
    principal = accounts.authenticate(node.runtime, node.admin_token)
    with node.runtime.unit_of_work() as uow:
        links = list(uow.ledger.links())
    if not links:
        depositary.record_entries(node.runtime, principal, HISTORY)
        drop_append_only_guard(node)
        with node.runtime.unit_of_work() as uow:
            links = list(uow.ledger.links())
    link = data.draw(st.sampled_from(links))
    column = data.draw(st.sampled_from(["body", "hash"]))
    original = link.body if column == "body" else link.hash.encode()
    position = data.draw(st.integers(0, len(original) - 1))
    lowest = 1 if column == "hash" else 0  # a text column cannot hold NUL on PostgreSQL
    new_byte = data.draw(st.integers(lowest, 255).filter(lambda b: b != original[position]))
    changed = original[:position] + bytes([new_byte]) + original[position + 1:]
    if column == "hash":
        _set(node, link.seq, hash=changed.decode("latin-1"))
    else:
        _set(node, link.seq, body=changed)
    try:
        report = ledger.verify_ledger(node.runtime, principal)
        assert not report["ok"]
        assert any(f"entry {link.seq}" in p for p in report["problems"]), report["problems"]
    finally:
        if column == "hash":
            _set(node, link.seq, hash=link.hash)
        else:
            _set(node, link.seq, body=link.body)
    assert ledger.verify_ledger(node.runtime, principal)["ok"]
