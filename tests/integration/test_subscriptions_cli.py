"""`kelisim subscriptions add|list|remove|notify` and `kelisim inbox` on both databases, as an
account by its token or, for the local operator, `--as` its name; a bad filter is one line
naming the field, never a traceback."""

from __future__ import annotations

import json

from tests.conftest import Node
from tests.exchange_support import indicator, setup_exchange
from tests.integration.conftest import Cli
from tests.integration.test_exchange_confidentiality import post


def test_subscribe_be_notified_and_read_the_inbox_from_the_console(
        node: Node, database_url: str, kelisim: Cli) -> None:
    ex = setup_exchange(node)
    base = ("--database-url", database_url, "--data-dir", str(node.runtime.settings.data_dir))
    code, out, err = kelisim(*base, "subscriptions", "add", "phishing", "--type", "indicator",
                             "--technique", "T1566", "--token", ex.tokens["ru"])
    assert code == 0, err
    made = json.loads(out)
    assert made["filter"]["technique"] == "T1566" and "webhook_secret" not in made
    lure = {**indicator("lure"), "external_references": [
        {"source_name": "mitre-attack", "external_id": "T1566.002"}]}
    post(ex, "kz", lure, indicator("unrelated"))
    code, out, err = kelisim(*base, "subscriptions", "notify")
    assert code == 0 and json.loads(out) == {"notifications": 1, "sent": 0}, err
    code, out, err = kelisim(*base, "inbox", "--as", "ru account", "--mark-read")
    page = json.loads(out)
    assert [n["object"]["id"] for n in page["notifications"]] == [lure["id"]]
    code, out, _ = kelisim(*base, "inbox", "--unread", "--token", ex.tokens["ru"])
    assert json.loads(out)["notifications"] == []
    code, out, _ = kelisim(*base, "subscriptions", "list", "--token", ex.tokens["ru"])
    assert [s["id"] for s in json.loads(out)] == [made["id"]]
    code, out, _ = kelisim(*base, "subscriptions", "remove", made["id"], "--as", "ru account")
    assert code == 0 and made["id"] in out
    code, out, _ = kelisim(*base, "subscriptions", "list", "--token", ex.tokens["ru"])
    assert json.loads(out) == []


def test_console_mistakes_are_one_line(node: Node, database_url: str, kelisim: Cli) -> None:
    ex = setup_exchange(node)
    base = ("--database-url", database_url, "--data-dir", str(node.runtime.settings.data_dir))
    code, _, err = kelisim(*base, "subscriptions", "add", "x", "--producer", "XYZ",
                             "--token", ex.tokens["ru"])
    assert code == 1 and "XYZ" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = kelisim(*base, "subscriptions", "list")
    assert code == 1 and "--token" in err and "Traceback" not in err
    code, _, err = kelisim(*base, "subscriptions", "remove", "nope", "--token", ex.tokens["ru"])
    assert code == 1 and "No such subscription" in err
