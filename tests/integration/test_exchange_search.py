"""Full-text search on both databases (issue 16, item 3): the same corpus gives the same answers
on SQLite (FTS5) and PostgreSQL (tsvector); the exchange filters, keyset pages, the latest
visible version, deletions and the migration's backfill; the audit; and the Art. 6 table:
readers x markings, checked exhaustively against `exchange_policy.may_read` and the
collections' read lists, so that nothing hidden is returned or counted."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import delete, func, select

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.domain.taxii import Query
from kelisim.services.exchange import audit, collections, reading, search
from kelisim.storage import text_index
from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.schema import exchange_search
from tests.art6_matrix import Posted, post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post, post_to


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def named(name: str, *, description: str | None = None, **extra: Any) -> dict[str, Any]:
    obj = indicator(name, **{k: v for k, v in extra.items()
                             if k in ("tlp", "recipients", "markings", "directions",
                                      "threat_class", "modified", "stix_id")})
    if description is not None:
        obj["description"] = description
    for key in ("labels", "external_references", "pattern"):
        if key in extra:
            obj[key] = extra[key]
    return obj


CORPUS: dict[str, dict[str, Any]] = {
    "kk": named("Қазақстан банктеріне фишинг шабуылы",
                description="Ұлттық CERT хабарлады: зиянды хат ағыны"),
    "ru": named("Фишинговая кампания против банков",
                description="Ёмкие письма с вложением; ответственность группы APT28"),
    "en": named("Phishing wave against banks", description="Fancy Bear (APT28) spear-phishing",
                labels=["malicious-activity"]),
    "ref": named("Drive-by downloads", external_references=[
        {"source_name": "mitre-attack", "external_id": "T1189",
         "url": "https://attack.mitre.org/techniques/T1189/", "description": "Drive-by"}]),
    "pattern": named("C2 address", pattern="[ipv4-addr:value = '198.51.100.23' OR "
                                           "domain-name:value = 'c2.evil.example']"),
    "accents": named("Café Crème résumé", description="Qazaqstan Respýblıkasy"),
}

QUERIES: list[tuple[str, set[str]]] = [
    ("казакстан", {"kk"}),                       # Kazakh folded to base letters
    ("ҚАЗАҚСТАН", {"kk"}),
    ("улттык", {"kk"}),
    ("емкие", {"ru"}),                            # ё = е
    ("фишинг*", {"kk", "ru"}),                    # prefix, across kk and ru
    ("фишинг", {"kk"}),
    ("phishing", {"en"}),
    ("APT28", {"ru", "en"}),
    ("apt28 phishing", {"en"}),                   # AND
    ('"fancy bear"', {"en"}),                     # phrase
    ('"bear fancy"', set()),                      # words in the other order
    ("malicious-activity", {"en"}),
    ("T1189", {"ref"}),
    ("attack.mitre.org", {"ref"}),
    ("198.51.100.23", {"pattern"}),               # a pattern value, as a phrase of its parts
    ("c2.evil.example", {"pattern"}),
    ("evil*", {"pattern"}),
    ("cafe creme", {"accents"}),
    ("CAFÉ", {"accents"}),
    ("qazaqstan respyblikasy", {"accents"}),
    ("bank*", {"en"}),                            # банк (Cyrillic) is not bank (Latin)
    ("банк*", {"kk", "ru"}),
    ("nothing-like-this", set()),
]


def ids(found: search.Results) -> list[str]:
    return [hit.stix_id for hit in found.hits]


def test_the_same_corpus_gives_the_same_answers_on_both_databases(ex: Exchange) -> None:
    rt = ex.node.runtime
    assert post(ex, "kz", *CORPUS.values())["success_count"] == len(CORPUS)
    by_id = {obj["id"]: key for key, obj in CORPUS.items()}
    for query, expected in QUERIES:
        found = search.search_objects(rt, ex.principals["ru"], query)
        assert {by_id[i] for i in ids(found)} == expected, query
    everything = search.search_objects(rt, ex.principals["by"], "bad.example")
    assert ids(everything) == [obj["id"] for key, obj in reversed(CORPUS.items())
                               if key != "pattern"]  # newest first


def test_searches_combine_with_the_exchange_filters(ex: Exchange) -> None:
    rt = ex.node.runtime
    other = collections.create_collection(rt, ex.admin, title="second", alias="second")
    green = named("ransomware green", directions=[9], threat_class="information_crime")
    amber = named("ransomware amber", tlp="amber", recipients={"parties": ["RUS"]},
                  directions=[3], threat_class="information_terrorism")
    unmarked = named("ransomware unmarked", tlp=None)
    post(ex, "kz", green, amber, unmarked)
    ex.node.clock.now = ex.node.clock.now.replace(day=26)  # type: ignore[attr-defined]
    later = named("ransomware later")
    post(ex, "ru", later)
    elsewhere = named("ransomware elsewhere")
    post_to(ex, "by", other.id, elsewhere)
    ru = ex.principals["ru"]

    def found(**filters: Any) -> set[str]:
        return set(ids(search.search_objects(rt, ru, "ransomware", search.Filters(**filters))))

    assert found() == {o["id"] for o in (green, amber, unmarked, later, elsewhere)}
    assert found(tlps=("amber",)) == {amber["id"]}
    assert found(tlps=("none",)) == {unmarked["id"]}
    assert found(directions=(3,)) == {amber["id"]}
    assert found(threat_classes=("information_crime",)) == {
        o["id"] for o in (green, unmarked, later, elsewhere)}
    assert found(producers=("rus",)) == {later["id"]}
    assert found(types=("malware",)) == set()
    day = datetime(2026, 11, 26, tzinfo=UTC)
    assert found(added_after=day) == {later["id"], elsewhere["id"]}
    assert found(added_before=day) == {green["id"], amber["id"], unmarked["id"]}
    assert found(collection="second") == {elsewhere["id"]}
    assert found(collection="main", producers=("BLR",)) == set()
    for bad in ({"tlps": ("purple",)}, {"directions": (20,)}, {"threat_classes": ("x",)},
                {"added_after": datetime(2026, 1, 1)}):
        with pytest.raises(InvalidInput):
            found(**bad)
    with pytest.raises(NotFound):
        found(collection="no-such-collection")


def test_pages_are_keyset_and_their_tokens_are_bound_and_opaque(ex: Exchange) -> None:
    rt = ex.node.runtime
    many = [named(f"worm number {i}") for i in range(7)]
    post(ex, "kz", *many)
    ru = ex.principals["ru"]
    first = search.search_objects(rt, ru, "worm", limit=3)
    assert first.more and first.next and len(first.hits) == 3
    seen, page = ids(first), first
    while page.next:
        page = search.search_objects(rt, ru, "worm", limit=3, next_token=page.next)
        seen += ids(page)
    assert seen == [o["id"] for o in reversed(many)]
    assert first.next is not None
    payload = json.loads(base64.urlsafe_b64decode(first.next.split(".")[0] + "=="))
    assert len(payload["k"][0]) == 32  # the index row id travels encrypted, not countable
    with pytest.raises(InvalidInput):  # another reader's token, or another search's
        search.search_objects(rt, ex.principals["by"], "worm", limit=3, next_token=first.next)
    with pytest.raises(InvalidInput):
        search.search_objects(rt, ru, "worm number", limit=3, next_token=first.next)
    with pytest.raises(InvalidInput):
        search.search_objects(rt, ru, "worm", search.Filters(tlps=("green",)), limit=3,
                              next_token=first.next)
    with pytest.raises(InvalidInput):
        search.search_objects(rt, ru, "worm", limit=3, next_token=first.next[:-2] + "xx")


def test_the_latest_version_is_searched_and_deletions_leave_nothing(ex: Exchange) -> None:
    rt = ex.node.runtime
    old = named("trojan first words")
    post(ex, "kz", old)
    newer = {**old, "name": "renamed entirely", "modified": "2026-11-21T10:00:00.000Z"}
    post(ex, "kz", newer)
    ru = ex.principals["ru"]
    assert ids(search.search_objects(rt, ru, "trojan")) == []
    assert [(h.stix_id, h.version) for h in search.search_objects(rt, ru, "renamed").hits] == [
        (old["id"], "2026-11-21T10:00:00.000000Z")]
    def index_rows() -> int:
        with rt.unit_of_work() as uow:
            return int(uow.connection.execute(
                select(func.count()).select_from(exchange_search)).scalar_one())

    before = index_rows()
    reading.delete_object(rt, ex.principals["kz"], "main", old["id"], Query(versions=("all",)))
    assert ids(search.search_objects(rt, ru, "renamed")) == []
    assert index_rows() == before - 2  # both versions' rows went with them


def test_the_migration_indexes_objects_stored_before_it(ex: Exchange) -> None:
    rt = ex.node.runtime
    old = named("stored before the index")
    post(ex, "kz", old)
    with rt.unit_of_work() as uow:
        uow.connection.execute(delete(exchange_search))
        uow.commit()
    assert ids(search.search_objects(rt, ex.principals["ru"], "index")) == []
    engine = make_engine(rt.settings.database_url)
    downgrade(engine, "0012")
    upgrade(engine)
    engine.dispose()
    assert ids(search.search_objects(rt, ex.principals["ru"], "index")) == [old["id"]]


def test_results_naming_restricted_objects_are_audited(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    secret = named("rootkit restricted", markings=[marking["id"]])
    post(ex, "kz", marking, secret, named("rootkit open"))
    search.search_objects(rt, ex.principals["by"], "rootkit")  # sees only the open one
    assert audit.read_audit(rt, ex.principals["kz_admin"]) == []
    search.search_objects(rt, ex.principals["ru"], "rootkit")
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    assert [e["entry"]["endpoint"] for e in entries] == ["search"]
    assert [o["id"] for o in entries[0]["entry"]["objects"]] == [secret["id"]]
    assert audit.verify_audit(rt)["ok"]


# --- Art. 6: readers x markings ---------------------------------------------------------------

def test_no_search_reveals_what_its_reader_may_not_read(ex: Exchange) -> None:
    rt = ex.node.runtime

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return named(f"sharedword tok{i}end", tlp=spec["tlp"], recipients=spec.get("recipients"),
                     markings=markings)

    posted = post_matrix(ex, build).posted
    for _, principal, expected in readers(ex, posted):
        if expected is None:
            with pytest.raises(PermissionDenied):
                search.search_objects(rt, principal, "sharedword")
            continue
        _check_reader(rt, principal, posted, expected)


def _check_reader(rt: Any, principal: Any, posted: list[Posted], expected: set[str]) -> None:
    everything = search.search_objects(rt, principal, "sharedword", limit=1000)
    assert set(ids(everything)) == expected and not everything.more, principal.name
    # page by page, one at a time: as many pages as visible objects, no more (not counted)
    page, walked = search.search_objects(rt, principal, "sharedword", limit=1), []
    walked += ids(page)
    while page.next:
        page = search.search_objects(rt, principal, "sharedword", limit=1,
                                     next_token=page.next)
        walked += ids(page)
    assert sorted(walked) == sorted(expected)
    for p in posted:  # each object by its own word, by prefix, by phrase: only if readable
        word = orjson.loads(orjson.dumps(p.obj))["name"].split()[1]
        for query in (word, f"{word}*", f'"sharedword {word}"'):
            found = ids(search.search_objects(rt, principal, query))
            assert found == ([p.obj["id"]] if p.obj["id"] in expected else []), (query,
                                                                                   principal.name)
    listed_only = search.search_objects(rt, principal, "sharedword",
                                        search.Filters(tlps=("red",)), limit=1000)
    assert set(ids(listed_only)) <= expected


def test_kelisim_exchange_search_acts_as_the_account_it_is_given(
        ex: Exchange, kelisim: Any, database_url: str, tmp_path: Any) -> None:
    hidden = named("keylogger for russia", tlp="amber", recipients={"parties": ["RUS"]})
    shown = named("keylogger for all", directions=[3])
    post(ex, "kz", hidden, shown)
    where = ("--database-url", database_url, "--data-dir", tmp_path, "exchange", "search")
    code, out, _ = kelisim(*where, "keylogger", "--token", ex.tokens["ru"])
    assert code == 0
    # (in one envelope, each audience's date_added stamps are drawn apart: no order between them)
    assert {o["id"] for o in json.loads(out)["objects"]} == {shown["id"], hidden["id"]}
    code, out, _ = kelisim(*where, "KEYLOGGER", "--token", ex.tokens["by"])
    assert code == 0 and [o["id"] for o in json.loads(out)["objects"]] == [shown["id"]]
    code, out, _ = kelisim(*where, "keylogger", "--tlp", "amber", "--token", ex.tokens["ru"])
    assert code == 0 and [o["id"] for o in json.loads(out)["objects"]] == [hidden["id"]]
    code, out, _ = kelisim(*where, "keylogger", "--direction", "3", "--limit", "1")
    assert code == 0  # the operator: open information only
    body = json.loads(out)
    assert [o["id"] for o in body["objects"]] == [shown["id"]] and body["more"] is False
    code, _, err = kelisim(*where, '"keylogger')
    assert code == 1 and "quotation mark" in err and err.startswith("error:")
    code, _, err = kelisim(*where, "keylogger", "--added-after", "yesterday")
    assert code == 1 and "--added-after" in err


@pytest.mark.parametrize("recent_rows", [1, 3, 5, 8, 1000])
def test_searching_the_newest_rows_first_gives_the_same_pages(
        ex: Exchange, monkeypatch: pytest.MonkeyPatch, recent_rows: int) -> None:
    """PostgreSQL searches the newest `RECENT_ROWS` index rows first and the older ones only
    when the page is not full (decision 0018, "Many matches"): matches dense among the newest
    rows, sparse among the older, and every page size give the pages of one ordered search."""
    rt = ex.node.runtime
    older = [named(f"rare worm {i}") for i in range(3)]
    filler = [named(f"quiet object {i}") for i in range(6)]
    newest = [named(f"rare worm {i}", description="dense") for i in range(3, 9)]
    post(ex, "kz", *older, *filler, *newest)
    monkeypatch.setattr(text_index, "RECENT_ROWS", recent_rows)
    expected = [o["id"] for o in reversed([*older, *newest])]
    ru = ex.principals["ru"]
    for limit in (1, 2, 4, 10):
        page = search.search_objects(rt, ru, '"rare worm"', limit=limit)
        seen = ids(page)
        while page.next:
            page = search.search_objects(rt, ru, '"rare worm"', limit=limit,
                                         next_token=page.next)
            seen += ids(page)
        assert seen == expected, (recent_rows, limit)
    assert ids(search.search_objects(rt, ru, "nothing-like-this")) == []
