"""The federation of nodes in one process (issue 14; decision 0014): each node its own Runtime,
clock, data folder and database, served by uvicorn on loopback, driven by the services and by
`engine.sync_once` (no background thread). The KAZ node's database is SQLite or PostgreSQL in
turn; the others are SQLite. Each test removes one protection's reason to exist: a doctored
answer is a real answer of the real server, changed on its way (`Doctor`).
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from kelisim.config import Settings
from kelisim.domain.accounts import Principal
from kelisim.domain.clock import FixedClock
from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.domain.federation import checkpoints as cps
from kelisim.domain.federation import pages, transfers
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.signing import NodeKey
from kelisim.domain.ledger import GENESIS_HASH, Link, decode_body, make_link
from kelisim.domain.taxii import Query
from kelisim.services import accounts, depositary, participation
from kelisim.services.bootstrap import initialize
from kelisim.services.exchange import collections, reading, tombstones
from kelisim.services.federation import engine, ledger_sync, outbox, record
from kelisim.services.federation import node as nodes
from kelisim.services.federation.outbox import page_of
from kelisim.services.runtime import Runtime, build_runtime
from kelisim.storage.federation_repository import FederationRepository
from kelisim.storage.node_keys import key_path, load_key_file
from kelisim.storage.schema import exchange_objects, federation_copies
from kelisim.web.app import create_app
from kelisim.web.federation_signatures import NodeSignatureAuth
from tests.conftest import TEMPLATE_DB, TODAY, free_port, new_postgres_database, serving
from tests.conftest import Node as Server
from tests.exchange_support import TAXII, account, founding_history, indicator

pytestmark = pytest.mark.slow  # several nodes a test (~1 min a database): run in CI's slow part

BODIES = {"KAZ": "KZ-CERT", "RUS": "RU-CERT", "BLR": "BY-CERT"}
FEED = "/federation/v1/feed"
LEDGER = "/federation/v1/ledger"
CHECKPOINT = "/federation/v1/checkpoint"


@dataclass
class Member:
    """One node: its runtime and clock, its URL, the first admin of its server, and (a Party's
    node) a local analyst and party-admin and one collection of its own."""

    party: str | None
    rt: Runtime
    clock: FixedClock
    url: str
    admin: Principal
    people: dict[str, Principal] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    collection: str = ""

    @property
    def key(self) -> NodeKey:
        """The node's private key, read from its data folder as the node itself reads it."""
        return load_key_file(key_path(self.rt.settings.data_dir, None))

    def sync(self, client_for: Callable[[str], engine.PeerClient] | None = None
             ) -> dict[str, Any]:
        return engine.sync_once(self.rt, client_for)

    def repo(self, read: Callable[[FederationRepository], Any]) -> Any:
        with self.rt.unit_of_work() as uow:
            return read(FederationRepository(uow.connection))

    def held(self, origin: str) -> set[tuple[str, str]]:
        """(id, version) of every object of `origin`'s Party this node's database holds."""
        with self.rt.unit_of_work() as uow:
            rows = uow.connection.execute(
                select(exchange_objects.c.stix_id, exchange_objects.c.version)
                .where(exchange_objects.c.producer_party == origin)).all()
        return {(r[0], r[1]) for r in rows}

    def ledger_size(self) -> int:
        with self.rt.unit_of_work() as uow:
            head = uow.ledger.head()
        return 0 if head is None else head.seq

    def post(self, *objects: dict[str, Any]) -> None:
        """TAXII Add Objects by this node's analyst, over HTTP."""
        with httpx.Client(timeout=30, headers={
                "Authorization": f"Bearer {self.tokens['analyst']}", "Accept": TAXII,
                "Content-Type": TAXII}) as client:
            answer = client.post(f"{self.url}/taxii2/api1/collections/{self.collection}/objects/",
                                 content=orjson.dumps({"objects": list(objects)}))
        assert answer.status_code == 202, answer.text
        assert answer.json()["success_count"] == len(objects), answer.json()

    def signed_get(self, target: Member, path: str, key: NodeKey | None = None) -> int:
        """The status `target` answers a GET signed with `key` (this node's by default)."""
        with httpx.Client(auth=NodeSignatureAuth(key or self.key, self.clock),
                          timeout=30) as client:
            return client.get(target.url + path).status_code


@dataclass
class Federation:
    depositary: Member
    parties: dict[str, Member]

    def __getitem__(self, party: str) -> Member:
        return self.parties[party]

    @property
    def members(self) -> list[Member]:
        return [self.depositary, *self.parties.values()]

    def move_clocks(self, to: datetime) -> None:
        for member in self.members:
            member.clock.now = to


def ref(obj: dict[str, Any]) -> tuple[str, str]:
    return obj["id"], obj["modified"].replace(".000Z", ".000000Z")


