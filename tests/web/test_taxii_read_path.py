"""The TAXII read path in two queries (storage.read_context, then the page), over real HTTP on
both databases: the token, the account's state, the collection key and the query are still
checked in the spec's order on every read endpoint, and the pool replaces a connection that
died while idle."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import orjson
import pytest
from sqlalchemy import text, update

from kelisim.storage import database
from kelisim.storage.schema import accounts, exchange_collections
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def http(live_server: LiveServer, token: str | None) -> httpx.Client:
    headers = {"Accept": TAXII}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=live_server.base_url + "/taxii2/api1/", timeout=30,
                        headers=headers)


def read_paths(collection_key: str, object_id: str) -> list[str]:
    base = f"collections/{collection_key}/"
    return [base + "objects/", base + f"objects/{object_id}/",
            base + f"objects/{object_id}/versions/", base + "manifest/"]


def post(client: httpx.Client, ex: Exchange, obj: dict[str, object]) -> None:
    response = client.post(f"collections/{ex.collection_id}/objects/",
                           content=orjson.dumps({"objects": [obj]}),
                           headers={"Content-Type": TAXII})
    assert response.status_code == 202, response.text
    assert response.json()["success_count"] == 1, response.text


def test_every_read_endpoint_checks_token_state_collection_and_query_in_order(
        live_server: LiveServer, exchange: Exchange) -> None:
    obj = indicator("read path")
    with http(live_server, exchange.tokens["kz"]) as kz:
        post(kz, exchange, obj)
        for path in read_paths(exchange.collection_id, obj["id"]):
            assert kz.get(path).status_code == 200, path
            # The alias is as good as the id.
            assert kz.get(path.replace(exchange.collection_id, "main")).status_code == 200
            assert kz.get(path, params={"match[colour]": "red"}).status_code == 400
            missing = path.replace(exchange.collection_id, "no-such-collection")
            assert kz.get(missing).status_code == 404
    wrong_secret = exchange.tokens["kz"][:-4] + "AAAA"
    for token in (wrong_secret, "kls_nosuchid_secret", None):
        with http(live_server, token) as stranger:
            for path in read_paths(exchange.collection_id, obj["id"]):
                # 401 first: not even a malformed query or a missing collection is revealed.
                assert stranger.get(path, params={"match[colour]": "red"}).status_code == 401
                missing = path.replace(exchange.collection_id, "no-such-collection")
                assert stranger.get(missing).status_code == 401


def test_a_post_checks_the_token_before_media_type_collection_and_body(
        live_server: LiveServer, exchange: Exchange) -> None:
    objects = f"collections/{exchange.collection_id}/objects/"
    envelope = orjson.dumps({"objects": [indicator("posted")]})
    wrong_secret = exchange.tokens["kz"][:-4] + "AAAA"
    with http(live_server, wrong_secret) as stranger:
        assert stranger.post(objects, content=envelope,
                             headers={"Content-Type": "text/plain"}).status_code == 401
        assert stranger.post(objects.replace(exchange.collection_id, "nope"), content=envelope,
                             headers={"Content-Type": TAXII}).status_code == 401
    with http(live_server, exchange.tokens["kz"]) as kz:
        assert kz.post(objects, content=envelope,
                       headers={"Content-Type": "text/plain"}).status_code == 415
        assert kz.post(objects.replace(exchange.collection_id, "nope"), content=envelope,
                       headers={"Content-Type": TAXII}).status_code == 404
        assert kz.post(objects.replace(exchange.collection_id, "main"), content=envelope,
                       headers={"Content-Type": TAXII}).status_code == 202
    with http(live_server, exchange.tokens["kz_reader"]) as reader:
        assert reader.post(objects, content=envelope,
                           headers={"Content-Type": TAXII}).status_code == 403


def test_a_disabled_account_reads_nothing_from_its_next_request(
        live_server: LiveServer, exchange: Exchange) -> None:
    obj = indicator("disabled reader")
    engine = live_server.node.runtime.uow.engine
    with http(live_server, exchange.tokens["ru"]) as ru:
        post(ru, exchange, obj)
        assert ru.get(f"collections/{exchange.collection_id}/objects/").status_code == 200
        with engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == exchange.principals["ru"]
                                                .account_id)
                         .values(disabled_at=datetime.now(UTC)))
        for path in read_paths(exchange.collection_id, obj["id"]):
            assert ru.get(path).status_code == 401, path


def test_a_key_that_is_one_collections_id_and_anothers_alias_means_the_id(
        live_server: LiveServer, exchange: Exchange) -> None:
    engine = live_server.node.runtime.uow.engine
    obj = indicator("in the aliased collection")
    with http(live_server, exchange.tokens["kz"]) as kz:
        post(kz, exchange, obj)
        # A second collection whose alias is the first one's id: asking for that key must still
        # serve the first (the id), never the second.
        with engine.begin() as conn:
            conn.execute(exchange_collections.insert().values(
                id="00000000-0000-4000-8000-000000000001", title="Shadow", alias=exchange
                .collection_id, created_at=datetime.now(UTC), last_added=0))
        page = kz.get(f"collections/{exchange.collection_id}/objects/").json()
        assert [o["id"] for o in page["objects"]] == [obj["id"]]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_lost_while_idle_is_replaced_before_a_read_uses_it(
        live_server: LiveServer, exchange: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = live_server.node.runtime.uow.engine
    with http(live_server, exchange.tokens["kz"]) as kz:
        objects = f"collections/{exchange.collection_id}/objects/"
        assert kz.get(objects).status_code == 200
        monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
        with engine.connect() as admin:
            admin.execution_options(isolation_level="AUTOCOMMIT")
            killed = admin.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        assert killed and killed >= 1  # the pooled connections the server had used
        for _ in range(3):
            assert kz.get(objects).status_code == 200


def test_an_autocommit_unit_of_work_reads_and_refuses_to_commit(
        live_server: LiveServer) -> None:
    rt = live_server.node.runtime
    with rt.unit_of_work(autocommit=True) as uow:
        assert uow.accounts.count() == 1
        with pytest.raises(RuntimeError, match="for reads"):
            uow.commit()
    with rt.unit_of_work() as uow:  # the pooled connection is back to transactions
        assert uow.connection.get_isolation_level() != "AUTOCOMMIT"
