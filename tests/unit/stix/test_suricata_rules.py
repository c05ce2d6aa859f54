"""Suricata rules from observable values (`domain.stix.suricata`): each kind's rule parses with
`suricataparser` (Suricata itself is not installed on this machine: docs/benchmarks.md),
carries its TLP, escapes what a content may not hold, and keeps its sid across exports."""

from __future__ import annotations

import pytest
from suricataparser import parse_rule

from kelisim.domain.stix.suricata import NOT_EXPORTED, RuleFor, content, rules_for, sid_of

ABOUT = RuleFor("indicator--0f4ad1d3-3f55-4c64-9d3d-8cbb9f1b7a11", "amber+strict", "KAZ")


@pytest.mark.parametrize(("kind", "value", "buffers"), [
    ("ipv4-addr", "198.51.100.7", []),
    ("ipv4-addr", "198.51.100.0/24", []),
    ("ipv6-addr", "2001:db8::/32", []),
    ("domain-name", "evil.example", ["dns.query", "tls.sni"]),
    ("url", "http://Evil.example:8080/a;b?c=\"d\"|e", ["http.host", "http.uri"]),
    ("url", "https://evil.example/", ["http.host"]),
])
def test_each_kind_makes_rules_that_parse(kind: str, value: str, buffers: list[str]) -> None:
    made = rules_for(kind, value, ABOUT)
    assert made
    seen: set[str] = set()
    for sid, text in made:
        rule = parse_rule(text)
        assert rule is not None and rule.sid == sid
        assert rule.msg.startswith("kelisim TLP:AMBER+STRICT ")
        assert "tlp amber_strict" in rule.metadata and "producer KAZ" in rule.metadata
        seen.update(o.name for o in rule.options)
        for option in rule.options:  # nothing unescaped inside a content
            if option.name == "content":
                inner = option.value.strip('"')
                assert not any(c in inner for c in '";\\'), inner
    assert set(buffers) <= seen
    assert len({sid for sid, _ in made}) == len(made)


def test_hashes_e_mail_and_file_names_are_not_rules_and_say_why() -> None:
    for kind in ("MD5", "SHA-1", "SHA-256", "SHA-512", "email-addr", "file-name"):
        assert rules_for(kind, "x", ABOUT) == []
        assert kind in NOT_EXPORTED


def test_a_sid_depends_on_the_value_only_and_content_is_escaped() -> None:
    other = RuleFor("indicator--2", None, None)
    assert [s for s, _ in rules_for("url", "http://a.example/x", ABOUT)] == \
        [s for s, _ in rules_for("url", "http://a.example/x", other)]
    assert sid_of("dns", "a.example") != sid_of("tls", "a.example")
    assert 1_000_000_000 <= sid_of("ip", "192.0.2.1") < 3_000_000_000
    assert content('a;b"c\\d|é') == "a|3B|b|22|c|5C|d|7C C3 A9|"