# --- building a federation -------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """An initialized SQLite database (migrated, reference data, first admin) that each SQLite
    node starts from as a copy: what `initialize` writes, made once per module."""

    database: Path
    admin_token: str


def _member(tmp_path: Path, name: str, party: str | None, database_url: str | None,
            template: Template) -> Member:
    clock = FixedClock(TODAY)
    folder = tmp_path / name
    folder.mkdir()
    if database_url is None:
        shutil.copyfile(template.database, folder / "kelisim.db")
    settings = Settings(database_url=database_url, data_dir=folder, intake_processes=0)
    rt = build_runtime(settings, clock=clock)
    if database_url is None:
        token = template.admin_token
    else:
        first = initialize(rt)
        assert first is not None
        token = first["token"]
    url = f"http://127.0.0.1:{free_port()}"
    member = Member(party, rt, clock, url, accounts.authenticate(rt, token))
    member.tokens["admin"] = token
    return member


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("template")
    rt = build_runtime(Settings(data_dir=folder, intake_processes=0), clock=FixedClock(TODAY))
    try:
        first = initialize(rt)
        assert first is not None
    finally:
        rt.close()
    return Template(folder / "kelisim.db", first["token"])


def _person(member: Member, at: Member, key: str, role: str, party: str) -> None:
    """An account of `party` on the server of `at`, kept in `member.people`/`tokens`."""
    server = Server(at.rt, at.clock, at.tokens["admin"])
    member.tokens[key], member.people[key] = account(server, at.admin, f"{party} {key}", role,
                                                     party, BODIES[party])


@contextmanager
def _served(members: list[Member]) -> Iterator[None]:
    """Each runtime served on its own loopback port, in a thread (`conftest.serving`)."""
    with ExitStack() as stack:
        for member in members:
            stack.enter_context(serving(create_app(runtime=member.rt),
                                        int(member.url.rsplit(":", 1)[1])))
        yield


def _join(member: Member, at: Member) -> None:
    """The node takes the depositary's roster and ledger (before it syncs with any peer, which
    would not yet know it)."""
    client = engine.PeerClient(member.rt, nodes.require_node(member.rt), at.url)
    try:
        assert nodes.accept_roster(member.rt, client.get("/federation/v1/roster"))
        ledger_sync.replicate_ledger(member.rt, lambda after: client.get(LEDGER, after=after))
    finally:
        client.close()


@contextmanager
def federate(tmp_path: Path, kaz_database_url: str | None, template: Template,
             parties: tuple[str, ...] = ("KAZ", "RUS")) -> Iterator[Federation]:
    """The depositary's node and one node per Party, admitted as the issue says (the Party's
    party-admin asks at the depositary's node, the depositary admits), with the founding
    instruments on every node's ledger, and every link synced once without error."""
    dep = _member(tmp_path, "depositary", None, None, template)
    members = {p: _member(tmp_path, p.lower(), p, kaz_database_url if p == "KAZ" else None,
                          template) for p in parties}
    fed = Federation(dep, members)
    try:
        dep_key = nodes.init_node(dep.rt, party=None, url=dep.url)["descriptor"]
        depositary.record_entries(dep.rt, dep.admin, founding_history())
        for party, member in members.items():
            made = nodes.init_node(member.rt, party=party, url=member.url,
                                   depositary_url=dep.url,
                                   depositary_key=dep_key["descriptor"]["public_key"])
            _person(dep, dep, f"admin_{party}", "party-admin", party)
            asked = nodes.request_admission(dep.rt, dep.people[f"admin_{party}"],
                                            made["descriptor"])
            nodes.decide_admission(dep.rt, dep.admin, asked["key_id"], admit=True)
        with _served(fed.members):
            for party, member in members.items():
                _join(member, dep)
                _person(member, member, "analyst", "analyst", party)
                _person(member, member, "party_admin", "party-admin", party)
                member.collection = collections.create_collection(
                    member.rt, member.people["party_admin"], title=f"{party} indicators").id
            for member in members.values():
                report = member.sync()
                assert all("error" not in peer for peer in report["peers"].values()), report
                assert "error" not in report["ledger"], report
            yield fed
    finally:
        for member in fed.members:
            member.rt.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def kaz_database(request: pytest.FixtureRequest) -> str | None:
    """The KAZ node's database: a copy of the template in its folder, or a fresh PostgreSQL
    database cloned from the migrated PostgreSQL template."""
    if request.param == "sqlite":
        return None
    request.getfixturevalue("postgres_template")
    return new_postgres_database(request.getfixturevalue("postgres_server_url"), TEMPLATE_DB)


@pytest.fixture
def fed(tmp_path: Path, kaz_database: str | None, template: Template) -> Iterator[Federation]:
    with federate(tmp_path, kaz_database, template) as federation:
        yield federation


@pytest.fixture
def fed3(tmp_path: Path, kaz_database: str | None, template: Template) -> Iterator[Federation]:
    with federate(tmp_path, kaz_database, template, ("KAZ", "RUS", "BLR")) as federation:
        yield federation


