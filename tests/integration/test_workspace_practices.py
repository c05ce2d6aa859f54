"""The library of best practice on both databases (issue 15 item 8; Art. 3 direction 19,
Art. 9): publish, translate, revise, withdraw; the search in every language with case and
diacritics folded; who may do what, as a table; the API and the CLI."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from kelisim.domain.errors import InvalidInput, PermissionDenied, RuleViolation
from kelisim.domain.search_text import matches, parse_query, tokens
from kelisim.services.workspace import practices
from tests.conftest import LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def publish(ex: Exchange, who: str = "kz", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Қауіпті домендерді бұғаттау", "language": "kk", "directions": [19, 9],
        "text": "Ұлттық CERT тәжірибесі: DNS деңгейінде бұғаттау.", "keywords": ["DNS", "RPZ"],
        **changes}
    return practices.publish(ex.node.runtime, ex.principals[who], **fields)


@pytest.mark.parametrize(("query", "text", "hit"), [
    ("dns", "Blocking at the DNS level", True),
    ("блокировка dns", "Блокировка на уровне DNS", True),
    ("БЛОКИРОВКА", "блокировка", True),
    ('"уровне dns"', "Блокировка на уровне DNS", True),
    ('"dns уровне"', "Блокировка на уровне DNS", False),  # a phrase keeps its order
    ("блок*", "Блокировка", True),
    ("ёлка", "елка", True),  # ё folds to е
    ("қазақ", "казак", True),  # Kazakh letters fold
    ("phishing", "Blocking at the DNS level", False),
])
def test_the_library_query_language(query: str, text: str, hit: bool) -> None:
    assert matches(parse_query(query), tokens(text)) is hit


def test_publish_translate_revise_withdraw_and_search(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    made = publish(ex)
    pid = made["id"]
    assert made["origin"] == "KAZ" and made["languages"] == ["kk"]
    practices.translate(rt, p["ru"], pid, language="ru", title="Блокировка опасных доменов",
                        text="Опыт национального CERT: блокировка на уровне DNS.")
    with pytest.raises(RuleViolation, match="already in ru"):
        practices.translate(rt, p["by"], pid, language="ru", title="x", text="y")
    with pytest.raises(PermissionDenied, match="RUS"):
        practices.revise(rt, p["kz"], pid, language="ru", title="x", text="y")  # RUS wrote it
    shown = practices.revise(rt, p["ru"], pid, language="ru", title="Блокировка доменов",
                             text="Опыт: RPZ на уровне DNS-резолверов.")
    assert shown["versions"]["ru"]["revision"] == 2 and shown["versions"]["ru"]["party"] == "RUS"
    publish(ex, "ru", title="Phishing takedowns", language="en", text="Registrar contacts.",
            directions=[3], keywords=[])
    assert [x["id"] for x in practices.search(rt, p["by"], "резолверов")] == [pid]
    assert [x["id"] for x in practices.search(rt, p["by"], "БҰҒАТТАУ")] == [pid]  # kk, folded
    assert [x["id"] for x in practices.search(rt, p["by"], "rpz", language="kk")] == [pid]
    assert practices.search(rt, p["by"], "rpz", language="en") == []
    assert len(practices.search(rt, p["by"])) == 2
    assert [x["title"] for x in [v["versions"]["en"] for v in practices.search(
        rt, p["by"], direction=3)]] == ["Phishing takedowns"]
    with pytest.raises(PermissionDenied):
        practices.withdraw(rt, p["ru"], pid, "outdated")  # KAZ published it
    practices.withdraw(rt, p["kz"], pid, "outdated")
    assert practices.search(rt, p["by"], "rpz") == []
    assert [x["withdrawn"] for x in practices.search(rt, p["by"], "rpz", withdrawn=True)] == [
        "outdated"]
    kinds = [e["kind"] for e in practices.history(rt, p["by"], pid)]
    assert kinds == ["practice_published", "practice_translated", "practice_revised",
                     "practice_withdrawn"]


@pytest.mark.parametrize(("who", "changes", "refusal"), [
    ("am", {}, RuleViolation),  # ARM not bound
    ("kz_reader", {}, PermissionDenied),
    ("kz", {"language": "de"}, InvalidInput),
    ("kz", {"keywords": [f"k{i}" for i in range(21)]}, InvalidInput),
    ("kz", {"text": ""}, InvalidInput),
    ("kz", {"directions": [0]}, InvalidInput),
])
def test_who_publishes_what(ex: Exchange, who: str, changes: dict[str, Any],
                            refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        publish(ex, who, **changes)


def test_the_library_over_http(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    base = f"{live_server.base_url}/api/v1/workspace"
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {ex.tokens['kz']}"}) as kz:
        made = kz.post(f"{base}/practices", json={
            "title": "Incident playbook", "text": "Triage within one hour.", "language": "en",
            "directions": [19]})
        assert made.status_code == 201, made.text
        bad = kz.get(f"{base}/practices", params={"q": '"unclosed'})
        assert bad.status_code == 400 and bad.headers["content-type"].startswith(
            "application/problem+json")
        found = kz.get(f"{base}/practices", params={"q": "triage"}).json()["practices"]
        assert [x["id"] for x in found] == [made.json()["id"]]
    assert httpx.get(f"{base}/practices", timeout=10).status_code == 401


def test_the_library_from_the_console(cli: Any, tmp_path: Any) -> None:
    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    cli("accounts", "add", "kz analyst", "--role", "analyst", "--party", "KAZ",
        "--organization", "KAZ body")
    (tmp_path / "p.txt").write_text("Тәжірибе: оқиғаларды бір сағатта сұрыптау.",
                                    encoding="utf-8")
    code, out, _ = cli("workspace", "practice", "publish", "Ойын кітабы", "--as", "kz analyst",
                       "--language", "kk", "--text", f"@{tmp_path / 'p.txt'}")
    assert code == 0, out
    code, out, _ = cli("workspace", "practice", "search", "сағатта", "--as", "kz analyst")
    assert code == 0 and [x["id"] for x in json.loads(out)] == [json.loads(out)[0]["id"]]
    with pytest.raises(InvalidInput, match="not a file"):
        cli("workspace", "practice", "publish", "x", "--as", "kz analyst", "--text", "@/nope")
