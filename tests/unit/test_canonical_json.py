"""`canonical_json` writes RFC 8785 bytes: its fast path (orjson, sorted keys) must give exactly
what the reference encoder (`rfc8785`) gives, for every value either can take."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.ledger import canonical_json

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # every code point but surrogates
SCALARS = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TEXT, inner, max_size=4), max_leaves=24)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_fast_path_writes_the_reference_bytes(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [
    {"z": 1, "a": [1, 2, {"é": "ё", "\u00e9\u0301": "x"}]},
    {"\U0001f600": 1, "\ue000": 2},  # UTF-16 order differs from code point order here
    "\u0000\u001f\u007f\u2028\u2029</script>\\\"",
    {"n": 2**53 - 1, "m": -(2**53) + 1},
    {"f": 1.5, "g": 1e21, "h": -0.0},  # floats: the reference encoder's number format
    (1, "two", None, True),
])
def test_edge_values_match(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [2**53, {"x": float("nan")}, {1: "not a string key"},
                                   {"when": object()}])
def test_what_jcs_refuses_stays_refused(value: Any) -> None:
    with pytest.raises((TypeError, ValueError, rfc8785.CanonicalizationError)):
        rfc8785.dumps(value)
    with pytest.raises((TypeError, ValueError, rfc8785.CanonicalizationError)):
        canonical_json(value)
