"""Search, CCRA-layout import and export, the change feed and its STIX form, on both databases."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import stix2
from sqlalchemy import select

from kelisim.domain.certification.ccra import COLUMNS
from kelisim.services.certification import catalogue, feed, recording
from kelisim.services.exchange.publication import CERTIFICATION_COLLECTION_ID
from kelisim.storage.schema import exchange_objects
from tests.conftest import Node
from tests.integration.certification_setup import issue, make_registry

CCRA_CSV = "\r\n".join([
    ",".join(COLUMNS),
    "Boundary Protection Devices and Systems,Alatau Firewall 3,Alatau Soft,KZ-CC,"
    "EAL4+ ALC_FLR.2,Protection Profile for Firewalls; Network Device cPP,03/15/2021,"
    "03/15/2026,https://kz.example/cr/1.pdf,https://kz.example/st/1.pdf,"
    "01/10/2022,Alatau Firewall 3.1,https://kz.example/ma/1.pdf,",
    "Boundary Protection Devices and Systems,Alatau Firewall 3,Alatau Soft,KZ-CC,"
    "EAL4+ ALC_FLR.2,Protection Profile for Firewalls; Network Device cPP,03/15/2021,"
    "03/15/2026,https://kz.example/cr/1.pdf,https://kz.example/st/1.pdf,"
    "06/01/2023,Alatau Firewall 3.2,https://kz.example/ma/2.pdf,https://kz.example/mst/2.pdf",
    "Cryptographic Tools,Steppe Crypto Module,Steppe Labs,KZ-CC,EAL2,,11/30/2022,11/30/2027,,,,"
    ",,",
    'Databases,"Zhetisu DB, Enterprise",Zhetisu,KZ,EAL1,,07/04/2020,07/04/2025,,,,,,',
]) + "\r\n"


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_ccra_list_imports_and_exports_back_row_for_row(node: Node) -> None:
    registry = make_registry(node)
    rt, kz = node.runtime, registry.certifiers["KAZ"]
    result = catalogue.import_csv(rt, kz, "KZ-CC", CCRA_CSV)
    assert result == {"scheme": "KZ-CC", "imported": 3, "maintenance_reports": 2}
    exported = catalogue.export_csv(rt, registry.admin, scheme="KZ-CC")
    expected = rows(CCRA_CSV)
    expected[4][3] = "KZ-CC"  # the Party's ISO code on import, the scheme's key on export
    assert rows(exported) == expected
    as_json = catalogue.export_json(rt, registry.admin, scheme="KZ-CC")
    assert as_json[0]["Maintenance Title"] == "Alatau Firewall 3.1"
    assert as_json[0]["Certification Date"] == "03/15/2021"
    steppe = catalogue.search_certificates(rt, registry.admin, text="steppe")["certificates"]
    assert [c["category"] for c in steppe] == ["cryptographic_tool"]
    alatau = catalogue.search_certificates(rt, registry.admin, text="alatau")["certificates"][0]
    assert alatau["requirements"] == [{"document": "CC-3.1", "level": "EAL4",
                                       "augmentations": ["ALC_FLR.2"]}]
    assert [m["title"] for m in alatau["maintenance"]] == ["Alatau Firewall 3.1",
                                                           "Alatau Firewall 3.2"]
    # The extended layout carries the numbers, so a second registry can load it unchanged.
    extended = catalogue.export_csv(rt, registry.admin, scheme="KZ-CC", extended=True)
    assert rows(extended)[0][-5:] == ["Certificate Number", "Version", "Expiry Date",
                                      "Technical Domain", "State"]
    assert {r[-1] for r in rows(extended)[1:]} == {"valid", "expired"}


def test_search_filters_full_text_and_keyset_pages(node: Node) -> None:
    registry = make_registry(node)
    rt = node.runtime
    for i in range(12):
        issue(registry, f"KZ-{i:02d}", "KZ-CC", level=["EAL1", "EAL2", "EAL4"][i % 3],
              product=f"{['Firewall', 'Antivirus', 'Gateway'][i % 3]} Model {i}",
              vendor=["Alpha", "Beta"][i % 2], category=["firewall", "anti_malware",
                                                         "siem"][i % 3])
    issue(registry, "RU-1", "RU-FSTEC", document="FSTEC-UD", level="4", product="Firewall R")
    recording.record_event(rt, registry.certifiers["KAZ"], "KZ-03", "suspended",
                           {"on": "2024-01-01"})
    seen, cursor, pages = [], None, 0
    while True:
        page = catalogue.search_certificates(rt, registry.admin, limit=5, cursor=cursor,
                                             party="KAZ")
        seen += [c["number"] for c in page["certificates"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 12
    products = [c["product"] for c in catalogue.search_certificates(
        rt, registry.admin, limit=50, party="KAZ")["certificates"]]
    assert products == sorted(products, key=str.casefold)

    def numbers(**filters: object) -> list[str]:
        found = catalogue.search_certificates(rt, registry.admin, **filters)["certificates"]
        return sorted(c["number"] for c in found)

    assert numbers(text="fire") == ["KZ-00", "KZ-03", "KZ-06", "KZ-09", "RU-1"]
    assert numbers(text="fire mod", vendor="beta") == ["KZ-03", "KZ-09"]
    assert numbers(category="Detection Devices and Systems") == []
    assert numbers(category="siem") == ["KZ-02", "KZ-05", "KZ-08", "KZ-11"]
    assert numbers(requirement="CC-3.1", level="EAL4") == ["KZ-02", "KZ-05", "KZ-08", "KZ-11"]
    assert numbers(scheme="RU-FSTEC") == ["RU-1"]
    assert numbers(state="suspended", on=date(2024, 6, 1)) == ["KZ-03"]
    assert numbers(state="suspended", on=date(2023, 12, 31)) == []
    assert numbers(state="not_yet_issued", on=date(2021, 2, 1)) == [*numbers(party="KAZ"),
                                                                    "RU-1"]
    assert "KZ-03" not in numbers(state="valid", on=date(2024, 6, 1))


def test_the_feed_tells_recognising_parties_of_suspensions_and_withdrawals(node: Node) -> None:
    registry = make_registry(node)
    rt, kz = node.runtime, registry.certifiers["KAZ"]
    issue(registry, "KZ-1", "KZ-CC", expires="2029-01-01")
    issue(registry, "KZ-2", "KZ-CC", expires="2029-01-01")
    node.clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    suspended = recording.record_event(rt, kz, "KZ-1", "suspended",
                                       {"on": "2026-11-26", "reason": "critical flaw"})
    recording.record_event(rt, kz, "KZ-2", "withdrawn", {"on": "2026-11-20"})
    since = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    changes = feed.changes(rt, registry.admin, changed_since=since)["changes"]
    assert [(c["number"], c["event"], c["alert"]) for c in changes] == [
        ("KZ-1", "suspended", True), ("KZ-2", "withdrawn", True)]
    assert changes[0]["recognised_in"] == ["RUS"]
    assert changes[0]["reason"] == "critical flaw"
    first = feed.changes(rt, registry.admin, limit=1, changed_since=since)
    rest = feed.changes(rt, registry.admin, after=first["next_after"], changed_since=since)
    assert [c["number"] for c in rest["changes"]] == ["KZ-2"]
    assert feed.changes(rt, registry.admin, changed_since=since,
                        events={"withdrawn"})["changes"][0]["number"] == "KZ-2"

    bundle = feed.stix_bundle(rt, registry.admin, suspended["seq"])
    parsed = stix2.parse(bundle, allow_custom=True)
    note = next(o for o in parsed.objects if o.type == "note")
    software = next(o for o in parsed.objects if o.type == "software")
    assert software.name == "Product KZ-1" and software.vendor == "Example Vendor"
    assert note.object_refs[0] == software.id
    assert "KZ-1" in note.abstract and "suspended" in note.abstract
    assert bundle == feed.stix_bundle(rt, registry.admin, suspended["seq"])  # deterministic
    assert suspended["published"] is True  # recorded and published in one call
    with rt.unit_of_work() as uow:
        stored = {row.stix_id for row in uow.connection.execute(
            select(exchange_objects.c.stix_id).where(
                exchange_objects.c.collection_id == CERTIFICATION_COLLECTION_ID))}
    assert note.id in stored and software.id in stored
    again = feed.publish_to_exchange(rt, registry.admin, suspended["seq"])
    assert again["published"] is True and again["failures"] == []