# --- answers changed on their way ------------------------------------------------------------

class Doctor:
    """`client_for` for `engine.sync_once`: real signed clients, except that what `target`
    answers to `path` passes through `change` (and is kept in `seen`, as it came). With
    `keep_receipts`, the receipts for `target` are kept here instead of sent: a page signed
    again (`signed_again`) is another chain than the one the real origin holds."""

    def __init__(self, member: Member, target: Member, path: str,
                 change: Callable[[Any], Any] = lambda answer: answer, *,
                 keep_receipts: bool = False) -> None:
        self.member, self.target, self.path, self.change = member, target, path, change
        self.keep_receipts = keep_receipts
        self.seen: list[Any] = []
        self.receipts: list[Any] = []

    def __call__(self, base_url: str) -> engine.PeerClient:
        node = nodes.require_node(self.member.rt)
        if base_url != self.target.url:
            return engine.PeerClient(self.member.rt, node, base_url)
        doctor = self

        class Doctored(engine.PeerClient):
            def get(self, path: str, **params: Any) -> Any:
                answer = super().get(path, **params)
                if path != doctor.path:
                    return answer
                doctor.seen.append(copy.deepcopy(answer))
                return doctor.change(answer)

            def post(self, path: str, document: Any) -> Any:
                if doctor.keep_receipts and path == "/federation/v1/receipts":
                    doctor.receipts.append(document)  # the forger's, not the real origin's
                    return None
                return super().post(path, document)

        return Doctored(self.member.rt, node, base_url)


def signed_again(page: dict[str, Any], key: NodeKey, peer: str) -> dict[str, Any]:
    """`page` as its origin's key would have signed it with the raw objects it now carries:
    each entry's SHA-256s, the chain, and every signature made again."""
    chain = transfers.transfer_chain(peer)
    prev = decode_body(page["items"][0]["body"].encode())["prev_hash"]
    links = []
    for item in page["items"]:
        body = decode_body(item["body"].encode())
        entry = body["entry"]
        entry["versions"] = [[v["version"], hashlib.sha256(v["raw"].encode()).hexdigest()]
                             for v in item["versions"]]
        link = make_link(body["seq"], datetime.fromisoformat(body["recorded_at"]), entry, prev)
        item.update(body=link.body.decode(), hash=link.hash)
        links.append(link)
        prev = link.hash
    page["head"] = {"seq": links[-1].seq, "hash": prev}
    page["signature"] = key.sign(page_of(key.key_id, chain, links))
    return page


def quarantined(member: Member, peer: str) -> list[dict[str, Any]]:
    return list(member.repo(lambda r: r.quarantined(peer)))


def copy_of(member: Member, origin: str, stix_id: str) -> dict[str, Any] | None:
    """The receiver's record of its copy of `origin`'s object (generation, versions)."""
    with member.rt.unit_of_work() as uow:
        row = uow.connection.execute(select(federation_copies).where(
            federation_copies.c.origin_party == origin,
            federation_copies.c.stix_id == stix_id)).first()
    return None if row is None else dict(row._mapping)


# --- 1. re-syncing changes nothing -----------------------------------------------------------

def test_syncing_the_same_data_again_appends_nothing_anywhere(fed: Federation) -> None:
    kaz, rus = fed["KAZ"], fed["RUS"]
    objects = [indicator("one"), indicator("two")]
    kaz.post(*objects)
    first = rus.sync()
    assert first["peers"]["KAZ"]["stored"] == 2
    assert rus.held("KAZ") == {ref(o) for o in objects}

    def state() -> tuple[Any, ...]:
        sent = kaz.repo(lambda r: (r.chain_head("transfers:RUS"), r.receipts("transfers:RUS")))
        arrived = rus.repo(lambda r: (r.chain_head("arrivals:KAZ"), r.checkpoints(),
                                      r.peer("KAZ")["pulled_through"]))
        with rus.rt.unit_of_work() as uow:
            rows = uow.connection.execute(select(exchange_objects.c.stix_id,
                                                 exchange_objects.c.date_added)).all()
        return sent, arrived, sorted(rows), rus.ledger_size()

    before = state()
    again = rus.sync()
    kaz.sync()
    assert again["peers"]["KAZ"] == {"stored": 0, "quarantined": 0, "pages": 0,
                                     "split_views_found": 0}
    assert again["ledger"]["appended"] == 0
    assert state() == before
    assert before[0][0].seq == 2  # one transfer per object, not one per sync


