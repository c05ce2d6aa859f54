"""Exports on both databases (issue 16, items 6 and 9): the content of each format, the
lifecycle (expired and revoked left out unless asked), markings carried, Suricata rules that
parse, a MISP event that pymisp loads, streaming a page at a time, the audit, and the Art. 6
table: readers x markings x formats, checked exhaustively for leaks."""

from __future__ import annotations

import csv
import io
import json
import threading
from typing import Any

import pytest
from pymisp import MISPEvent
from sqlalchemy import event
from suricataparser import parse_rule

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.domain.stix.extension import TLP_MARKING_IDS
from kelisim.services.exchange import audit, collections
from kelisim.services.exchange.exports import ExportFilter, export_objects
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post, post_to
from tests.integration.test_exchange_correlation import with_pattern

FORMATS = ("suricata", "csv", "stix", "misp")


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def export(ex: Exchange, who: str, fmt: str, page: int = 500, **filters: Any) -> bytes:
    """The export; the documentation addresses these tests use (RFC 5737) are on the MISP
    warning lists, kept here unless a test asks otherwise."""
    done = export_objects(ex.node.runtime, ex.principals[who], fmt,
                          ExportFilter(**{"include_warned": True, **filters}), page=page)
    return b"".join(done.chunks)


def ids_in(fmt: str, body: bytes) -> set[str]:
    """The indicators an export holds, read back as a consumer of the format would."""
    if fmt == "csv":
        return {row["indicator_id"] for row in csv.DictReader(io.StringIO(body.decode()))}
    if fmt == "stix":
        return {o["id"] for o in json.loads(body)["objects"] if o["type"] == "indicator"}
    if fmt == "misp":
        loaded = MISPEvent()
        loaded.load(body.decode())
        uuids = {a.uuid for a in loaded.attributes} | {o.uuid for o in loaded.objects}
        return {f"indicator--{u}" for u in uuids}
    found = set()
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            rule = parse_rule(line)
            assert rule is not None, line
            found |= {m.split()[1] for m in rule.metadata if m.startswith("kelisim_indicator")}
    return found


def test_each_format_carries_values_and_markings(ex: Exchange) -> None:
    amber = with_pattern("[ipv4-addr:value = '198.51.100.7'] OR "
                         "[domain-name:value = 'c2.evil.example']", tlp="amber",
                         recipients={"parties": ["RUS"]})
    green = with_pattern("[url:value = 'http://evil.example/drop?x=1'] AND "
                         "[file:hashes.'SHA-256' = '" + "ab" * 32 + "']")
    post(ex, "kz", amber, green)
    body = export(ex, "ru", "csv").decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted((r["type"], r["value"], r["indicator_id"], r["producer_party"], r["tlp"],
                   r["lifecycle_state"]) for r in rows) == sorted([
        ("ipv4-addr", "198.51.100.7", amber["id"], "KAZ", "amber", "active"),
        ("domain-name", "c2.evil.example", amber["id"], "KAZ", "amber", "active"),
        ("url", "http://evil.example/drop?x=1", green["id"], "KAZ", "green", "active"),
        ("SHA-256", "ab" * 32, green["id"], "KAZ", "green", "active")])
    assert all(r["valid_until"].endswith("Z") for r in rows)
    rules = export(ex, "ru", "suricata").decode()
    lines = [line for line in rules.splitlines() if line and not line.startswith("#")]
    parsed = [parse_rule(line) for line in lines]
    assert len(parsed) == 4  # an address, a name (DNS and TLS), a URL; the hash is not a rule
    assert all(r is not None for r in parsed)
    assert len({r.sid for r in parsed if r}) == 4
    assert "# not exported: 1 SHA-256 value(s)" in rules
    assert {r.msg.split()[1] for r in parsed if r} == {"TLP:AMBER", "TLP:GREEN"}
    assert export(ex, "ru", "suricata").decode().splitlines()[2:] == rules.splitlines()[2:]
    bundle = json.loads(export(ex, "ru", "stix"))
    assert bundle["type"] == "bundle"
    by_id = {o["id"]: o for o in bundle["objects"]}
    assert by_id[amber["id"]] == amber and by_id[green["id"]] == green  # as stored
    assert {TLP_MARKING_IDS["amber"], TLP_MARKING_IDS["green"]} <= set(by_id)
    loaded = MISPEvent()
    loaded.load(export(ex, "ru", "misp").decode())
    values = {(a.value, tuple(t.name for t in a.tags))
              for o in loaded.objects for a in o.attributes}
    assert {("198.51.100.7", ("tlp:amber",)), ("c2.evil.example", ("tlp:amber",))} <= values
    assert (green["pattern"], ("tlp:green",)) in values
    assert [t.name for t in loaded.tags] == ["tlp:amber"]
    # BLR may not read the amber one: not in any format
    for fmt in FORMATS:
        assert ids_in(fmt, export(ex, "by", fmt)) == {green["id"]}, fmt


