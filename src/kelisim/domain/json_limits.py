"""What a JSON value sent to kelisim may hold, checked before anything is written.

Why: what is stored must be served back, forever (the ledgers are append-only). A value that
parses but cannot be written out again - nested deeper than the serialiser goes, NaN or
Infinity (not JSON at all, RFC 8259 section 6), an integer that no reader's double can hold
(I-JSON, RFC 7493 section 2.2) - would be stored and then break every listing that holds it.
So such values are refused at the door, with the place and the reason.
"""

from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 32
"""Arrays and objects within one another. STIX 2.1 objects need at most 6 (an extension's
property holding a list of dicts); a depositary entry 3. Generous, and far below the 254 levels
the JSON serialiser handles."""
MAX_SAFE_INTEGER = 2**53
"""I-JSON (RFC 7493 section 2.2): integers beyond +-(2**53) are not exact in a double."""


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why value may not be stored, or None. The reason names the kind of problem, never the
    content (the content may be restricted-access information)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                return (f"it is nested more than {max_depth} levels deep (arrays and objects "
                        f"within one another)")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, bool) or item is None or isinstance(item, str):
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_SAFE_INTEGER:
                return ("it holds an integer beyond +-2**53, which JSON readers cannot hold "
                        "exactly (RFC 7493 section 2.2)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "it holds NaN or Infinity, which JSON does not have (RFC 8259 section 6)"
            if item.is_integer() and abs(item) > MAX_SAFE_INTEGER:
                return ("it holds a number beyond +-2**53 written as an integer, which JSON "
                        "readers cannot hold exactly (RFC 7493 section 2.2)")
    return None