def test_every_copy_and_arrival_proves_itself_with_one_signature_a_page(
        fed: Federation) -> None:
    """A copy's proof (its transfer, the origin's signed page statement, its path in the page's
    tree) verifies with the origin's key alone; the arrival record is checked the same way, and
    a proof that does not lead to the signed page is named."""
    kaz, rus = fed["KAZ"], fed["RUS"]
    objects = [indicator(f"proof {n}") for n in range(5)]
    kaz.post(*objects)
    assert rus.sync()["peers"]["KAZ"]["stored"] == 5
    for obj in objects:
        row = copy_of(rus, "KAZ", obj["id"])
        assert row is not None
        proof = pages.CopyProof.from_json(orjson.loads(row["signature"]))
        with rus.rt.unit_of_work() as uow:
            raw = uow.connection.execute(select(exchange_objects.c.version, exchange_objects.c.raw)
                                         .where(exchange_objects.c.stix_id == obj["id"])).all()
        versions = {r.version: bytes(r.raw) for r in raw}
        assert pages.proof_problem(proof, kaz.key.public_key, versions) is None
        assert pages.proof_problem(proof, rus.key.public_key, versions) is not None
        assert pages.proof_problem(proof, kaz.key.public_key,
                                   {v: b + b" " for v, b in versions.items()}) is not None
    admin = rus.people["party_admin"]
    assert record.verify_transfers(rus.rt, admin, direction="arrived", party="KAZ")["ok"]

    # Each arrival's entry, changed, no longer proves itself (the chain is checked apart).
    key = kaz.key.public_key
    for link in rus.repo(lambda r: r.links("arrivals:KAZ")):
        entry = decode_body(link.body)["entry"]
        assert pages.arrival_problem(entry, key) is None
        assert pages.arrival_problem(entry, None) == "its origin key is not on the roster"
        moved = copy.deepcopy(entry)
        moved["proof"]["index"] = (moved["proof"]["index"] + 1) % 5
        assert pages.arrival_problem(moved, key) == "the transfer is not in the signed page"
        other = {**entry, "generation": entry["generation"] + 1}
        assert "another object or generation" in str(pages.arrival_problem(other, key))
        assert "not signed by the origin" in str(pages.arrival_problem(entry,
                                                                       rus.key.public_key))


def test_a_large_first_sync_is_taken_into_the_chain_a_batch_a_request(
        fed: Federation, monkeypatch: pytest.MonkeyPatch) -> None:
    """The origin puts at most MATERIALIZE_BATCH changes into the chain a request and says more
    are pending; the peer asks on until none is, and gets every object once."""
    kaz, rus = fed["KAZ"], fed["RUS"]
    monkeypatch.setattr(outbox, "MATERIALIZE_BATCH", 3)
    objects = [indicator(f"batch {n}") for n in range(11)]
    kaz.post(*objects)
    report = rus.sync()["peers"]["KAZ"]
    assert report["stored"] == 11 and report["quarantined"] == 0
    assert rus.held("KAZ") == {ref(o) for o in objects}
    assert kaz.repo(lambda r: r.chain_head("transfers:RUS").seq) == 11
    assert rus.sync()["peers"]["KAZ"]["stored"] == 0  # nothing pending, nothing twice


def test_a_change_of_a_collections_read_list_reaches_what_peers_hold(fed: Federation) -> None:
    """Objects that do not change are examined again when their collection's read list does:
    a Party taken off the list has its copies purged, put back it gets them again."""
    kaz, rus = fed["KAZ"], fed["RUS"]
    objects = [indicator("listed 1"), indicator("listed 2")]
    kaz.post(*objects)
    rus.sync()
    assert rus.held("KAZ") == {ref(o) for o in objects}
    admin = kaz.people["party_admin"]
    collections.grant(kaz.rt, admin, kaz.collection, read_parties=["KAZ"], write_parties=None)
    assert rus.sync()["peers"]["KAZ"]["stored"] == 2  # two purges
    assert rus.held("KAZ") == set()
    assert rus.sync()["peers"]["KAZ"]["stored"] == 0  # examined once, not at every request
    collections.grant(kaz.rt, admin, kaz.collection, read_parties=["KAZ", "RUS"],
                      write_parties=None)
    assert rus.sync()["peers"]["KAZ"]["stored"] == 2
    assert rus.held("KAZ") == {ref(o) for o in objects}


# --- 2. a forged object is refused -----------------------------------------------------------

def test_an_object_whose_bytes_were_altered_is_quarantined_and_not_stored(
        fed: Federation) -> None:
    rus, kaz = fed["RUS"], fed["KAZ"]
    honest, forged = indicator("honest"), indicator("forged")
    rus.post(honest, forged)

    def alter(page: dict[str, Any]) -> dict[str, Any]:
        for item in page["items"]:
            if decode_body(item["body"].encode())["entry"]["object"] == forged["id"]:
                item["versions"][0]["raw"] = item["versions"][0]["raw"].replace(
                    "forged", "altered")
        return page

    report = kaz.sync(Doctor(kaz, rus, FEED, alter))
    assert report["peers"]["RUS"]["stored"] == 1
    assert report["peers"]["RUS"]["quarantined"] == 1
    assert kaz.held("RUS") == {ref(honest)}
    assert copy_of(kaz, "RUS", forged["id"]) is None
    [reason] = [q["reason"] for q in quarantined(kaz, "RUS")]
    assert "bytes are not those its snapshot names" in reason


