"""The MISP warning lists' rules (issue 16, item 5), with the real lists `pymispwarninglists`
ships: each list type matched as MISP matches it, a list applying only to the kinds its
`matching_attributes` name, and values no list names left alone."""

from __future__ import annotations

import time

import pytest

from kelisim.domain.stix.observables import Observable, normalized
from kelisim.domain.stix.warning_lists import WarningIndex, warning_index, warnings_for


def lists_of(kind: str, value: str) -> set[str]:
    found = normalized(kind, value)
    assert found is not None
    return {w.list_name for w in warnings_for([found])}


@pytest.mark.parametrize(("kind", "value", "named"), [
    ("ipv4-addr", "8.8.8.8", "List of known IPv4 public DNS resolvers"),
    ("ipv6-addr", "2001:4860:4860::8888", "List of known IPv6 public DNS resolvers"),
    ("ipv4-addr", "10.1.2.3", "List of RFC 1918 CIDR blocks"),  # cidr containment
    ("ipv4-addr", "10.0.0.0/8", "List of RFC 1918 CIDR blocks"),  # a network inside
    ("domain-name", "google.com", "Top 1000 website from Alexa"),
    ("MD5", "d41d8cd98f00b204e9800998ecf8427e", "List of known hashes for empty files"),
    ("email-addr", "someone@0-mail.com", "List of disposable email domains"),
])
def test_real_list_entries_are_warned(kind: str, value: str, named: str) -> None:
    assert named in lists_of(kind, value)


@pytest.mark.parametrize(("kind", "value"), [
    ("ipv4-addr", "195.210.46.17"), ("domain-name", "c2.kelisim-test.kz"),
    ("MD5", "0123456789abcdef0123456789abcdef"), ("file-name", "dropper.exe"),
    ("url", "http://c2.kelisim-test.kz/gate.php"),
])
def test_values_no_list_names_are_not_warned(kind: str, value: str) -> None:
    assert lists_of(kind, value) == set()


def test_each_list_type_matches_as_misp_does_and_only_for_its_kinds() -> None:
    index = WarningIndex([
        {"name": "hosts", "type": "hostname", "list": [".cdn.example"],
         "matching_attributes": ["hostname", "url"]},
        {"name": "ranges", "type": "cidr", "list": ["192.0.2.0/25", "not a range"]},
        {"name": "exact", "type": "string", "list": ["evil.example"],
         "matching_attributes": ["domain"]},
        {"name": "contacts", "type": "regex", "list": ["/^abuse@/i"],
         "matching_attributes": ["email-src"]},
    ])

    def names(kind: str, value: str) -> list[str]:
        return [w.list_name for w in index.warnings(Observable(kind, value))]

    assert names("domain-name", "a.b.cdn.example") == ["hosts"]
    assert names("url", "https://x.cdn.example/path") == ["hosts"]
    assert names("domain-name", "notcdn.example") == []
    assert names("ipv4-addr", "192.0.2.127") == ["ranges"]
    assert names("ipv4-addr", "192.0.2.128") == []
    assert names("domain-name", "evil.example") == ["exact"]
    assert names("url", "evil.example") == []  # the list names domains only
    assert names("email-addr", "ABUSE@bank.example") == ["contacts"]
    assert names("domain-name", "not a range") == ["ranges"]  # kept as a string entry


def test_one_value_costs_well_under_a_millisecond() -> None:
    index = warning_index()
    values = [Observable("ipv4-addr", "8.8.8.8"), Observable("domain-name", "www.google.com"),
              Observable("url", "http://c2.kelisim-test.kz/a"), Observable("MD5", "0" * 32)]
    started = time.perf_counter()
    for _ in range(250):
        for found in values:
            index.warnings(found)
    assert (time.perf_counter() - started) / 1000 < 0.001