def test_expired_and_revoked_indicators_are_left_out_unless_asked(ex: Exchange) -> None:
    live = with_pattern("[ipv4-addr:value = '192.0.2.1']")
    expired = {**with_pattern("[ipv4-addr:value = '192.0.2.2']"),
               "valid_until": "2026-11-21T00:00:00Z"}
    decayed = {**with_pattern("[ipv4-addr:value = '192.0.2.3']"),
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "valid_from": "2026-01-01T00:00:00Z"}
    revoked = {**with_pattern("[ipv4-addr:value = '192.0.2.4']"), "revoked": True}
    post(ex, "kz", live, expired, decayed, revoked)
    for fmt in FORMATS:
        assert ids_in(fmt, export(ex, "ru", fmt)) == {live["id"]}, fmt
        assert ids_in(fmt, export(ex, "ru", fmt, include_expired=True)) == {
            live["id"], expired["id"], decayed["id"], revoked["id"]}, fmt
    states = {r["indicator_id"]: r["lifecycle_state"] for r in csv.DictReader(io.StringIO(
        export(ex, "ru", "csv", include_expired=True).decode()))}
    assert states == {live["id"]: "active", expired["id"]: "expired",
                      decayed["id"]: "expired", revoked["id"]: "revoked"}


def test_filters_and_refusals(ex: Exchange) -> None:
    rt = ex.node.runtime
    listed = collections.create_collection(rt, ex.admin, title="listed", alias="listed",
                                           read_parties=["KAZ", "RUS"],
                                           write_parties=["KAZ", "RUS"])
    here = with_pattern("[domain-name:value = 'here.example']")
    there = with_pattern("[domain-name:value = 'there.example']")
    by_ru = with_pattern("[domain-name:value = 'ru.example']")
    post(ex, "kz", here)
    post_to(ex, "kz", listed.id, there)
    post(ex, "ru", by_ru)
    assert ids_in("csv", export(ex, "ru", "csv")) == {here["id"], there["id"], by_ru["id"]}
    assert ids_in("csv", export(ex, "ru", "csv", collection="listed")) == {there["id"]}
    assert ids_in("csv", export(ex, "ru", "csv", producer="rus")) == {by_ru["id"]}
    assert ids_in("csv", export(ex, "by", "csv")) == {here["id"], by_ru["id"]}
    with pytest.raises(NotFound):
        export(ex, "by", "csv", collection="listed")
    with pytest.raises(InvalidInput):
        export(ex, "ru", "xml")
    with pytest.raises(PermissionDenied):
        export(ex, "cert", "csv")
    stix = json.loads(export(ex, "ru", "stix", types=("indicator",), collection="main"))
    assert {o["id"] for o in stix["objects"]} >= {here["id"], by_ru["id"]}


def test_exports_of_restricted_objects_are_audited(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    secret = with_pattern("[ipv4-addr:value = '203.0.113.9']", markings=[marking["id"]])
    post(ex, "kz", marking, secret)
    for fmt in FORMATS:
        assert ids_in(fmt, export(ex, "ru", fmt)) == {secret["id"]}
    bundle = json.loads(export(ex, "ru", "stix", types=("indicator",)))
    assert marking["id"] in {o["id"] for o in bundle["objects"]}  # its definition comes along
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    endpoints = [e["entry"]["endpoint"] for e in entries]
    assert endpoints == ["export/suricata", "export/csv", "export/stix", "export/misp",
                         "export/stix"]
    assert audit.verify_audit(rt)["ok"]
    assert ids_in("csv", export(ex, "by", "csv")) == set()


def test_an_export_streams_a_page_at_a_time(ex: Exchange) -> None:
    many = [with_pattern(f"[ipv4-addr:value = '10.{i // 250}.{i % 250}.1']", name=f"n{i}")
            for i in range(2000)]
    for start in range(0, len(many), 1000):
        post(ex, "kz", *many[start:start + 1000])
    engine = ex.node.runtime.uow.engine
    pages: list[int] = []

    reading = threading.get_ident()

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        # a page of objects read by this export (not a statement of a background thread the
        # intake started, such as its planner statistics)
        if ("FROM exchange_objects" in statement and "AS payload" in statement
                and threading.get_ident() == reading):
            pages.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        done = export_objects(ex.node.runtime, ex.principals["ru"], "csv",
                              ExportFilter(include_warned=True), page=200)  # RFC 1918 values
        chunks = iter(done.chunks)
        header, first = next(chunks), next(chunks)
        assert header.startswith(b"type,value") and first.count(b"\n") == 200
        assert len(pages) == 1  # one page read so far, not the whole collection
        rest = list(chunks)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rest) == 9 and len(pages) <= 11  # 10 pages (and the empty end of one)
    assert sum(c.count(b"\n") for c in [first, *rest]) == 2000


# --- Art. 6: readers x markings x formats ---------------------------------------------------

