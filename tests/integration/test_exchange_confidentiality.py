"""Art. 6 in the stored exchange, on both databases: markings filter in SQL exactly as the
policy says, nothing leaks through a side door, state secrets are refused whole, a withdrawal
takes effect by itself, reads of restricted information are audited in a verifiable chain."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import select, text

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.domain.exchange_policy import AUDIENCE_STRIDE, Endpoint
from kelisim.domain.stix.extension import TLP_MARKING_IDS
from kelisim.domain.taxii import KNOWN_PARAMETERS, Query, parse_query
from kelisim.services import accounts, depositary
from kelisim.services.exchange import audit, collections, intake, reading
from kelisim.storage.schema import exchange_jobs, exchange_objects, exchange_statuses
from tests.conftest import Node
from tests.exchange_support import (
    Exchange,
    indicator,
    restricted_marking,
    setup_exchange,
    state_secret,
)

ALL = Query(versions=("all",))


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def belarus_notifies(ex: Exchange, *bodies: str) -> None:
    """The depositary records that Belarus's authorized bodies are now `bodies` (Art. 8)."""
    depositary.record_entries(ex.node.runtime, ex.admin, [{
        "kind": "authorized_bodies_change", "party": "BLR", "changed": "2020-01-01",
        "received": "2020-01-02", "authorized_bodies": [{"name": b} for b in bodies]}])


def post(ex: Exchange, who: str, *objects: dict) -> dict:
    return post_to(ex, who, ex.collection_id, *objects)


def post_to(ex: Exchange, who: str, collection_id: str, *objects: dict) -> dict:
    rt = ex.node.runtime
    status_id = intake.accept_envelope(rt, ex.principals[who], collection_id,
                                       orjson.dumps({"objects": list(objects)}))
    intake.process_job(rt, status_id)
    return intake.get_status(rt, ex.principals[who], status_id)


def visible(ex: Exchange, who: str, query: Query = ALL,
            endpoint: Endpoint = Endpoint.OBJECTS) -> set[str]:
    page = reading.read_page(ex.node.runtime, ex.principals[who], ex.collection_id,
                             replace(query, limit=10_000), endpoint)
    return {row.stix_id for row in page.rows}


def test_markings_decide_who_reads(ex: Exchange) -> None:
    marking = restricted_marking("KAZ", ["RUS"])
    green = indicator("green")
    amber_ru = indicator("amber", tlp="amber", recipients={"parties": ["RUS"]})
    red_body = indicator("red", tlp="red", recipients={"bodies": ["BY-CERT"]})
    restricted = indicator("restricted", markings=[marking["id"]])
    status = post(ex, "kz", marking, green, amber_ru, red_body, restricted)
    assert status["success_count"] == 5, status
    ids = {o["id"] for o in (marking, green, amber_ru, red_body, restricted)}
    assert visible(ex, "kz") == ids
    assert visible(ex, "kz_reader") == ids
    assert visible(ex, "ru") == {marking["id"], green["id"], amber_ru["id"], restricted["id"]}
    # the restricted-access marking-definition is itself restricted to its owner and allowed
    assert visible(ex, "by") == {green["id"], red_body["id"]}
    assert visible(ex, "depositary") == {green["id"]}
    with pytest.raises(PermissionDenied):
        visible(ex, "am")  # Armenia signed but is not bound
    with pytest.raises(PermissionDenied):
        visible(ex, "cert")


