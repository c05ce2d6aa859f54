"""First start: migrate, load the 2013 Agreement and the CIS states, create the first admin.

Every step is idempotent, so `kelisim up` on an existing data folder loses and duplicates nothing.
"""

from __future__ import annotations

from typing import Any

from kelisim.domain.agreement_text import glossary, load_agreement
from kelisim.domain.states import load_states
from kelisim.services.accounts import create_account
from kelisim.services.exchange.publication import publish_agreement_vocabulary
from kelisim.services.runtime import Runtime
from kelisim.services.workspace.projects import refresh_snapshots
from kelisim.storage.database import upgrade

FIRST_ADMIN_NAME = "Depositary administrator"


def migrate(rt: Runtime) -> None:
    upgrade(rt.uow.engine)


def load_reference_data(rt: Runtime) -> bool:
    """Load the Agreement once; refresh the CIS states list from the package. True if loaded."""
    text = load_agreement()
    with rt.unit_of_work() as uow:
        loaded = not uow.reference.agreement_loaded(text.key)
        if loaded:
            uow.reference.load_agreement(text, glossary())
        uow.reference.replace_states(sorted(load_states().values(), key=lambda s: s.code))
        uow.commit()
    return loaded


def ensure_first_admin(rt: Runtime) -> dict[str, Any] | None:
    """Create the depositary's administrator if no account exists; its token is returned once."""
    with rt.unit_of_work() as uow:
        if uow.accounts.count():
            return None
    return create_account(rt, None, name=FIRST_ADMIN_NAME, role="depositary",
                          organization_kind="depositary", organization="CIS Executive Committee")


def initialize(rt: Runtime) -> dict[str, Any] | None:
    migrate(rt)
    refresh_snapshots(rt)  # the workspace's reads never write them (decision 0015)
    load_reference_data(rt)
    publish_agreement_vocabulary(rt)
    return ensure_first_admin(rt)
