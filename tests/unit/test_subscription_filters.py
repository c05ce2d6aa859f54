"""The subscription matcher as a table (issue 16, item 8): each facet alone, facets together
(AND), entries of one facet (OR), values in the correlation index's normal form with IP
networks containing addresses, domains their subdomains, techniques matching their
sub-techniques; and the checks that refuse a bad filter by naming its field."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.notifications import (
    Notice,
    ObjectFacts,
    SubscriptionFilter,
    checked_filter,
    checked_webhook_url,
    mail_text,
    matches,
    signature,
    webhook_body,
)
from kelisim.domain.stix.observables import Observable

FACTS = ObjectFacts(
    type="indicator", directions=frozenset({3, 9}), threat_class="information_crime",
    producer_party="KAZ",
    observables=frozenset({Observable("ipv4-addr", "198.51.100.7"),
                           Observable("domain-name", "c2.evil.example"),
                           Observable("ipv6-addr", "2001:db8:aa::/48")}),
    techniques=frozenset({"T1566.001"}))


def wanted(**kwargs: object) -> SubscriptionFilter:
    return checked_filter(known_parties=frozenset({"KAZ", "RUS", "BLR"}), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("filter_", "expected"), [
    ({}, True),
    ({"types": ["indicator"]}, True), ({"types": ["malware"]}, False),
    ({"types": ["malware", "indicator"]}, True),
    ({"directions": [9]}, True), ({"directions": [1, 2]}, False),
    ({"threat_classes": ["information_crime"]}, True),
    ({"threat_classes": ["information_weapon"]}, False),
    ({"producers": ["kaz"]}, True), ({"producers": ["RUS"]}, False),
    ({"technique": "T1566"}, True), ({"technique": "t1566.001"}, True),
    ({"technique": "T1566.002"}, False), ({"technique": "T1059"}, False),
    ({"values": ["198.51.100.7"]}, True), ({"values": ["198.51.100.0/24"]}, True),
    ({"values": ["198.51.0.0/16"]}, True), ({"values": ["198.51.100.8"]}, False),
    ({"values": ["C2.EVIL.example"]}, True), ({"values": ["evil.example"]}, True),
    ({"values": ["vil.example"]}, False), ({"values": ["x.c2.evil.example"]}, False),
    ({"values": ["2001:db8::/32"]}, True), ({"values": ["2001:db8:aa::1"]}, False),
    ({"types": ["indicator"], "producers": ["RUS"]}, False),
    ({"types": ["indicator"], "producers": ["KAZ"], "technique": "T1566",
      "values": ["198.51.100.0/24"], "directions": [3]}, True),
])
def test_the_matcher(filter_: dict, expected: bool) -> None:
    assert matches(wanted(**filter_), FACTS) is expected


def test_an_object_without_the_fact_does_not_match_a_facet_that_asks_for_it() -> None:
    bare = ObjectFacts(type="indicator")
    assert matches(wanted(), bare)
    for facet in ({"directions": [3]}, {"threat_classes": ["information_crime"]},
                  {"producers": ["KAZ"]}, {"technique": "T1566"}, {"values": ["1.2.3.4"]}):
        assert not matches(wanted(**facet), bare), facet


@pytest.mark.parametrize(("filter_", "field"), [
    ({"types": ["Indicator"]}, "types"), ({"types": ["x"]}, "types"),
    ({"directions": [0]}, "directions"), ({"directions": [20]}, "directions"),
    ({"threat_classes": ["spam"]}, "threat_classes"), ({"values": [" "]}, "values"),
    ({"technique": "T15"}, "technique"), ({"technique": "TA0001"}, "technique"),
    ({"producers": ["XYZ"]}, "producers"), ({"types": ["indicator"] * 51}, "types"),
    ({"values": ["a\x00b"]}, "values"), ({"technique": "T1566\x00"}, "technique"),
])
def test_a_bad_filter_is_refused_naming_its_field(filter_: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        wanted(**filter_)
    assert refused.value.details["field"] == field


def test_a_filter_survives_its_stored_form() -> None:
    made = wanted(types=["indicator"], values=["198.51.100.0/24", "evil.example"],
                  technique="T1566", producers=["KAZ"], directions=[3])
    assert SubscriptionFilter.from_json(made.as_json()) == made


NOTICE = Notice(id="n-1", kind="exchange.match", subscription_id="s-1",
                subscription_name="lures", collection_id="c-1",
                stix_id="indicator--1", object_type="indicator", version="v1",
                created="2026-12-04T00:00:00Z", link="https://k.example/x")


def test_the_mail_and_the_webhook_carry_identifiers_only() -> None:
    subject, body = mail_text(NOTICE, lambda s: s)
    assert "indicator--1" in body and "https://k.example/x" in body and "lures" in subject
    assert set(webhook_body(NOTICE)["object"]) == {"collection", "id", "type", "version"}


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    good = signature(b"k", "1700000000", b"{}")
    assert good == "sha256=" + hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert signature(b"k", "1700000001", b"{}") != good
    assert signature(b"k", "1700000000", b"{ }") != good
    assert signature(b"j", "1700000000", b"{}") != good


@pytest.mark.parametrize("url", ["ftp://x.example/", "http://", "http://[::1/x", "javascript:x",
                                 "http://a b.example/", "https://x.example/" + "a" * 2000])
def test_a_webhook_is_an_http_url(url: str) -> None:
    with pytest.raises(InvalidInput):
        checked_webhook_url(url)
    assert checked_webhook_url(" https://hooks.example/k ") == "https://hooks.example/k"