def test_a_page_whose_transfers_are_signed_by_another_key_is_refused_whole(
        fed: Federation) -> None:
    rus, kaz = fed["RUS"], fed["KAZ"]
    objects = [indicator("first"), indicator("second")]
    rus.post(*objects)
    mallory = NodeKey.generate()

    def forge(page: dict[str, Any]) -> dict[str, Any]:
        links = [Link(i["seq"], i["body"].encode(), i["hash"]) for i in page["items"]]
        page["signature"] = mallory.sign(page_of(page["origin"]["key_id"], "transfers:KAZ",
                                                 links))
        return page

    report = kaz.sync(Doctor(kaz, rus, FEED, forge))
    assert "not signed by RUS's node key" in report["peers"]["RUS"]["error"]
    assert kaz.held("RUS") == set()  # not even the authentic first item
    assert kaz.repo(lambda r: r.peer("RUS")["pulled_through"]) == 0
    assert kaz.repo(lambda r: r.chain_head("arrivals:RUS").seq) == 0
    assert len(quarantined(kaz, "RUS")) == 1
    assert kaz.sync()["peers"]["RUS"]["stored"] == 2  # the real page is taken next time
    assert kaz.held("RUS") == {ref(o) for o in objects}


# --- 3. a tampered checkpoint is refused -----------------------------------------------------

def _signed_by_another_key(signed: dict[str, Any]) -> None:
    signed["signature"] = NodeKey.generate().sign(signed["checkpoint"])


def _forged_checkpoint(page: dict[str, Any]) -> None:
    _signed_by_another_key(page["checkpoint"])


def _altered_entry(page: dict[str, Any]) -> None:
    page["entries"][0]["body"] = page["entries"][0]["body"].replace("2026-11-20", "2026-11-19")


def _dropped_entry(page: dict[str, Any]) -> None:
    del page["entries"][0]


@pytest.mark.parametrize("tamper", [_forged_checkpoint, _altered_entry, _dropped_entry],
                         ids=["checkpoint-signed-by-another-key", "entry-altered",
                              "entry-dropped"])
def test_a_tampered_ledger_page_appends_nothing_and_is_reported(
        fed: Federation, tamper: Callable[[dict[str, Any]], None]) -> None:
    dep, kaz = fed.depositary, fed["KAZ"]
    depositary.record_entries(dep.rt, dep.admin, [
        {"kind": "notification", "party": "ARM", "received": "2026-11-20",
         "authorized_bodies": [{"name": "AM-CERT"}]},
        {"kind": "signature", "party": "KGZ", "date": "2026-11-20"}])
    size, held = kaz.ledger_size(), dep.ledger_size()
    checkpoints = kaz.repo(lambda r: len(r.checkpoints(source="depositary")))

    def changed(page: dict[str, Any]) -> dict[str, Any]:
        tamper(page)
        return page

    report = kaz.sync(Doctor(kaz, dep, LEDGER, changed))
    assert "error" in report["ledger"], report
    assert kaz.ledger_size() == size < held
    assert kaz.repo(lambda r: len(r.checkpoints(source="depositary"))) == checkpoints
    assert kaz.sync()["ledger"] == {"appended": held - size, "size": held}


# --- 4. a split view is detected and spread --------------------------------------------------