def test_side_doors_reveal_nothing(ex: Exchange) -> None:
    secret_ru = indicator("for RUS only", tlp="amber", recipients={"parties": ["RUS"]})
    post(ex, "kz", secret_ru)
    rt, by = ex.node.runtime, ex.principals["by"]
    for endpoint in (Endpoint.OBJECTS, Endpoint.MANIFEST):
        for query in (Query(ids=(secret_ru["id"],)), Query(types=("indicator",)), ALL,
                      Query(versions=("first",))):
            assert visible(ex, "by", query, endpoint) == set()
    with pytest.raises(NotFound) as invisible:
        reading.read_page(rt, by, ex.collection_id, Query(), Endpoint.OBJECT, secret_ru["id"])
    with pytest.raises(NotFound) as missing:
        reading.read_page(rt, by, ex.collection_id, Query(), Endpoint.OBJECT,
                          "indicator--00000000-0000-4000-8000-000000000000")
    assert invisible.value.reason == missing.value.reason
    with pytest.raises(NotFound) as versions:
        reading.read_page(rt, by, ex.collection_id, Query(), Endpoint.VERSIONS, secret_ru["id"])
    assert versions.value.reason == missing.value.reason
    with pytest.raises(NotFound):
        reading.delete_object(rt, by, ex.collection_id, secret_ru["id"], ALL)
    # a status resource is its poster's Party's; to others it does not exist
    status = post(ex, "kz", indicator("x"))
    with pytest.raises(NotFound):
        intake.get_status(rt, by, status["id"])
    # a later, invisible version does not hide nor reveal itself through `last`
    shared = indicator("v1", modified="2026-11-20T10:00:00.000Z")
    narrowed = {**indicator("v2", tlp="red"), "id": shared["id"],
                "modified": "2026-11-22T10:00:00.000Z"}
    post(ex, "kz", shared, narrowed)
    page = reading.read_page(rt, by, ex.collection_id, Query(ids=(shared["id"],)),
                             Endpoint.OBJECTS)
    assert [orjson.loads(r.raw)["name"] for r in page.rows] == ["v1"]
    versions_seen = reading.read_page(rt, by, ex.collection_id, Query(), Endpoint.VERSIONS,
                                      shared["id"])
    assert [r.version for r in versions_seen.rows] == ["2026-11-20T10:00:00.000000Z"]


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "queued"])
def test_date_added_counts_nothing_the_reader_may_not_see(ex: Exchange, inline: bool) -> None:
    # Manifests and the X-TAXII-Date-Added headers show date_added to the microsecond. Stamps
    # given out one apart told a reader how many objects it may not see lay between two it
    # sees; now its objects are the same distance apart whatever else the envelope held.
    def gaps(*objects: dict) -> list[int]:
        if inline:
            intake.add_objects(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                               orjson.dumps({"objects": list(objects)}))
        else:
            post(ex, "kz", *objects)
        ids = {o["id"] for o in objects}
        page = reading.read_page(ex.node.runtime, ex.principals["by"], ex.collection_id,
                                 Query(limit=1000), Endpoint.MANIFEST)
        added = [row.date_added for row in page.rows if row.stix_id in ids]
        return [b - a for a, b in itertools.pairwise(added)]

    hidden = [indicator(f"for RUS {i}", tlp="amber", recipients={"parties": ["RUS"]})
              for i in range(5)]
    mixed = gaps(indicator("g1"), *hidden[:3], indicator("g2"), *hidden[3:], indicator("g3"))
    plain = gaps(indicator("g4"), indicator("g5"), indicator("g6"))
    assert mixed == plain == [AUDIENCE_STRIDE, AUDIENCE_STRIDE]


def test_next_tokens_are_bound_to_account_and_query(ex: Exchange) -> None:
    post(ex, "kz", *[indicator(f"n{i}") for i in range(5)])
    rt = ex.node.runtime
    first = reading.read_page(rt, ex.principals["ru"], ex.collection_id, Query(limit=2),
                              Endpoint.OBJECTS)
    assert first.more and first.next
    second = reading.read_page(rt, ex.principals["ru"], ex.collection_id,
                               Query(limit=2, next=first.next), Endpoint.OBJECTS)
    assert not {r.stix_id for r in second.rows} & {r.stix_id for r in first.rows}
    for who, query, endpoint in (
            ("by", Query(limit=2, next=first.next), Endpoint.OBJECTS),
            ("ru", Query(limit=2, types=("malware",), next=first.next), Endpoint.OBJECTS),
            ("ru", Query(limit=2, next=first.next), Endpoint.MANIFEST),
            ("ru", Query(limit=2, next=first.next[:-2] + "AA"), Endpoint.OBJECTS),
            ("ru", Query(limit=2, next="garbage"), Endpoint.OBJECTS)):
        with pytest.raises(InvalidInput) as refused:
            reading.read_page(rt, ex.principals[who], ex.collection_id, query, endpoint)
        assert refused.value.details["parameter"] == "next"


