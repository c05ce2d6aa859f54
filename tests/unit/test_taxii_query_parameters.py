"""What the TAXII filters refuse and what they still take (decision 0011), without HTTP."""

from __future__ import annotations

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.taxii import KNOWN_PARAMETERS, parse_query

ID = "indicator--11111111-1111-4111-8111-111111111111"


@pytest.mark.parametrize(("params", "parameter"), [
    ({"match[typ]": ["indicator"]}, "match[typ]"),
    ({"match[version]": ["all,last"]}, "match[version]"),
    ({"match[version]": ["first,all"]}, "match[version]"),
    ({"match[version]": ["all,2026-11-20T10:00:00.000Z"]}, "match[version]"),
    ({"match[id]": [""]}, "match[id]"),
    ({"match[id]": [" , ,"]}, "match[id]"),
    ({"match[type]": [""]}, "match[type]"),
    ({"limit": [""]}, "limit"),
    ({"next": [""]}, "next"),
    ({"added_after": [""]}, "added_after"),
    ({"match[id]": [ID, ID]}, "match[id]"),
])
def test_a_malformed_or_empty_filter_is_refused_naming_it(params: dict[str, list[str]],
                                                          parameter: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query(params, allowed=KNOWN_PARAMETERS)
    assert refused.value.details["parameter"] == parameter
    assert parameter in refused.value.reason and "TAXII 2.1 section 3.4" in refused.value.reason


@pytest.mark.parametrize(("params", "field", "expected"), [
    ({"match[version]": ["all"]}, "versions", ("all",)),
    ({"match[version]": ["first,last"]}, "versions", ("first", "last")),
    ({"match[version]": ["all,all"]}, "versions", ("all",)),
    ({}, "versions", ("last",)),
    ({"match[id]": [f"{ID},"]}, "ids", (ID,)),
    ({"match[type]": ["indicator, malware"]}, "types", ("indicator", "malware")),
])
def test_well_formed_filters_are_taken(params: dict[str, list[str]], field: str,
                                       expected: tuple[str, ...]) -> None:
    assert getattr(parse_query(params, allowed=KNOWN_PARAMETERS), field) == expected