def test_a_split_view_is_kept_as_evidence_and_learned_by_the_other_party(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    size = kaz.ledger_size()
    other_history = hashlib.sha256(b"a history shown to someone else").hexdigest()
    forged = cps.sign_checkpoint(cps.Checkpoint(size, other_history, TODAY), dep.key)
    view = {"checkpoint": cps.checkpoint_to_json(forged), "split_views": []}
    assert ledger_sync.compare_view(kaz.rt, rus.key.key_id, view) == 1
    [found] = ledger_sync.split_views(kaz.rt)
    assert f"two checkpoints of size {size} with different heads" in found["reason"]
    status = record.federation_status(kaz.rt, kaz.people["party_admin"])
    assert len(status["split_views"]) == 1

    def spoil(answer: dict[str, Any]) -> dict[str, Any]:
        for evidence in answer["split_views"]:
            _signed_by_another_key(evidence["second"])
        return answer

    spoiled = rus.sync(Doctor(rus, kaz, CHECKPOINT, spoil))
    assert spoiled["peers"]["KAZ"]["split_views_found"] == 0
    assert ledger_sync.split_views(rus.rt) == []  # re-verified, and it does not verify
    learned = rus.sync()
    assert learned["peers"]["KAZ"]["split_views_found"] == 1
    [kept] = ledger_sync.split_views(rus.rt)
    dep_public = nodes.require_node(rus.rt).depositary_key
    assert cps.verify_split_view(cps.evidence_from_json(kept["evidence"], dep_public),
                                 dep_public)
    assert kept["evidence"] == found["evidence"]


# --- 5. a peer that answers garbage ----------------------------------------------------------

def test_a_peer_answering_garbage_is_quarantined_and_the_other_peer_still_syncs(
        fed3: Federation) -> None:
    kaz, rus, blr = fed3["KAZ"], fed3["RUS"], fed3["BLR"]
    from_kaz, from_blr = indicator("from kaz"), indicator("from blr")
    kaz.post(from_kaz)
    blr.post(from_blr)
    report = rus.sync(Doctor(rus, kaz, FEED, lambda page: ["<html>", 42, {"items": None}]))
    assert list(report["peers"]) == ["KAZ", "BLR"]  # the garbage came first
    assert "not a JSON object with items" in report["peers"]["KAZ"]["error"]
    assert report["peers"]["BLR"]["stored"] == 1
    assert rus.held("KAZ") == set()
    assert rus.held("BLR") == {ref(from_blr)}
    peers = {p["party"]: p for p in
             record.federation_status(rus.rt, rus.people["party_admin"])["peers"]}
    assert "not a JSON object with items" in peers["KAZ"]["last_error"]
    assert peers["KAZ"]["quarantined"] == 1
    assert (peers["BLR"]["last_error"], peers["BLR"]["quarantined"],
            peers["BLR"]["copies_held"]) == (None, 0, 1)


# --- 6. one object that cannot be stored -----------------------------------------------------

def test_an_authentic_object_that_cannot_be_stored_is_quarantined_alone(
        fed: Federation) -> None:
    rus, kaz = fed["RUS"], fed["KAZ"]
    objects = [indicator("a"), indicator("b"), indicator("c")]
    rus.post(*objects)
    origin_key = rus.key

    def not_an_object(page: dict[str, Any]) -> dict[str, Any]:
        page["items"][1]["versions"][0]["raw"] = "[1, 2, 3]"
        return signed_again(page, origin_key, "KAZ")

    report = kaz.sync(Doctor(kaz, rus, FEED, not_an_object, keep_receipts=True))
    assert (report["peers"]["RUS"]["stored"], report["peers"]["RUS"]["quarantined"]) == (2, 1)
    stored_ids = {stix_id for stix_id, _ in kaz.held("RUS")}
    assert len(stored_ids) == 2
    [reason] = [q["reason"] for q in quarantined(kaz, "RUS")]
    assert "could not be stored" in reason and "not a STIX object" in reason
    missing = {o["id"] for o in objects} - stored_ids
    assert len(missing) == 1 and copy_of(kaz, "RUS", missing.pop()) is None
    assert kaz.repo(lambda r: r.chain_head("arrivals:RUS").seq) == 3  # the stream went on


# --- 7. a replayed older snapshot never wins -------------------------------------------------

def test_a_replayed_older_page_does_not_undo_a_newer_version(fed: Federation) -> None:
    rus, kaz = fed["RUS"], fed["KAZ"]
    v1 = indicator("first version")
    rus.post(v1)
    recorder = Doctor(kaz, rus, FEED)
    assert kaz.sync(recorder)["peers"]["RUS"]["stored"] == 1
    old_page = recorder.seen[0]
    v2 = {**v1, "name": "second version", "modified": "2026-11-21T10:00:00.000Z"}
    rus.post(v2)
    assert kaz.sync()["peers"]["RUS"]["stored"] == 1
    assert kaz.held("RUS") == {ref(v1), ref(v2)}
    newer = copy_of(kaz, "RUS", v1["id"])
    assert newer is not None and newer["generation"] == 2

    with kaz.rt.unit_of_work() as uow:  # the cursor as an older backup of this node had it
        FederationRepository(uow.connection).update_peer("RUS", pulled_through=0,
                                                         pulled_head=GENESIS_HASH)
        uow.commit()
    replayed = kaz.sync(Doctor(kaz, rus, FEED, lambda page: copy.deepcopy(old_page)))
    assert "error" not in replayed["peers"]["RUS"], replayed
    assert replayed["peers"]["RUS"]["stored"] == 0
    assert kaz.held("RUS") == {ref(v1), ref(v2)}
    after = copy_of(kaz, "RUS", v1["id"])
    assert after is not None and (after["generation"], after["versions"]) == (
        2, newer["versions"])


# --- 8. admission --------------------------------------------------------------------------

def _descriptor(party: str, url: str, key: NodeKey, valid_from: date) -> dict[str, Any]:
    return rosters.descriptor_to_json(rosters.sign_descriptor(
        rosters.NodeDescriptor(party, url, key.public_key, valid_from), key))


def test_only_the_partys_admin_asks_and_only_the_depositary_admits(fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    new_key = NodeKey.generate()
    asked = _descriptor("KAZ", kaz.url, new_key, TODAY.date())
    _person(dep, dep, "analyst_KAZ", "analyst", "KAZ")
    serial = nodes.current_roster(dep.rt).serial
    with pytest.raises(PermissionDenied, match="own Party"):
        nodes.request_admission(dep.rt, dep.people["admin_RUS"], asked)
    with pytest.raises(PermissionDenied):
        nodes.request_admission(dep.rt, dep.people["analyst_KAZ"], asked)
    with pytest.raises(InvalidInput, match="depositary's node"):
        nodes.request_admission(kaz.rt, kaz.people["party_admin"], asked)

    nodes.request_admission(dep.rt, dep.people["admin_KAZ"], asked)
    with pytest.raises(PermissionDenied):
        nodes.decide_admission(dep.rt, dep.people["admin_KAZ"], new_key.key_id, admit=True)
    with pytest.raises(InvalidInput, match="only the depositary's node"):
        nodes.decide_admission(kaz.rt, kaz.admin, new_key.key_id, admit=True)
    assert nodes.current_roster(dep.rt).serial == serial
    held = nodes.current_roster(dep.rt)
    assert held is not None and rosters.speaker(held, new_key.key_id, dep.rt.clock().date()) is None
    assert rus.signed_get(dep, LEDGER, new_key) == 401  # asked for is not admitted

    refused = nodes.decide_admission(dep.rt, dep.admin, new_key.key_id, admit=False)
    assert (refused["decision"], refused["roster_serial"]) == ("refused", None)
    rus.sync()
    for member in (dep, rus):
        roster = nodes.current_roster(member.rt)
        assert roster is not None and roster.serial == serial
        assert new_key.key_id not in {e.key_id for e in roster.entries}
    assert rus.signed_get(dep, LEDGER, new_key) == 401
    with pytest.raises(NotFound):
        nodes.decide_admission(dep.rt, dep.admin, NodeKey.generate().key_id, admit=True)


# --- 9. rotation and revocation ------------------------------------------------------------

def test_a_revoked_key_is_refused_from_the_revocation_day(fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    tomorrow = TODAY + timedelta(days=1)
    nodes.revoke_node(dep.rt, dep.admin, kaz.key.key_id, tomorrow.date())
    rus.sync()  # RUS takes the new roster
    assert kaz.signed_get(dep, LEDGER) == 200
    assert kaz.signed_get(rus, FEED) == 200  # still speaks today
    fed.move_clocks(tomorrow)
    assert kaz.signed_get(dep, LEDGER) == 401
    assert kaz.signed_get(rus, FEED) == 401
    report = kaz.sync()
    assert "401" in report["ledger"]["error"]
    assert "401" in report["peers"]["RUS"]["error"]


def test_a_new_key_for_a_party_ends_the_old_keys_validity_on_its_first_day(
        fed: Federation) -> None:
    dep, kaz, rus = fed.depositary, fed["KAZ"], fed["RUS"]
    tomorrow = TODAY + timedelta(days=1)
    new_key = NodeKey.generate()
    nodes.request_admission(dep.rt, dep.people["admin_KAZ"],
                            _descriptor("KAZ", kaz.url, new_key, tomorrow.date()))
    nodes.decide_admission(dep.rt, dep.admin, new_key.key_id, admit=True)
    rus.sync()
    assert kaz.signed_get(dep, LEDGER) == 200
    assert kaz.signed_get(dep, LEDGER, new_key) == 401  # not before its first day
    fed.move_clocks(tomorrow)
    assert kaz.signed_get(dep, LEDGER) == 401
    assert kaz.signed_get(rus, FEED) == 401
    assert kaz.signed_get(dep, LEDGER, new_key) == 200
    assert kaz.signed_get(rus, FEED, new_key) == 200


# --- 10. clocks ----------------------------------------------------------------------------

def test_clocks_minutes_apart_still_sync_beyond_ten_minutes_they_are_refused(
        fed: Federation) -> None:
    kaz, rus = fed["KAZ"], fed["RUS"]
    near = indicator("five minutes")
    kaz.post(near)
    rus.clock.now = TODAY + timedelta(minutes=5)
    report = rus.sync()
    assert "error" not in report["ledger"] and report["peers"]["KAZ"]["stored"] == 1
    assert rus.held("KAZ") == {ref(near)}
    far = indicator("eleven minutes")
    kaz.post(far)
    for skew in (timedelta(minutes=11), timedelta(minutes=-11)):
        rus.clock.now = TODAY + skew
        report = rus.sync()
        assert "401" in report["ledger"]["error"] and "clock" in report["ledger"]["error"]
        assert "401" in report["peers"]["KAZ"]["error"]
        assert rus.held("KAZ") == {ref(near)}
    rus.clock.now = TODAY
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1


# --- 11. withdrawal ------------------------------------------------------------------------

def test_a_withdrawn_partys_node_is_cut_off_on_the_effective_date(fed3: Federation) -> None:
    dep, kaz, rus, blr = fed3.depositary, fed3["KAZ"], fed3["RUS"], fed3["BLR"]
    depositary.record_entries(dep.rt, dep.admin, [
        {"kind": "withdrawal_notice", "party": "BLR", "received": "2026-06-01"}])
    before = indicator("before the withdrawal")
    kaz.post(before)
    for member in (kaz, rus, blr):
        report = member.sync()
        assert "error" not in report["ledger"], report
    assert blr.held("KAZ") == rus.held("KAZ") == {ref(before)}
    assert blr.signed_get(kaz, FEED) == 200  # withdrawing: still bound (Art. 15)

    later = datetime(2026, 12, 5, 12, 0, tzinfo=TODAY.tzinfo)
    fed3.move_clocks(later)
    assert str(participation.party_states_on(kaz.rt, later.date())["BLR"]) == "withdrawn"
    after = indicator("after the withdrawal")
    kaz.post(after)
    assert blr.signed_get(kaz, FEED) == 403
    assert "skipped" in kaz.sync()["peers"]["BLR"]
    assert "403" in blr.sync()["peers"]["KAZ"]["error"]
    assert blr.held("KAZ") == {ref(before)}  # what it was sent stays
    assert rus.sync()["peers"]["KAZ"]["stored"] == 1
    assert rus.held("KAZ") == {ref(before), ref(after)}


# --- 12. instruments are recorded at the depositary's node only ----------------------------

def test_a_partys_node_refuses_to_record_instruments(fed: Federation) -> None:
    dep, kaz = fed.depositary, fed["KAZ"]
    size = kaz.ledger_size()
    with pytest.raises(InvalidInput, match="depositary's node") as refused:
        depositary.record_entries(kaz.rt, kaz.admin, [
            {"kind": "signature", "party": "KGZ", "date": "2026-11-20"}])
    assert dep.url in str(refused.value)
    assert kaz.ledger_size() == size == dep.ledger_size()


# --- 13. protocols (Art. 11) travel in the ledger like any instrument --------------------------

def test_a_protocol_and_its_instruments_reach_a_partys_node_with_the_same_status(
        fed: Federation) -> None:
    from kelisim.services import ledger, treaties
    from tests.protocol_history import PROTOCOL

    dep, kaz = fed.depositary, fed["KAZ"]
    pid = PROTOCOL["protocol"]
    depositary.record_entries(dep.rt, dep.admin, [
        {**PROTOCOL, "done_on": "2026-06-01",
         "entry_into_force": {"notifications": 2, "days_after": 0}},
        *({"kind": "signature", "party": p, "date": "2026-06-01", "treaty": pid}
          for p in ("KAZ", "RUS")),
        *({"kind": "notification", "party": p, "received": "2026-07-01", "treaty": pid}
          for p in ("KAZ", "RUS"))])
    report = kaz.sync()
    assert "error" not in report["ledger"], report
    assert kaz.ledger_size() == dep.ledger_size()

    def seen(member: Member) -> tuple[Any, ...]:
        status, names = treaties.compute_treaty_status(member.rt, member.admin, pid,
                                                       date(2026, 7, 1))
        body = treaties.treaty_status_json(status, names)
        return body["treaty"]["entry_into_force_date"], [
            (p["party"], p["state"]) for p in body["parties"]]

    assert seen(kaz) == seen(dep)
    assert seen(kaz)[0] == "2026-07-01" and ("KAZ", "in_force") in seen(kaz)[1]
    assert ledger.verify_ledger(kaz.rt, kaz.admin)["ok"]


def test_a_copy_deleted_at_its_origin_or_purged_leaves_a_tombstone_for_its_readers(
        fed: Federation) -> None:
    """A node's own readers learn that a copy left (TAXII 2.1 section 5.7), as they do of a
    local deletion: the origin deleted the version, or its read list no longer names them."""
    kaz, rus = fed["KAZ"], fed["RUS"]
    deleted, purged = indicator("deleted at the origin"), indicator("purged here")
    kaz.post(deleted, purged)
    rus.sync()
    reader = rus.people["analyst"]
    assert tombstones.list_tombstones(rus.rt, reader, kaz.collection)["tombstones"] == []
    assert reading.delete_object(kaz.rt, kaz.people["analyst"], kaz.collection, deleted["id"],
                                 Query()) == 1
    rus.sync()
    listed = tombstones.list_tombstones(rus.rt, reader, kaz.collection)["tombstones"]
    assert [(t["id"], t["deleted_by"]) for t in listed] == [
        (deleted["id"], {"account": None, "party": "KAZ"})]
    collections.grant(kaz.rt, kaz.people["party_admin"], kaz.collection, read_parties=["KAZ"],
                      write_parties=None)
    rus.sync()
    assert rus.held("KAZ") == set()
    listed = tombstones.list_tombstones(rus.rt, reader, kaz.collection)["tombstones"]
    assert [t["id"] for t in listed] == [deleted["id"], purged["id"]]
    assert all(t["version"] and t["producer_party"] == "KAZ" for t in listed)
    rus.sync()  # examined once: no second tombstone
    assert len(tombstones.list_tombstones(rus.rt, reader, kaz.collection)["tombstones"]) == 2