def test_no_export_reveals_what_its_reader_may_not_read(ex: Exchange) -> None:
    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return with_pattern(f"[domain-name:value = 's{i}-unique.example' OR "
                            f"ipv4-addr:value = '192.0.2.{i}']"
                            f" AND [url:value = 'http://shared.example/u{i}']",
                            tlp=spec["tlp"], recipients=spec.get("recipients"),
                            markings=markings, name=f"{name} {i}")

    matrix = post_matrix(ex, build)
    posted_cells, restricted = matrix.posted, matrix.restricted_marking
    posted = [(p.obj, f"s{i}-unique.example") for i, p in enumerate(posted_cells)]
    for who, _, expected in readers(ex, posted_cells):
        if expected is None:
            for fmt in FORMATS:
                with pytest.raises(PermissionDenied):
                    export(ex, who, fmt)
            continue
        hidden = [(o, secret) for o, secret in posted if o["id"] not in expected]
        for fmt in FORMATS:
            body = export(ex, who, fmt)
            assert ids_in(fmt, body) == expected, (who, fmt)
            for obj, secret in hidden:  # exhaustive: no trace of a hidden object anywhere
                assert obj["id"].encode() not in body, (who, fmt)
                assert obj["id"].split("--")[1].encode() not in body, (who, fmt)
                assert secret.encode() not in body, (who, fmt)
            if who != "by" and "restricted-for-blr" not in body.decode():
                assert restricted.encode() not in body


def test_the_misp_event_loads_in_pymisp_with_values_and_tlp_tags(ex: Exchange) -> None:
    objects = [
        with_pattern("[ipv4-addr:value = '198.51.100.20']", tlp="clear"),
        with_pattern("[domain-name:value = 'misp.example']", tlp="green"),
        with_pattern("[url:value = 'http://misp.example/a']", tlp="amber",
                     recipients={"parties": ["RUS"]}),
        with_pattern("[file:hashes.MD5 = '" + "c" * 32 + "']", tlp="red",
                     recipients={"bodies": ["RU-CERT"]}),
        with_pattern("[domain-name:value = 'x.example'] OR [ipv4-addr:value = '192.0.2.99']"),
    ]
    post(ex, "kz", *objects)
    loaded = MISPEvent()
    loaded.load(export(ex, "ru", "misp").decode())
    got = {(a.uuid, a.value, tuple(t.name for t in a.tags)) for a in loaded.attributes}
    assert got == {
        (objects[0]["id"][11:], "198.51.100.20", ("tlp:clear",)),
        (objects[1]["id"][11:], "misp.example", ("tlp:green",)),
        (objects[2]["id"][11:], "http://misp.example/a", ("tlp:amber",)),
        (objects[3]["id"][11:], "c" * 32, ("tlp:red",))}
    [pattern] = loaded.objects
    assert pattern.uuid == objects[4]["id"][11:]
    assert {a.value for a in pattern.attributes} == {"x.example", "192.0.2.99"}
    assert [t.name for t in loaded.tags] == ["tlp:red"]
    assert indicator()  # the shared builder stays importable here


def test_kelisim_export_writes_what_the_account_may_read(ex: Exchange, kelisim: Any,
                                                         database_url: str,
                                                         tmp_path: Any) -> None:
    hidden = with_pattern("[domain-name:value = 'cli-hidden.example']", tlp="amber",
                          recipients={"parties": ["RUS"]})
    shown = with_pattern("[domain-name:value = 'cli-shown.example']")
    post(ex, "kz", hidden, shown)
    where = ("--database-url", database_url, "--data-dir", tmp_path, "export")
    out = tmp_path / "rules.rules"
    code, _, _ = kelisim(*where, "suricata", "--out", out, "--token", ex.tokens["by"])
    assert code == 0 and ids_in("suricata", out.read_bytes()) == {shown["id"]}
    code, body, _ = kelisim(*where, "csv", "--token", ex.tokens["ru"], "--collection", "main")
    assert code == 0 and ids_in("csv", body.encode()) == {shown["id"], hidden["id"]}
    code, _, err = kelisim(*where, "csv", "--collection", "nope")
    assert code == 1 and err.startswith("error: No such collection")
    code, _, err = kelisim(*where, "csv", "--added-after", "yesterday")
    assert code == 1 and err.startswith("error: --added-after")


def test_an_object_misp_stix_cannot_convert_is_left_out_not_the_page() -> None:
    from kelisim.services.exchange.misp_export import _page_event

    good = with_pattern("[ipv4-addr:value = '198.51.100.40']")
    broken = {"type": "indicator", "spec_version": "2.1"}  # no id: misp-stix cannot load it
    event = _page_event([good, broken], lambda refs: {})
    assert [a.value for a in event.attributes] == ["198.51.100.40"]


def test_kelisim_export_leaves_warned_values_out_unless_asked(ex: Exchange, kelisim: Any,
                                                              database_url: str,
                                                              tmp_path: Any) -> None:
    warned = with_pattern("[ipv4-addr:value = '1.1.1.1']")
    post(ex, "kz", warned)
    where = ("--database-url", database_url, "--data-dir", tmp_path, "export", "csv")
    code, body, _ = kelisim(*where, "--token", ex.tokens["by"])
    assert code == 0 and "1.1.1.1" not in body and "# left out: 1 value(s)" in body
    code, body, _ = kelisim(*where, "--token", ex.tokens["by"], "--include-warned")
    assert code == 0 and "1.1.1.1" in body
    code, _, err = kelisim(*where, "--include-warned=maybe")
    assert code != 0 and err.strip()
