"""MITRE ATT&CK on both databases: references checked at intake, the techniques indexed with
the other analyst indexes and removed with their version, browse by technique in keyset pages,
the audit, the CLI, and the Art. 6 table: readers x markings, checked exhaustively against
`exchange_policy.may_read` and the collections' read lists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.domain.taxii import Query
from kelisim.services.exchange import attack, audit, correlation, reading
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def with_techniques(*ids: str, **kwargs: Any) -> dict[str, Any]:
    obj = indicator(**kwargs)
    obj["external_references"] = [{"source_name": "mitre-attack", "external_id": i}
                                  for i in ids]
    return obj


def ids_of(page: correlation.SearchPage) -> set[str]:
    return {o.stix_id for o in page.objects}


def test_known_references_are_stored_and_unknown_ones_refused(ex: Exchange) -> None:
    rt = ex.node.runtime
    good = with_techniques("T1566", "T1566.001", "G0007")
    bad = with_techniques("T1566", "T9999")
    status = post(ex, "kz", good, bad)
    assert status["success_count"] == 1 and status["failure_count"] == 1
    [failure] = status["failures"]
    assert failure["id"] == bad["id"]
    assert "external_references[1].external_id: 'T9999'" in failure["message"]
    assert "MITRE ATT&CK" in failure["message"]
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "T1566")) == {good["id"]}
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "t1566.001")) == {good["id"]}
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "T1059")) == set()
    with pytest.raises(NotFound):
        attack.objects_of(rt, ex.principals["ru"], "T9999")
    # a technique is no observable value: neither "where else" nor an export uses it
    also = with_techniques("T1566")
    post(ex, "ru", also)
    assert all(s.kind != "mitre-attack"
               for s in correlation.where_else(rt, ex.principals["kz"], "main", good["id"]))


def test_pages_are_keyset_and_a_deletion_removes_its_rows(ex: Exchange) -> None:
    rt = ex.node.runtime
    many = [with_techniques("T1059", name=f"n{i}") for i in range(7)]
    post(ex, "kz", *many)
    first = attack.objects_of(rt, ex.principals["ru"], "T1059", limit=3)
    assert first.more and first.next and len(first.objects) == 3
    seen, page = [o.stix_id for o in first.objects], first
    while page.next:
        page = attack.objects_of(rt, ex.principals["ru"], "T1059", limit=3,
                                 next_token=page.next)
        seen += [o.stix_id for o in page.objects]
    assert sorted(seen) == seen and set(seen) == {o["id"] for o in many}
    with pytest.raises(InvalidInput):  # another reader's token, or another technique's
        attack.objects_of(rt, ex.principals["by"], "T1059", limit=3, next_token=first.next)
    with pytest.raises(InvalidInput):
        attack.objects_of(rt, ex.principals["ru"], "T1566", limit=3, next_token=first.next)
    reading.delete_object(rt, ex.principals["kz"], "main", many[1]["id"], Query())
    left = attack.objects_of(rt, ex.principals["ru"], "T1059", limit=100)
    assert ids_of(left) == {o["id"] for o in many} - {many[1]["id"]}


def test_a_page_naming_restricted_objects_is_audited(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    secret = with_techniques("T1486", markings=[marking["id"]])
    post(ex, "kz", marking, secret)
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "T1486")) == {secret["id"]}
    assert ids_of(attack.objects_of(rt, ex.principals["by"], "T1486")) == set()
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    assert [e["entry"]["endpoint"] for e in entries] == ["attack"]
    assert entries[0]["entry"]["objects"][0]["id"] == secret["id"]


def test_no_technique_page_reveals_what_its_reader_may_not_read(ex: Exchange) -> None:
    rt = ex.node.runtime

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return with_techniques("T1566", "T1071", tlp=spec["tlp"],
                               recipients=spec.get("recipients"), markings=markings,
                               name=f"{name} {i}")

    posted = post_matrix(ex, build).posted
    every = {p.obj["id"] for p in posted}
    for who, principal, expected in readers(ex, posted):
        if expected is None:
            with pytest.raises(PermissionDenied):
                attack.objects_of(rt, principal, "T1566")
            continue
        for technique in ("T1566", "T1071"):
            whole = attack.objects_of(rt, principal, technique, limit=1000)
            assert ids_of(whole) == expected, (who, technique)
            assert not whole.more
            paged, page = [], attack.objects_of(rt, principal, technique, limit=2)
            paged += [o.stix_id for o in page.objects]
            while page.next:  # pages neither show nor count a hidden object either
                page = attack.objects_of(rt, principal, technique, limit=2,
                                         next_token=page.next)
                paged += [o.stix_id for o in page.objects]
            assert set(paged) == expected and len(paged) == len(expected)
            assert not (set(paged) & (every - expected))
        assert expected  # each reader sees something, so the check can fail both ways


def test_kelisim_attack_lists_techniques_and_objects_as_the_account(
        ex: Exchange, kelisim: Any, database_url: str, tmp_path: Any) -> None:
    hidden = with_techniques("T1566", tlp="amber", recipients={"parties": ["RUS"]})
    shown = with_techniques("T1566")
    post(ex, "kz", hidden, shown)
    where = ("--database-url", database_url, "--data-dir", tmp_path, "attack")
    code, out, _ = kelisim(*where, "techniques", "--tactic", "initial-access",
                           "--search", "phishing")
    assert code == 0 and out.startswith("MITRE ATT&CK: MISP galaxy mitre-attack-pattern")
    assert "T1566\tPhishing\tinitial-access" in out and "T1059" not in out
    code, out, _ = kelisim(*where, "techniques", "--json", "--search", "T1566.00")
    assert code == 0 and {t["parent"] for t in json.loads(out)["techniques"]} == {"T1566"}
    code, out, _ = kelisim(*where, "objects", "T1566", "--token", ex.tokens["ru"])
    assert code == 0
    assert {o["stix_id"] for o in json.loads(out)["objects"]} == {hidden["id"], shown["id"]}
    code, out, _ = kelisim(*where, "objects", "T1566", "--token", ex.tokens["by"])
    assert code == 0 and [o["stix_id"] for o in json.loads(out)["objects"]] == [shown["id"]]
    code, _, err = kelisim(*where, "objects", "T9999")
    assert code == 1 and "no technique of MITRE ATT&CK" in err


def test_the_migration_indexes_the_techniques_of_objects_stored_before_it(ex: Exchange) -> None:
    from kelisim.storage.database import downgrade, make_engine, upgrade
    rt = ex.node.runtime
    old = with_techniques("T1566")
    post(ex, "kz", old, with_techniques())
    engine = make_engine(rt.settings.database_url)
    downgrade(engine, "0014")
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "T1566")) == set()
    upgrade(engine)
    engine.dispose()
    assert ids_of(attack.objects_of(rt, ex.principals["ru"], "T1566")) == {old["id"]}
