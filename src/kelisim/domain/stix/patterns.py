"""Is this indicator pattern valid? (STIX 2.1 §9, Patterning; indicator.pattern, §4.7)

The verdict is that of `stix2-patterns`, the OASIS reference checker, which `stix2-validator`
also uses. It is reached fast in two steps (docs/decisions/0003-stix-validation.md):

1. an LRU cache keyed by (pattern, pattern type) - the same pattern recurs across versions of an
   indicator and across envelopes;
2. :mod:`kelisim.domain.stix.pattern_parser`, a hand-written recogniser that accepts only what it
   is certain `stix2-patterns` accepts and defers everything else to `stix2-patterns` itself.
   A rejection therefore always comes from the oracle, with the oracle's message.

Patterns of other languages (`pattern_type` snort, yara, sigma, pcre, suricata or a custom one,
§10.14 pattern-type-ov) are opaque to STIX and to `stix2-validator`; they are not checked here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kelisim.domain.stix.pattern_parser import Compared, recognise, recognise_values, unquoted

__all__ = ["pattern_comparisons", "pattern_error", "pattern_values"]

_CACHE_SIZE = 65_536


def pattern_error(pattern: str, pattern_type: str = "stix") -> str | None:
    """None if `pattern` is a valid pattern of its type; else the reason (cached)."""
    if pattern_type != "stix":
        return None
    return _analyse(pattern, "2.1")[0]


def pattern_comparisons(pattern: str, version: str = "2.1") -> tuple[tuple[str, str], ...]:
    """(object type, first property) of every comparison of a valid STIX pattern (cached)."""
    return _analyse(pattern, version)[1]


@lru_cache(maxsize=_CACHE_SIZE)
def _analyse(pattern: str, version: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    if not isinstance(pattern, str):
        return "the pattern is not a string", ()
    if version == "2.1":
        fast = recognise(pattern)
        if fast is not None:
            return None, tuple(fast)
    return _oracle(pattern, version)


def _oracle(pattern: str, version: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The slow path: stix2-patterns itself (ANTLR)."""
    from stix2patterns.v21.pattern import Pattern
    from stix2patterns.validator import run_validator

    try:
        errors = run_validator(pattern, version)
    except Exception as exc:  # stix2-patterns crashes on some inputs (e.g. '[a:b[-1] = 1]')
        return f"the pattern could not be parsed ({type(exc).__name__})", ()
    if errors:
        return "; ".join(str(e).removeprefix("FAIL: ") for e in errors), ()
    try:
        found = Pattern(pattern).inspect().comparisons
    except Exception as exc:
        return f"the pattern could not be inspected ({type(exc).__name__})", ()
    pairs = tuple(
        (object_type, str(path[0]))
        for object_type, tests in found.items()
        for path, _op, _value in tests
    )
    return None, pairs


_STRING = re.compile(r"'(?:[^'\\]|\\['\\])*'")


@lru_cache(maxsize=_CACHE_SIZE)
def pattern_values(pattern: str) -> tuple[Compared, ...]:
    """The strings a valid STIX pattern's positive comparisons look for (=, IN, ISSUBSET), as
    (object type, dotted path, operator, value); () for a pattern that is not valid."""
    fast = recognise_values(pattern) if isinstance(pattern, str) else None
    if fast is not None:
        return tuple(fast)
    if _analyse(pattern, "2.1")[0] is not None:
        return ()
    from stix2patterns.v21.pattern import Pattern

    found: list[Compared] = []
    for object_type, tests in Pattern(pattern).inspect().comparisons.items():
        for path, op, value in tests:
            if op in ("=", "==", "IN", "ISSUBSET"):
                dotted = ".".join(str(part) for part in path)
                found.extend((object_type, dotted, "ISSUBSET" if op == "ISSUBSET" else "=",
                              unquoted(literal)) for literal in _STRING.findall(str(value)))
    return tuple(found)