def test_state_secrets_are_refused_whole_and_leave_no_trace(ex: Exchange,
                                                            caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    secret = state_secret("Operation Nightjar")
    with pytest.raises(RuleViolation) as refused:
        post(ex, "kz", indicator("fine"), secret)
    assert refused.value.article == "Art. 6"
    assert "Nightjar" not in refused.value.reason and secret["id"] not in refused.value.reason
    with ex.node.runtime.unit_of_work() as uow:
        for table in (exchange_statuses, exchange_jobs):
            assert uow.connection.execute(select(table)).first() is None
        assert uow.connection.execute(select(exchange_objects).where(
            exchange_objects.c.collection_id == ex.collection_id)).first() is None
    assert "Nightjar" not in caplog.text


def test_withdrawal_takes_effect_by_itself_even_mid_pagination(ex: Exchange) -> None:
    post(ex, "kz", *[indicator(f"n{i}") for i in range(4)])
    rt, by = ex.node.runtime, ex.principals["by"]
    depositary.record_entries(rt, ex.admin, [
        {"kind": "withdrawal_notice", "party": "BLR", "received": "2026-06-01",
         "withdrawal_date": "2026-12-01"}])
    page = reading.read_page(rt, by, ex.collection_id, Query(limit=2), Endpoint.OBJECTS)
    assert len(page.rows) == 2  # withdrawing: still bound until the date
    post(ex, "by", indicator("still bound"))
    ex.node.clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    with pytest.raises(PermissionDenied) as stopped:
        reading.read_page(rt, by, ex.collection_id, Query(limit=2, next=page.next),
                          Endpoint.OBJECTS)
    assert stopped.value.article == "Art. 6"
    with pytest.raises(PermissionDenied):
        post(ex, "by", indicator("too late"))
    assert collections.list_collections(rt, by) == []
    assert len(visible(ex, "ru")) == 5


def test_reads_of_restricted_information_are_audited_and_verifiable(ex: Exchange) -> None:
    marking = restricted_marking("KAZ", ["RUS"])
    restricted = indicator("restricted", markings=[marking["id"]])
    post(ex, "kz", marking, restricted, indicator("open"))
    rt = ex.node.runtime
    visible(ex, "ru")
    visible(ex, "ru", Query(types=("marking-definition",)))  # the definition is restricted too
    visible(ex, "ru", Query(types=("malware",)))  # nothing restricted served: no entry
    reading.read_page(rt, ex.principals["ru"], ex.collection_id, Query(), Endpoint.OBJECT,
                      restricted["id"])
    visible(ex, "ru", Query(types=("indicator",)), Endpoint.MANIFEST)  # ids and versions only
    reading.read_page(rt, ex.principals["ru"], ex.collection_id, Query(), Endpoint.VERSIONS,
                      restricted["id"])
    visible(ex, "ru", Query(types=("malware",)), Endpoint.MANIFEST)  # nothing restricted listed
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    assert len(entries) == 5
    assert [e["entry"]["endpoint"] for e in entries[3:]] == [Endpoint.MANIFEST.value,
                                                              Endpoint.VERSIONS.value]
    assert [o["id"] for o in entries[3]["entry"]["objects"]] == [restricted["id"]]
    assert [o["id"] for o in entries[1]["entry"]["objects"]] == [marking["id"]]
    assert entries[0]["entry"]["reader"]["party"] == "RUS"
    assert {o["id"] for o in entries[0]["entry"]["objects"]} == {marking["id"], restricted["id"]}
    assert [o["id"] for o in entries[2]["entry"]["objects"]] == [restricted["id"]]
    with pytest.raises(PermissionDenied):
        audit.read_audit(rt, ex.principals["kz_admin"], "RUS")
    with pytest.raises(PermissionDenied):
        audit.read_audit(rt, ex.principals["kz"])
    assert audit.verify_audit(rt)["ok"] is True
    with rt.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.connection.execute(text("UPDATE exchange_audit SET owners = '|RUS|'"))
    with rt.unit_of_work() as uow:  # a hand that drops the trigger still cannot hide it
        if uow.connection.dialect.name == "postgresql":
            uow.connection.execute(text("ALTER TABLE exchange_audit DISABLE TRIGGER USER"))
        else:
            for op in ("update", "delete"):
                uow.connection.execute(text(f"DROP TRIGGER exchange_audit_append_only_{op}"))
        uow.connection.execute(text("DELETE FROM exchange_audit WHERE seq = 1"))
        uow.commit()
    report = audit.verify_audit(rt)
    assert report["ok"] is False and report["problems"]


def test_a_crash_after_202_loses_nothing(ex: Exchange, node: Node) -> None:
    from kelisim.services.exchange.worker import process_queued
    from kelisim.services.runtime import build_runtime

    rt = node.runtime
    objects = [indicator(f"n{i}") for i in range(3)]
    status_id = intake.accept_envelope(rt, ex.principals["kz"], ex.collection_id,
                                       orjson.dumps({"objects": objects}))
    pending = intake.get_status(rt, ex.principals["kz"], status_id)
    assert (pending["status"], pending["pending_count"]) == ("pending", 3)
    rt.close()  # the process dies before its worker runs
    restarted = build_runtime(rt.settings, clock=node.clock)
    try:
        assert process_queued(restarted) == 1
        done = intake.get_status(restarted, ex.principals["kz"], status_id)
        assert (done["status"], done["success_count"], done["pending_count"]) == (
            "complete", 3, 0)
        assert process_queued(restarted) == 0
    finally:
        restarted.close()


def test_a_queued_envelope_that_cannot_be_read_fails_object_by_object_once(ex: Exchange) -> None:
    """A poison job (here: its stored bytes damaged) must not come back forever, nor leave a
    half-stored envelope: every object is reported failed and the queue is empty."""
    from kelisim.services.exchange.worker import process_queued

    rt = ex.node.runtime
    objects = [indicator(f"p{i}") for i in range(2)]
    status_id = intake.accept_envelope(rt, ex.principals["kz"], ex.collection_id,
                                       orjson.dumps({"objects": objects}))
    with rt.unit_of_work() as uow:
        uow.connection.execute(exchange_jobs.update().values(envelope=b"\x00 not json"))
        uow.commit()
    assert process_queued(rt) == 1
    done = intake.get_status(rt, ex.principals["kz"], status_id)
    assert (done["status"], done["success_count"], done["failure_count"],
            done["pending_count"]) == ("complete", 0, 2, 0)
    assert {f["id"] for f in done["failures"]} == {o["id"] for o in objects}
    assert all("Post it again" in f["message"] for f in done["failures"])
    assert process_queued(rt) == 0
    assert visible(ex, "kz") == set()


def test_unresolvable_markings_fail_closed(ex: Exchange) -> None:
    unknown = "marking-definition--11111111-1111-4111-8111-111111111111"
    status = post(ex, "kz", indicator("x", markings=[unknown]))
    assert status["failure_count"] == 1
    assert "Art. 6" in status["failures"][0]["message"]


def test_query_parameters_are_checked(ex: Exchange) -> None:
    for params in ({"limit": ["0"]}, {"added_after": ["yesterday"]},
                   {"match[version]": ["latest"]}, {"match[bogus]": ["1"]},
                   {"limit": ["1", "2"]}):
        with pytest.raises(InvalidInput):
            parse_query(params, allowed=KNOWN_PARAMETERS)


def test_an_owner_sees_only_its_own_objects_in_a_read_that_served_several_owners(
        ex: Exchange) -> None:
    kaz_marking = restricted_marking("KAZ", ["BLR"])
    rus_marking = restricted_marking("RUS", ["BLR"])
    kaz_secret = indicator("kaz restricted", markings=[kaz_marking["id"]])
    rus_secret = indicator("rus restricted", markings=[rus_marking["id"]])
    post(ex, "kz", kaz_marking, kaz_secret)
    post(ex, "ru", rus_marking, rus_secret)
    ids = visible(ex, "by")
    assert {kaz_secret["id"], rus_secret["id"]} <= ids  # one page served both owners' objects
    rt = ex.node.runtime
    [entry] = [e for e in audit.read_audit(rt, ex.principals["kz_admin"])
               if e["entry"]["reader"]["party"] == "BLR"]
    assert {o["id"] for o in entry["entry"]["objects"]} == {kaz_marking["id"], kaz_secret["id"]}
    assert entry["entry"]["owners"] == ["KAZ"]
    assert rus_secret["id"] not in str(audit.read_audit(rt, ex.principals["kz_admin"]))


def test_tlp_and_producer_filters_run_in_the_service(ex: Exchange) -> None:
    post(ex, "kz", indicator("kz green", tlp="green"), indicator("kz unmarked", tlp=None),
         indicator("kz amber", tlp="amber", recipients={"parties": ["RUS"]}))
    post(ex, "ru", indicator("ru green", tlp="green"))
    names = {}
    for query in (Query(tlps=("green",)), Query(tlps=("none",)),
                  Query(producer_parties=("RUS",)), Query(tlps=("amber", "none"))):
        page = reading.read_page(ex.node.runtime, ex.principals["by"], ex.collection_id,
                                 replace(query, limit=100), Endpoint.OBJECTS)
        names[query] = sorted(orjson.loads(row.raw)["name"] for row in page.rows)
    assert list(names.values()) == [["kz green", "ru green"], ["kz unmarked"], ["ru green"],
                                    ["kz unmarked"]]  # BLR is not a recipient of the AMBER one


def test_several_types_page_in_date_added_order_exactly_like_one_type_at_a_time(
        ex: Exchange) -> None:
    objects = []
    for i in range(9):
        obj = indicator(f"i{i}")
        if i % 3 == 1:
            obj = {**obj, "type": "malware", "id": obj["id"].replace("indicator", "malware"),
                   "is_family": False}
            for name in ("pattern", "pattern_type", "valid_from"):
                obj.pop(name)
        elif i % 3 == 2:
            obj = {**obj, "pattern": "[ipv4-addr:value = '198.51.100.7']"}
        objects.append(obj)
    post(ex, "kz", *objects)
    rt, ru = ex.node.runtime, ex.principals["ru"]
    wanted = [o["id"] for o in objects if o["type"] in ("indicator", "malware")]
    seen, token = [], None
    while True:
        page = reading.read_page(rt, ru, ex.collection_id,
                                 Query(types=("malware", "indicator"), limit=4, next=token),
                                 Endpoint.OBJECTS)
        seen.extend(row.stix_id for row in page.rows)
        token = page.next
        if token is None:
            break
    assert seen == wanted
    only_malware = visible(ex, "ru", Query(types=("malware", "report")))
    assert only_malware == {o["id"] for o in objects if o["type"] == "malware"}


def test_a_refused_copy_of_a_marking_definition_lifts_no_restriction(ex: Exchange) -> None:
    """The marking an object names is resolved from the collection first, and only then from
    objects of the same envelope that passed the checks (Art. 6)."""
    marking = restricted_marking("KAZ", ["RUS"])
    assert post(ex, "kz", marking)["success_count"] == 1
    broken = {k: v for k, v in marking.items() if k not in ("created", "extensions")}
    widened = {**marking, "extensions": {
        ext: {**body, "allowed_parties": ["RUS", "BLR"]}
        for ext, body in marking["extensions"].items()}}
    for copy_ in (broken, widened):
        restricted = indicator("restricted", markings=[marking["id"]])
        status = post(ex, "kz", copy_, restricted)
        assert {s["id"] for s in status.get("successes", [])} >= {restricted["id"]}, status
        assert restricted["id"] in visible(ex, "ru")
        assert restricted["id"] not in visible(ex, "by")  # the stored definition still rules

    unknown = restricted_marking("KAZ", ["RUS", "BLR"])
    broken_unknown = {k: v for k, v in unknown.items() if k != "created"}
    orphan = indicator("names a marking the collection does not hold",
                       markings=[unknown["id"]])
    status = post(ex, "kz", broken_unknown, orphan)
    assert status["success_count"] == 0 and status["failure_count"] == 2, status
    assert "does not hold" in next(f["message"] for f in status["failures"]
                                   if f["id"] == orphan["id"])


def test_an_sco_whose_modified_is_no_timestamp_fails_alone(ex: Exchange) -> None:
    good = indicator("stored")
    for stamp in ("x", "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z",
                  "2026-01-01T00:00:00+01:00"):
        sco = {"type": "ipv4-addr", "spec_version": "2.1",
               "id": f"ipv4-addr--{uuid.uuid4()}", "value": "192.0.2.1", "modified": stamp}
        status = post(ex, "kz", good, sco)
        assert status["status"] == "complete"
        assert [f["id"] for f in status.get("failures", [])] == [sco["id"]], status
        assert "modified" in status["failures"][0]["message"]
    assert good["id"] in visible(ex, "ru")


def test_a_recipient_body_is_a_body_of_the_party_that_notified_it(ex: Exchange) -> None:
    """Art. 6: RED content for RU-CERT reaches RU-CERT's accounts only - not an account of
    another Party, nor of Russia, that merely carries the name (in any letter case); and a body
    no Party notified to the depositary cannot be named at all."""
    rt = ex.node.runtime
    for_ru_cert = indicator("for RU-CERT", tlp="red", recipients={"bodies": ["RU-CERT"]})
    assert post(ex, "kz", for_ru_cert)["success_count"] == 1
    impostors = {}
    for name, party, organization in (("by-posing", "BLR", "RU-CERT"),
                                      ("ru-lower", "RUS", "ru-cert")):
        created = accounts.create_account(rt, ex.admin, name=name, role="reader",
                                          organization_kind="authorized_body", party=party,
                                          organization=organization)
        impostors[name] = accounts.authenticate(rt, created["token"])
    assert for_ru_cert["id"] in visible(ex, "ru")
    for impostor in impostors.values():
        page = reading.read_page(rt, impostor, ex.collection_id, ALL, Endpoint.OBJECTS)
        assert for_ru_cert["id"] not in {row.stix_id for row in page.rows}

    unknown = indicator("for a body nobody notified", tlp="red",
                        recipients={"bodies": ["XX-CERT"]})
    status = post(ex, "kz", unknown)
    assert status["failure_count"] == 1
    assert "no Party has notified" in status["failures"][0]["message"]


def test_no_party_redefines_or_claims_another_partys_restricted_marking(ex: Exchange) -> None:
    """A marking-definition cannot be versioned (STIX 2.1 §7.2.1), and a restricted-access
    marking is posted by its owner Party only (Art. 2, 6): otherwise an allowed Party could
    widen the owner's restriction on the owner's later objects."""
    marking = restricted_marking("KAZ", ["RUS"])
    assert post(ex, "kz", marking)["success_count"] == 1
    statement = {"type": "marking-definition", "spec_version": "2.1", "id": marking["id"],
                 "created": "2020-01-01T00:00:00.000Z", "definition_type": "statement",
                 "definition": {"statement": "public"}}
    widened = {**restricted_marking("KAZ", ["RUS", "BLR", "ARM"]), "id": marking["id"],
               "created": "2020-01-01T00:00:00.000Z"}
    for redefinition in (statement, widened):
        status = post(ex, "ru", redefinition)
        assert status["failure_count"] == 1, status
        assert "neither versioned nor redefined" in status["failures"][0]["message"]
    claimed = restricted_marking("KAZ", ["RUS", "BLR"])
    status = post(ex, "ru", claimed)
    assert status["failure_count"] == 1 and "owner Party" in status["failures"][0]["message"]

    later = indicator("posted after the attempts", markings=[marking["id"]])
    assert post(ex, "kz", later)["success_count"] == 1
    assert later["id"] in visible(ex, "ru")
    assert later["id"] not in visible(ex, "by")
    assert later["id"] not in visible(ex, "depositary")


def test_posting_an_observable_tells_nothing_of_other_parties_copies(ex: Exchange) -> None:
    """SCO ids derive from their values: were a second Party's copy "already stored", posting
    an IP address would tell whether any Party holds it, however marked (Art. 6). Each Party
    keeps its own copy, with its own markings."""
    address = f"ipv4-addr--{uuid.uuid5(uuid.NAMESPACE_URL, 'ipv4-addr:203.0.113.66')}"

    def sco(tlp: str) -> dict:
        return {"type": "ipv4-addr", "spec_version": "2.1", "id": address,
                "value": "203.0.113.66", "object_marking_refs": [TLP_MARKING_IDS[tlp]]}

    kept_red = post(ex, "kz", sco("red"))
    assert kept_red["success_count"] == 1
    shared = post(ex, "by", sco("green"))
    assert shared["success_count"] == 1, shared  # a warning-list message at most, never:
    assert "already stored" not in shared["successes"][0].get("message", ""), shared
    assert address in visible(ex, "ru")  # Belarus's green copy
    again = post(ex, "by", sco("green"))
    assert again["successes"][0]["message"] == "already stored"
    by_versions = reading.read_page(ex.node.runtime, ex.principals["by"], ex.collection_id,
                                    ALL, Endpoint.OBJECTS).rows
    assert [r.producer_party for r in by_versions if r.stix_id == address] == ["BLR"]


def test_only_the_creating_party_versions_an_object(ex: Exchange) -> None:
    original = indicator("KAZ's indicator")
    assert post(ex, "kz", original)["success_count"] == 1
    takeover = {**original, "modified": "2026-11-21T10:00:00.000Z", "name": "benign"}
    status = post(ex, "by", takeover)
    assert status["failure_count"] == 1 and "creator" in status["failures"][0]["message"]
    page = reading.read_page(ex.node.runtime, ex.principals["ru"], ex.collection_id,
                             Query(), Endpoint.OBJECTS)
    assert [orjson.loads(r.raw)["name"] for r in page.rows
            if r.stix_id == original["id"]] == ["KAZ's indicator"]
    own_update = {**original, "modified": "2026-11-21T10:00:00.000Z", "name": "updated"}
    assert post(ex, "kz", own_update)["success_count"] == 1
    assert reading.delete_object(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                                 original["id"], Query(versions=("all",))) == 2


def test_a_party_deletes_its_copy_of_an_observable_and_leaves_the_others(ex: Exchange) -> None:
    address = f"ipv4-addr--{uuid.uuid5(uuid.NAMESPACE_URL, 'ipv4-addr:198.51.100.7')}"
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": address, "value": "198.51.100.7"}
    assert post(ex, "kz", sco)["success_count"] == post(ex, "by", sco)["success_count"] == 1
    assert reading.delete_object(ex.node.runtime, ex.principals["kz"], ex.collection_id,
                                 address, Query(versions=("all",))) == 1
    rows = reading.read_page(ex.node.runtime, ex.principals["ru"], ex.collection_id, ALL,
                             Endpoint.OBJECTS).rows
    assert [r.producer_party for r in rows if r.stix_id == address] == ["BLR"]
    with pytest.raises(PermissionDenied):
        reading.delete_object(ex.node.runtime, ex.principals["kz"], ex.collection_id, address,
                              Query(versions=("all",)))


def test_a_status_is_for_the_poster_and_its_partys_authorized_bodies(ex: Exchange) -> None:
    rt = ex.node.runtime
    status_id = intake.accept_envelope(rt, ex.principals["kz"], ex.collection_id,
                                       orjson.dumps({"objects": [indicator("posted")]}))
    assert intake.get_status(rt, ex.principals["kz_reader"], status_id)["id"] == status_id
    for outsider in ("cert", "ru", "depositary"):  # KAZ's certification body, another Party
        with pytest.raises(NotFound):
            intake.get_status(rt, ex.principals[outsider], status_id)


def test_a_marking_id_cannot_be_squatted_in_another_collection(ex: Exchange) -> None:
    """A marking id means one definition on the node: RUS, allowed to see KAZ's marking, cannot
    post a harmless definition under its id into another collection and so strip the
    restriction from what KAZ later posts there (Art. 6)."""
    rt = ex.node.runtime
    other = collections.create_collection(rt, ex.admin, title="Second", alias="second").id
    marking = restricted_marking("KAZ", ["RUS"])
    assert post(ex, "kz", marking)["success_count"] == 1
    squat = {"type": "marking-definition", "spec_version": "2.1", "id": marking["id"],
             "created": marking["created"], "definition_type": "statement",
             "definition": {"statement": "public"}}
    status = post_to(ex, "ru", other, squat)
    assert status["failure_count"] == 1, status
    later = indicator("KAZ's later object", markings=[marking["id"]])
    assert post_to(ex, "kz", other, marking, later)["success_count"] == 2
    seen_by = {who: {r.stix_id for r in reading.read_page(
        rt, ex.principals[who], other, ALL, Endpoint.OBJECTS).rows} for who in ("ru", "by")}
    assert later["id"] in seen_by["ru"] and later["id"] not in seen_by["by"]


def test_a_refused_marking_marks_nothing_else(ex: Exchange) -> None:
    claimed = restricted_marking("KAZ", ["RUS", "BLR"])
    marked = indicator("RUS content under a marking it may not post", markings=[claimed["id"]])
    status = post(ex, "ru", claimed, marked)
    assert status["success_count"] == 0 and status["failure_count"] == 2, status


def test_a_body_name_two_parties_notified_must_say_whose(ex: Exchange) -> None:
    rt = ex.node.runtime
    belarus_notifies(ex, "BY-CERT", "RU-CERT")
    ambiguous = indicator("for RU-CERT", tlp="red", recipients={"bodies": ["RU-CERT"]})
    status = post(ex, "kz", ambiguous)
    assert status["failure_count"] == 1 and "say whose" in status["failures"][0]["message"]
    qualified = indicator("for Russia's RU-CERT", tlp="red",
                          recipients={"bodies": ["RUS/RU-CERT"]})
    assert post(ex, "kz", qualified)["success_count"] == 1
    created = accounts.create_account(rt, ex.admin, name="by-ru-cert", role="reader",
                                      organization_kind="authorized_body", party="BLR",
                                      organization="RU-CERT")
    blr_ru_cert = accounts.authenticate(rt, created["token"])
    rows = reading.read_page(rt, blr_ru_cert, ex.collection_id, ALL, Endpoint.OBJECTS).rows
    assert qualified["id"] not in {r.stix_id for r in rows}
    assert qualified["id"] in visible(ex, "ru")


def test_what_a_post_is_told_depends_only_on_what_its_poster_sees(ex: Exchange) -> None:
    """An observable with custom timestamps is still a per-Party copy, and a 'new version' of
    an object the poster cannot see is stored as the poster's own: no answer differs with the
    existence of objects the poster may not read (Art. 6)."""
    address = f"ipv4-addr--{uuid.uuid5(uuid.NAMESPACE_URL, 'ipv4-addr:203.0.113.77')}"
    red_sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": address,
               "value": "203.0.113.77", "object_marking_refs": [TLP_MARKING_IDS["red"]]}
    hidden = indicator("KAZ only", tlp="red")
    assert post(ex, "kz", red_sco, hidden)["success_count"] == 2
    blind_sco = {**red_sco, "object_marking_refs": [TLP_MARKING_IDS["green"]],
                 "modified": "2020-01-01T00:00:00.000Z"}
    blind_version = {**hidden, "modified": "2026-11-22T10:00:00.000Z",
                     "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    status = post(ex, "by", blind_sco, blind_version)
    assert status["success_count"] == 2 and "failures" not in status, status
    assert all("already stored" not in s.get("message", "") for s in status["successes"])


def test_no_party_takes_over_another_partys_object(ex: Exchange) -> None:
    """A named recipient body sees the object, so its 'new version' is refused; a version
    posted blind is stored, but never locks the creator out of its own object (STIX 2.1
    §3.6); a custom object without timestamps is not another Party's copy to take over."""
    for_ru_cert = indicator("for RU-CERT", tlp="red", recipients={"bodies": ["RU-CERT"]})
    assert post(ex, "kz", for_ru_cert)["success_count"] == 1
    rewrite = {**for_ru_cert, "modified": "2026-11-21T10:00:00.000Z", "name": "RUS rewrite",
               "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    rewrite["extensions"] = {k: {**v, "recipients": {}} for k, v in
                             for_ru_cert["extensions"].items()}
    status = post(ex, "ru", rewrite)
    assert status["failure_count"] == 1 and "creator" in status["failures"][0]["message"]

    hidden = indicator("KAZ only", tlp="red")
    assert post(ex, "kz", hidden)["success_count"] == 1
    forged = {**hidden, "modified": "2026-11-21T10:00:00.000Z", "name": "BLR forged",
              "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    assert post(ex, "by", forged)["success_count"] == 1  # blind: stored as Belarus's own
    own_update = {**hidden, "modified": "2026-11-22T10:00:00.000Z", "name": "KAZ v2"}
    assert post(ex, "kz", own_update)["success_count"] == 1

    custom = {"type": "x-acme-note", "id": f"x-acme-note--{uuid.uuid4()}", "spec_version": "2.1",
              "created": "2026-11-20T10:00:00.000Z", "modified": "2026-11-20T10:00:00.000Z",
              "x_text": "KAZ"}
    assert post(ex, "kz", custom)["success_count"] == 1
    bare = {k: v for k, v in custom.items() if k not in ("created", "modified")} | {
        "x_text": "BLR rewrite"}
    status = post(ex, "by", bare)
    assert status["successes"][0].get("message") == "already stored", status
    page = reading.read_page(ex.node.runtime, ex.principals["ru"], ex.collection_id, Query(),
                             Endpoint.OBJECTS)
    assert [orjson.loads(r.raw)["x_text"] for r in page.rows if r.stix_id == custom["id"]] == [
        "KAZ"]


def test_a_marking_that_would_not_be_stored_defines_nothing(ex: Exchange) -> None:
    marking = {**restricted_marking("KAZ", ["RUS"]),
               "object_marking_refs": [f"marking-definition--{uuid.uuid4()}"]}  # not held
    marked = indicator("marked with a marking that fails", markings=[marking["id"]])
    status = post(ex, "kz", marking, marked)
    assert status["success_count"] == 0 and status["failure_count"] == 2, status


def test_a_deleted_marking_id_stays_its_producers(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    assert post(ex, "kz", marking)["success_count"] == 1
    reading.delete_object(rt, ex.principals["kz"], ex.collection_id, marking["id"],
                          Query(versions=("all",)))
    squat = {"type": "marking-definition", "spec_version": "2.1", "id": marking["id"],
             "created": marking["created"], "definition_type": "statement",
             "definition": {"statement": "public"}}
    assert post(ex, "ru", squat)["failure_count"] == 1
    later = indicator("KAZ's later object", markings=[marking["id"]])
    assert post(ex, "kz", marking, later)["success_count"] == 2
    assert later["id"] not in visible(ex, "by") and later["id"] in visible(ex, "ru")


def test_a_qualified_body_name_is_only_that_partys_body(ex: Exchange) -> None:
    belarus_notifies(ex, "BY-CERT", "RUS/GOV-CERT")
    status = post(ex, "kz", indicator("for RUS/GOV-CERT", tlp="red",
                                      recipients={"bodies": ["RUS/GOV-CERT"]}))
    assert status["failure_count"] == 1 and "has notified no" in status["failures"][0]["message"]


def test_the_depositary_reads_no_collection_a_party_keeps_to_a_read_list(ex: Exchange) -> None:
    """The depositary is no Party (Art. 6 gives it no part in the exchange): a read list never
    names it, so a collection kept to KAZ and RUS is closed to it even for open objects, while it
    still manages the collection and reads open objects where every Party reads (decision 0012)."""
    rt = ex.node.runtime
    kept = collections.create_collection(rt, ex.admin, title="KAZ and RUS", alias="kept",
                                         read_parties=["KAZ", "RUS"],
                                         write_parties=["KAZ"]).id
    assert post_to(ex, "kz", kept, indicator("green, kept"))["success_count"] == 1
    assert post(ex, "kz", indicator("green, open"))["success_count"] == 1
    listed = {c.id: c for c in collections.list_collections(rt, ex.principals["depositary"])}
    assert listed[kept].can_manage and not listed[kept].can_read
    assert listed[ex.collection_id].can_read
    with pytest.raises(PermissionDenied):
        reading.read_page(rt, ex.principals["depositary"], kept, ALL, Endpoint.OBJECTS)
    assert len(visible(ex, "depositary")) == 1
    ru_rows = reading.read_page(rt, ex.principals["ru"], kept, ALL, Endpoint.OBJECTS).rows
    assert len(ru_rows) == 1
