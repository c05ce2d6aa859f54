"""The fast pattern recogniser never accepts what stix2-patterns rejects (STIX 2.1 §9).

`pattern_error` defers every doubt to stix2-patterns, so its verdict equals the oracle's exactly
when the recogniser has no false accepts. Hypothesis builds patterns from the grammar (valid)
and breaks them (character edits, token swaps); every one must get the oracle's verdict.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from kelisim.domain.stix.pattern_parser import recognise
from kelisim.domain.stix.patterns import pattern_error


def oracle_valid(pattern: str) -> bool:
    try:
        return not run_validator(pattern, "2.1")
    except Exception:
        return False


names = st.sampled_from(["file", "ipv4-addr", "domain-name", "url", "x-custom", "network-traffic",
                         "_a", "process", "IN", "and"])
keys = st.sampled_from(["name", "value", "hashes", "size", "'SHA-256'", "MD5", "'a b'", "src_ref",
                        "in", "true", "x_y", "a-b"])
literals = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.sampled_from(["'evil.example'", "'a\\'b'", "'c\\\\d'", "+1", "-0", ".5", "1.25", "01",
                     "true", "false", "TRUE", "h'0aff'", "h'0'", "b'YWJj'", "b'YQ=='", "b''",
                     "t'2026-01-15T09:30:00Z'", "t'2026-13-01T00:00:00Z'", "'" + "a" * 32 + "'",
                     "'" + "f" * 64 + "'", "'bad'"]),
)
ops = st.sampled_from(["=", "==", "!=", "<>", "<", ">", "<=", ">=", "LIKE", "MATCHES", "IN",
                       "ISSUBSET", "ISSUPERSET", "NOT =", "NOT IN", "like", "=<"])


@st.composite
def comparison(draw: st.DrawFn) -> str:
    path = draw(names) + ":" + draw(keys)
    for step in draw(st.lists(st.one_of(keys.map(lambda k: "." + k),
                                        st.sampled_from(["[*]", "[0]", "[+2]", "[-1]"])),
                              max_size=2)):
        path += step
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        return "EXISTS " + path
    op = draw(ops)
    if op.endswith("IN"):
        items = draw(st.lists(literals, max_size=3))
        return f"{path} {op} ({', '.join(items)})"
    return f"{path} {op} {draw(literals)}"


@st.composite
def comparison_expr(draw: st.DrawFn, depth: int = 0) -> str:
    parts = [draw(comparison())]
    for _ in range(draw(st.integers(0, 2))):
        joiner = draw(st.sampled_from([" AND ", " OR ", " and "]))
        part = draw(comparison())
        if depth < 1 and draw(st.booleans()):
            part = "(" + draw(comparison_expr(depth + 1)) + ")"
        parts.append(joiner + part)
    return "".join(parts)


qualifiers = st.sampled_from(["", " WITHIN 600 SECONDS", " WITHIN 1.5 SECONDS", " REPEATS 3 TIMES",
                              " START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00.5Z'",
                              " WITHIN 5 SECONDS WITHIN 6 SECONDS", " within 5 seconds",
                              " REPEATS -1 TIMES"])


@st.composite
def observation_expr(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        obs = "[" + draw(comparison_expr()) + "]" + draw(qualifiers)
        if depth < 1 and draw(st.integers(0, 3)) == 0:
            obs = "(" + draw(observation_expr(depth + 1)) + ")" + draw(qualifiers)
        parts.append(obs)
    joiners = draw(st.lists(st.sampled_from([" AND ", " OR ", " FOLLOWEDBY "]),
                            min_size=len(parts) - 1, max_size=len(parts) - 1))
    out = parts[0]
    for joiner, part in zip(joiners, parts[1:], strict=True):
        out += joiner + part
    return out


@st.composite
def broken(draw: st.DrawFn) -> str:
    text = draw(observation_expr())
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["delete", "insert", "replace"]))
        char = draw(st.sampled_from([*"[]()'=:.,-+ \\/*\u00a0xZ0tbh", "/*c*/", "\n"]))
        if edit == "delete":
            text = text[:i] + text[i + 1:]
        elif edit == "insert":
            text = text[:i] + char + text[i:]
        else:
            text = text[:i] + char + text[i + 1:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(observation_expr())
def test_grammar_built_patterns_get_the_oracle_verdict(pattern: str) -> None:
    assert (pattern_error(pattern) is None) == oracle_valid(pattern), pattern


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_broken_patterns_get_the_oracle_verdict(pattern: str) -> None:
    if recognise(pattern) is not None:
        assert oracle_valid(pattern), pattern
    assert (pattern_error(pattern) is None) == oracle_valid(pattern), pattern


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_gets_the_oracle_verdict(pattern: str) -> None:
    assert (pattern_error(pattern) is None) == oracle_valid(pattern)


def test_the_fast_path_accepts_ordinary_indicator_patterns() -> None:
    for pattern in ["[ipv4-addr:value = '198.51.100.7']",
                    "[file:hashes.'SHA-256' = '" + "a" * 64 + "']",
                    "[domain-name:value = 'x.example'] AND [url:value LIKE '%.example/%'] "
                    "WITHIN 600 SECONDS",
                    "[network-traffic:dst_port IN (80, 443) AND network-traffic:protocols[*] = "
                    "'tcp'] REPEATS 5 TIMES"]:
        assert recognise(pattern) is not None, pattern


def test_a_rejection_carries_the_oracle_message() -> None:
    error = pattern_error("[file:name = 'a' and file:size = 3]")
    assert error is not None and "mismatched input 'and'" in error
    assert pattern_error("[file:hashes.MD5 = 'abc']") == "'abc' is not a valid MD5 hash"
    assert pattern_error("") is not None
    assert pattern_error("[x:y[-1] = 1]") is not None  # stix2-patterns itself crashes on this


def test_other_pattern_languages_are_not_checked() -> None:
    assert pattern_error("rule x { condition: true }", "yara") is None
