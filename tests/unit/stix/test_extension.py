"""The kelisim STIX extensions (Art. 2, 3, 6) and TLP 2.0 markings."""

from __future__ import annotations

from typing import Any

import pytest
from stix2validator import validate_instance

from kelisim.domain.errors import InvalidInput
from kelisim.domain.stix.extension import (
    KELISIM_EXTENSION_ID,
    RESTRICTED_ACCESS_EXTENSION_ID,
    STATE_SECRET_MARKING_ID,
    TLP_MARKING_IDS,
    AgreementProperties,
    agreement_properties,
    extension_definitions,
    restricted_access,
    tlp_of,
)
from kelisim.domain.stix.validation import validate_stix_object
from tests.unit.stix.corpus import IDENTITY, valid


def with_ext(**ext: Any) -> dict[str, Any]:
    obj = valid("indicator")
    obj["extensions"] = {KELISIM_EXTENSION_ID: {"extension_type": "property-extension", **ext}}
    return obj


def test_published_definitions_are_valid_stix() -> None:
    objects = extension_definitions(IDENTITY)
    assert {o["id"] for o in objects} == {KELISIM_EXTENSION_ID, RESTRICTED_ACCESS_EXTENSION_ID,
                                          STATE_SECRET_MARKING_ID}
    for obj in objects:
        assert validate_instance(obj).is_valid
        assert validate_stix_object(obj) == []


def test_an_object_with_the_extension_is_valid_and_read_back() -> None:
    obj = with_ext(art3_directions=[10, 9], threat_class="information_crime",
                   recipients={"parties": ["KAZ", "ARM"], "bodies": [IDENTITY]})
    assert validate_instance(obj).is_valid and validate_stix_object(obj) == []
    assert agreement_properties(obj) == AgreementProperties(
        directions=(9, 10), threat_class="information_crime",
        recipients_parties=frozenset({"KAZ", "ARM"}), recipients_bodies=frozenset({IDENTITY}))
    assert agreement_properties(valid("indicator")) is None


@pytest.mark.parametrize("ext", [
    {"art3_directions": [20]}, {"art3_directions": [0]}, {"art3_directions": [True]},
    {"art3_directions": "9"}, {"threat_class": "cyber_war"},
    {"recipients": {"parties": ["KZ"]}}, {"recipients": {"parties": ["USA"]}},
    {"recipients": {"bodies": [""]}}, {"recipients": []},
])
def test_a_malformed_extension_is_invalid_input(ext: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        agreement_properties(with_ext(**ext))


def restricted(**ext: Any) -> dict[str, Any]:
    md = valid("marking-definition")
    del md["definition"], md["definition_type"]
    md["extensions"] = {RESTRICTED_ACCESS_EXTENSION_ID: {"extension_type": "property-extension",
                                                         **ext}}
    return md


def test_a_restricted_access_marking_is_valid_and_read_back() -> None:
    md = restricted(owner_party="KAZ", legal_basis="Закон РК «Об информатизации», ст. 1",
                    allowed_parties=["BLR"])
    assert validate_instance(md).is_valid and validate_stix_object(md) == []
    terms = restricted_access(md)
    assert terms is not None and terms.owner_party == "KAZ"
    assert terms.allowed_parties == frozenset({"KAZ", "BLR"})
    assert restricted_access(valid("marking-definition")) is None
    with pytest.raises(InvalidInput):
        restricted_access(restricted(owner_party="XXX", legal_basis="law"))
    with pytest.raises(InvalidInput):
        restricted_access(restricted(owner_party="KAZ", legal_basis=" "))


@pytest.mark.parametrize(("levels", "expected"), [
    ([], None), (["clear"], "clear"), (["green", "amber"], "amber"),
    (["amber+strict", "amber"], "amber+strict"), (["red", "clear", "amber+strict"], "red"),
])
def test_the_strictest_tlp_wins(levels: list[str], expected: str | None) -> None:
    obj = valid("malware")
    if levels:
        obj["object_marking_refs"] = [TLP_MARKING_IDS[level] for level in levels]
    assert tlp_of(obj) == expected


def test_tlp_1_ids_are_read_as_their_tlp_2_levels() -> None:
    obj = {"object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]}
    assert tlp_of(obj) == "clear"
