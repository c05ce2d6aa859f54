"""The correlation index's values of STIX objects: what is taken, from where, in which form."""

from __future__ import annotations

import pytest

from kelisim.domain.stix.observables import (
    Observable,
    Terms,
    guess_kinds,
    normalized,
    observables,
    registered_domain,
    supernets,
    terms,
)

SHA256 = "A" * 64
MD5 = "0123456789ABCDEF0123456789abcdef"


def ind(pattern: str, pattern_type: str = "stix") -> dict:
    return {"type": "indicator", "pattern": pattern, "pattern_type": pattern_type}


@pytest.mark.parametrize(("obj", "expected"), [
    ({"type": "ipv4-addr", "value": "198.51.100.7"}, [("ipv4-addr", "198.51.100.7")]),
    ({"type": "ipv4-addr", "value": "198.51.100.7/24"}, [("ipv4-addr", "198.51.100.0/24")]),
    ({"type": "ipv4-addr", "value": "198.51.100.7/32"}, [("ipv4-addr", "198.51.100.7")]),
    ({"type": "ipv6-addr", "value": "2001:DB8:0:0::1"}, [("ipv6-addr", "2001:db8::1")]),
    ({"type": "ipv6-addr", "value": "2001:db8::1/32"}, [("ipv6-addr", "2001:db8::/32")]),
    ({"type": "ipv4-addr", "value": "not an address"}, []),
    ({"type": "ipv4-addr", "value": "2001:db8::1"}, []),
    ({"type": "domain-name", "value": " Evil.Example.KZ. "}, [("domain-name", "evil.example.kz")]),
    ({"type": "url", "value": " http://Evil.example/a?b=C "}, [("url", "http://Evil.example/a?b=C")]),
    ({"type": "email-addr", "value": "Ivan@Mail.Example"}, [("email-addr", "Ivan@mail.example")]),
    ({"type": "file", "name": "invoice.pdf.exe", "hashes": {"SHA-256": SHA256, "MD5": MD5,
                                                         "SSDEEP": "3:a:b"}},
     [("file-name", "invoice.pdf.exe"), ("SHA-256", "a" * 64), ("MD5", MD5.lower())]),
    ({"type": "artifact", "hashes": {"SHA-1": "B" * 40}}, [("SHA-1", "b" * 40)]),
    ({"type": "malware", "name": "evil.example"}, []),
    (ind("[ipv4-addr:value = '203.0.113.5' OR ipv4-addr:value ISSUBSET '10.1.2.3/8']"),
     [("ipv4-addr", "203.0.113.5"), ("ipv4-addr", "10.0.0.0/8")]),
    (ind("[domain-name:value IN ('A.example', 'b.example')] AND [url:value = 'http://c.example/']"),
     [("domain-name", "a.example"), ("domain-name", "b.example"), ("url", "http://c.example/")]),
    (ind(f"[file:hashes.'SHA-256' = '{SHA256}' AND file:name = 'it\\'s.exe']"),
     [("SHA-256", "a" * 64), ("file-name", "it's.exe")]),
    (ind(f"[file:hashes.MD5 = '{MD5}']"), [("MD5", MD5.lower())]),
    (ind("[email-message:from_ref.value = 'x@Bad.example']"), [("email-addr", "x@bad.example")]),
    (ind("[network-traffic:dst_ref.value = '192.0.2.1']"), [("ipv4-addr", "192.0.2.1")]),
    # negations, inequalities and LIKE look for no value; nor does a pattern of another language
    (ind("[domain-name:value != 'a.example' AND domain-name:value NOT = 'b.example']"), []),
    (ind("[url:value LIKE 'http://%']"), []),
    (ind("alert tcp any any -> 192.0.2.1 any (msg:\"x\";)", "snort"), []),
    (ind("[domain-name:value = 'x' REPEATS 2 TIMES REPEATS 3 TIMES]"), []),  # invalid
    # a pattern the fast parser defers (a comment) is read by stix2-patterns
    (ind("[ipv4-addr:value = '192.0.2.9'] // seen at the border\n"), [("ipv4-addr", "192.0.2.9")]),
    ({"type": "observed-data", "objects": {"0": {"type": "domain-name", "value": "Q.example"}}},
     [("domain-name", "q.example")]),
    # the same value twice is indexed once
    (ind("[domain-name:value = 'a.example'] AND [domain-name:value = 'A.example']"),
     [("domain-name", "a.example")]),
    ({"type": "url", "value": "http://x.example/" + "a" * 3000}, []),  # too long to index
])
def test_observables_of_an_object(obj: dict, expected: list[tuple[str, str]]) -> None:
    assert observables(obj) == [Observable(*pair) for pair in expected]


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("ipv4-addr", "10.0.0.0/8", Terms(None, "40a000000", "40affffff")),
    ("ipv4-addr", "10.1.2.3", Terms(None, "40a010203", "40a010203")),
    ("ipv6-addr", "2001:db8::/32", Terms(None, "620010db8" + "0" * 24, "620010db8" + "f" * 24)),
    ("domain-name", "a.b.example.co.uk", Terms("example.co.uk", None, None)),
    ("domain-name", "co.uk", Terms(None, None, None)),
    ("domain-name", "x.user.github.io", Terms("user.github.io", None, None)),
    ("domain-name", "пример.қаз", Terms("пример.қаз", None, None)),
    ("url", "https://cdn.evil.example.com:8443/x", Terms("example.com", None, None)),
    ("url", "http://192.0.2.1/x", Terms(None, None, None)),
    ("email-addr", "a@mail.example.ru", Terms("example.ru", None, None)),
    ("SHA-256", "a" * 64, Terms(None, None, None)),
])
def test_terms_of_a_value(kind: str, value: str, expected: Terms) -> None:
    assert terms(kind, value) == expected


def test_a_v4_range_never_meets_a_v6_one() -> None:
    v4, v6 = terms("ipv4-addr", "0.0.0.0/0"), terms("ipv6-addr", "::/0")
    assert v4.high is not None and v6.low is not None and v4.high < v6.low


@pytest.mark.parametrize(("value", "kinds"), [
    ("192.0.2.1", ("ipv4-addr",)), ("10.0.0.0/8", ("ipv4-addr",)), ("::1", ("ipv6-addr",)),
    (MD5, ("MD5",)), ("b" * 40, ("SHA-1",)), (SHA256, ("SHA-256",)), ("c" * 128, ("SHA-512",)),
    ("http://x.example/", ("url",)), ("a@b.example", ("email-addr",)),
    ("evil.example", ("domain-name", "file-name")), ("dropper", ("file-name",)), ("  ", ()),
])
def test_a_searched_value_is_guessed_a_kind(value: str, kinds: tuple[str, ...]) -> None:
    assert guess_kinds(value) == kinds


def test_registered_domain_and_normal_forms() -> None:
    assert registered_domain("A.B.Example.COM.") == "example.com"
    assert registered_domain("com") is None
    assert normalized("SHA-256", SHA256) == Observable("SHA-256", "a" * 64)
    assert normalized("email-addr", "no-at-sign") is None
    assert normalized("unknown", "x") is None


def test_the_networks_containing_a_value_are_its_supernets() -> None:
    wider = supernets("ipv4-addr", "10.1.2.3")
    assert len(wider) == 32 and wider[0] == terms("ipv4-addr", "10.1.2.2/31")[1:]
    assert wider[-1] == terms("ipv4-addr", "0.0.0.0/0")[1:]
    assert supernets("ipv6-addr", "2001:db8::/32")[-1] == terms("ipv6-addr", "::/0")[1:]
    assert supernets("ipv4-addr", "0.0.0.0/0") == ()
