"""`kelisim workspace notify` (the workspace pass for cron, where no server runs) and
`kelisim inbox-mail` on both databases: the notices land in the inbox once, the account's own
address is set and shown, a bad one is one line naming the reason."""

from __future__ import annotations

import json

from kelisim.services.workspace import projects as ws
from tests.conftest import Node
from tests.exchange_support import setup_exchange
from tests.integration.conftest import Cli


def test_notify_from_the_console_and_set_the_mail_address(
        node: Node, database_url: str, kelisim: Cli) -> None:
    ex = setup_exchange(node)
    rt, p = node.runtime, ex.principals
    base = ("--database-url", database_url, "--data-dir", str(rt.settings.data_dir))
    pid = ws.propose_project(rt, p["kz"], kind="project", title="t", directions=[1])["id"]
    ws.join_project(rt, p["ru"], pid)
    code, out, err = kelisim(*base, "workspace", "notify")
    assert code == 0 and json.loads(out) == {"notifications": 3, "sent": 0}, err
    code, out, err = kelisim(*base, "workspace", "notify")
    assert code == 0 and json.loads(out)["notifications"] == 0, err
    code, out, _ = kelisim(*base, "inbox", "--as", "kz account")
    [notice] = json.loads(out)["notifications"]
    assert notice["kind"] == "workspace:joined" and notice["path"].endswith(pid)
    code, out, err = kelisim(*base, "inbox-mail", "--email", "desk@kz-cert.example",
                             "--language", "kk", "--token", ex.tokens["kz"])
    assert code == 0 and json.loads(out)["email"] == "desk@kz-cert.example", err
    code, out, _ = kelisim(*base, "inbox-mail", "--as", "kz account")
    assert json.loads(out) == {"email": "desk@kz-cert.example", "language": "kk",
                               "smtp": False}
    code, _, err = kelisim(*base, "inbox-mail", "--email", "nope", "--as", "kz account")
    assert code == 1 and "e-mail" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
