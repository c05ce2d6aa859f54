"""Every hash chain of the store verified at once: after a restore and after an upgrade.

The depositary's ledger (Art. 8, 13-15), the audit of reads of restricted-access information
(Art. 6) and the certification registry's ledger (Art. 3, direction 14).
"""

from __future__ import annotations

from typing import Any

from kelisim.domain.accounts import Principal
from kelisim.services import ledger
from kelisim.services.certification import integrity
from kelisim.services.exchange import audit
from kelisim.services.runtime import Runtime


def verify_chains(rt: Runtime, principal: Principal) -> dict[str, dict[str, Any]]:
    """Each chain's report ({ok, entries, head, problems}) by the command that gives it alone."""
    return {
        "ledger verify": ledger.verify_ledger(rt, principal),
        "audit verify": audit.verify_audit(rt),
        "certification verify-ledger": integrity.verify_certification_ledger(rt, principal),
    }
