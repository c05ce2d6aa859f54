"""A fast, conservative recogniser of STIX 2.1 patterns (STIX 2.1 §9: Patterning).

Why: the reference checker, `stix2-patterns`, runs an ANTLR parser in pure Python and manages
~1,800 patterns/s here - too slow to sit alone on the intake path of a TAXII server. This module
recognises the grammar of STIX 2.1 §9 (the `STIXPattern.g4` grammar that `stix2-patterns` is
generated from) with a hand-written tokenizer and recursive-descent parser.

It is *conservative*: it answers either ``ACCEPT`` ("certainly valid for stix2-patterns") or
``DEFER`` ("not sure - ask stix2-patterns"). It never rejects. Anything unusual - comments,
non-ASCII whitespace, keywords used as names, negative list indexes, repeated qualifiers, a hash
comparison it cannot check exactly like `stix2-patterns` does - is deferred. So the verdict of
:func:`kelisim.domain.stix.patterns.pattern_error` is the oracle's by construction, provided this
module never accepts what the oracle rejects; `tests/unit/stix/test_pattern_parser.py` checks
that with hypothesis-generated valid and broken patterns (docs/decisions/0003).

On ACCEPT it also returns the compared (object type, first path component) pairs, which the
indicator checks of STIX 2.1 §9.2/§9.3 (object and property names) need.
"""

from __future__ import annotations

import re

__all__ = ["DEFER", "Compared", "recognise", "recognise_values", "unquoted"]

DEFER = None

Compared = tuple[str, str, str, str]
"""(object type, dotted property path, '=' or 'ISSUBSET', the string compared with)."""

# Uppercase keywords of the grammar; as names they lex as keywords, so we defer on them.
_KEYWORDS = frozenset({
    "AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET", "LAST", "IN",
    "START", "STOP", "SECONDS", "TRUE", "FALSE", "WITHIN", "REPEATS", "TIMES", "EXISTS",
})
_OPS_EQ = frozenset({"=", "==", "!=", "<>"})
_OPS_ORDER = frozenset({"<", ">", "<=", ">="})
_OPS_STRING = frozenset({"LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"})

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
    |(?P<ts>t'[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]
        :(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z')
    |(?P<hex>h'(?:[0-9a-fA-F]{2})*')
    |(?P<bin>b'(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)')
    |(?P<ident>[a-zA-Z_][a-zA-Z0-9_-]*)
    |(?P<str>'(?:[^'\\]|\\['\\])*')
    |(?P<float>[+-]?[0-9]*\.[0-9]+)
    |(?P<int>[+-]?(?:0|[1-9][0-9]*))
    |(?P<op>==|!=|<>|<=|>=|[=<>\[\]():,.*])
    """,
    re.VERBOSE,
)

Token = tuple[str, str]


def _tokenize(text: str) -> list[Token] | None:
    tokens: list[Token] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            return None
        kind = m.lastgroup or ""
        value = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "ident":
            if pos < end and text[pos] in "'/":  # t'..' / h'..' lookalikes, comments: defer
                return None
            if value in _KEYWORDS:
                kind = "kw"
            elif value.upper() in _KEYWORDS or value in ("true", "false"):
                if value in ("true", "false"):
                    kind = "bool"
                else:
                    return None
        elif kind in ("int", "float") and pos < end and (text[pos].isalnum() or text[pos] in "._"):
            return None  # '01', '1.', '1a': ANTLR splits these differently; let the oracle speak
        elif kind == "op" and value in ("/", "*") and text[pos:pos + 1] in ("/", "*"):
            return None
        tokens.append((kind, value))
    tokens.append(("eof", ""))
    return tokens


class _Defer(Exception):
    pass


class _Parser:
    """Recursive descent over the token list; raises _Defer at the first doubt."""

    __slots__ = ("comparisons", "i", "tokens", "values")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.comparisons: list[tuple[str, str]] = []
        self.values: list[Compared] = []

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self, value: str) -> None:
        if self.tokens[self.i][1] != value or self.tokens[self.i][0] in ("str", "ts"):
            raise _Defer
        self.i += 1

    def accept_kw(self, word: str) -> bool:
        kind, value = self.tokens[self.i]
        if kind == "kw" and value == word:
            self.i += 1
            return True
        return False

    # pattern : observationExpressions EOF
    def pattern(self) -> None:
        self.observations()
        if self.peek()[0] != "eof":
            raise _Defer

    def observations(self) -> None:
        self.observation()
        while self.accept_kw("FOLLOWEDBY") or self.accept_kw("OR") or self.accept_kw("AND"):
            self.observation()

    def observation(self) -> None:
        kind, value = self.peek()
        if kind == "op" and value == "[":
            self.i += 1
            self.comparison()
            self.take("]")
        elif kind == "op" and value == "(":
            self.i += 1
            self.observations()
            self.take(")")
        else:
            raise _Defer
        self.qualifiers()

    def qualifiers(self) -> None:
        seen: set[str] = set()
        while True:
            kind, value = self.peek()
            if kind != "kw" or value not in ("WITHIN", "REPEATS", "START"):
                return
            if value in seen:
                raise _Defer  # stix2-patterns refuses duplicates on a simple expression
            seen.add(value)
            self.i += 1
            if value == "WITHIN":
                self.expect_kind(("int", "float"), positive=True)
                self.take("SECONDS")
            elif value == "REPEATS":
                self.expect_kind(("int",), positive=True)
                self.take("TIMES")
            else:
                self.expect_kind(("ts",))
                self.take("STOP")
                self.expect_kind(("ts",))

    def expect_kind(self, kinds: tuple[str, ...], positive: bool = False) -> str:
        kind, value = self.peek()
        if kind not in kinds or (positive and value.startswith("-")):
            raise _Defer
        self.i += 1
        return value

    def comparison(self) -> None:
        self.comparison_and()
        while self.accept_kw("OR"):
            self.comparison_and()

    def comparison_and(self) -> None:
        self.prop_test()
        while self.accept_kw("AND"):
            self.prop_test()

    def prop_test(self) -> None:
        kind, value = self.peek()
        if kind == "op" and value == "(":
            self.i += 1
            self.comparison()
            self.take(")")
            return
        if self.accept_kw("EXISTS"):
            self.object_path()
            return
        path = self.object_path()
        negated = self.accept_kw("NOT")
        kind, op = self.peek()
        self.i += 1
        literal: Token
        if kind == "op" and op in _OPS_EQ:
            literal = self.literal(allow_bool=True)
            if op in ("=", "==") and not negated:
                self.compared(path, "=", [literal])
        elif kind == "op" and op in _OPS_ORDER:
            literal = self.literal(allow_bool=False)
        elif kind == "kw" and op == "IN":
            members = self.set_literal()
            if not negated:
                self.compared(path, "=", members)
            literal = ("set", "")
        elif kind == "kw" and op in _OPS_STRING:
            literal = self.peek()
            if literal[0] != "str":
                raise _Defer
            self.i += 1
            if op == "ISSUBSET" and not negated:
                self.compared(path, op, [literal])
        else:
            raise _Defer
        self.check_hash(path, literal)

    def compared(self, path: list[str], op: str, literals: list[Token]) -> None:
        """Record what a positive equality, IN or ISSUBSET compares a property with: the
        values an indicator looks for (the correlation index, `observables.py`)."""
        object_type = self.comparisons[-1][0]
        dotted = ".".join(path)
        self.values.extend((object_type, dotted, op, unquoted(value))
                           for kind, value in literals if kind == "str")

    def literal(self, allow_bool: bool) -> Token:
        token = self.peek()
        if token[0] in ("int", "float", "str", "ts", "hex", "bin") or (
            allow_bool and token[0] == "bool"
        ):
            self.i += 1
            return token
        raise _Defer

    def set_literal(self) -> list[Token]:
        self.take("(")
        if self.peek() == ("op", ")"):
            self.i += 1
            return []
        members = [self.literal(allow_bool=True)]
        while self.peek() == ("op", ","):
            self.i += 1
            members.append(self.literal(allow_bool=True))
        self.take(")")
        return members

    def object_path(self) -> list[str]:
        kind, object_type = self.peek()
        if kind != "ident":
            raise _Defer
        self.i += 1
        self.take(":")
        path = [self.key()]
        while True:
            kind, value = self.peek()
            if kind == "op" and value == ".":
                self.i += 1
                path.append(self.key())
            elif kind == "op" and value == "[":
                self.i += 1
                index = self.peek()
                if not (index == ("op", "*") or (index[0] == "int" and index[1][0] != "-")):
                    raise _Defer
                self.i += 1
                self.take("]")
                path.append("*" if index[1] == "*" else "[index]")
            else:
                break
        self.comparisons.append((object_type, path[0]))
        return path

    def key(self) -> str:
        kind, value = self.peek()
        if kind == "ident" and "-" not in value:
            self.i += 1
            return value
        if kind == "str" and "\\" not in value:
            self.i += 1
            return value[1:-1]
        raise _Defer

    @staticmethod
    def check_hash(path: list[str], literal: Token) -> None:
        """stix2-patterns checks `hashes.<ALGO> = '<value>'` against per-algorithm regexes."""
        if "hashes" not in path:
            return
        selector = path[-1]
        if selector == "*":
            return
        if selector == "[index]":
            raise _Defer
        algo = selector.upper().replace("-", "")
        if algo not in _HASHES:
            return
        if literal[0] != "str" or "\\" in literal[1] or not _HASHES[algo].match(literal[1][1:-1]):
            raise _Defer


def _hash_regexes() -> dict[str, re.Pattern[str]]:
    from stix2patterns.v21.object_validator import HASHES_REGEX

    return {name: re.compile(rx) for name, (rx, _label) in HASHES_REGEX.items()}


_HASHES = _hash_regexes()


def recognise(pattern: str) -> list[tuple[str, str]] | None:
    """The (object type, first path component) pairs if `pattern` is certainly valid; else None."""
    parser = _parsed(pattern)
    return DEFER if parser is None else parser.comparisons


def recognise_values(pattern: str) -> list[Compared] | None:
    """The string values the pattern's positive comparisons (=, IN, ISSUBSET) look for, if the
    pattern is certainly valid; else None (ask `stix2-patterns`)."""
    parser = _parsed(pattern)
    return DEFER if parser is None else parser.values


def _parsed(pattern: str) -> _Parser | None:
    tokens = _tokenize(pattern)
    if tokens is None:
        return DEFER
    parser = _Parser(tokens)
    try:
        parser.pattern()
    except (_Defer, IndexError):
        return DEFER
    return parser


def unquoted(literal: str) -> str:
    """A pattern string literal's value: quotes off, \\' and \\\\ unescaped (STIX 2.1 §9.2)."""
    return re.sub(r"\\(['\\])", r"\1", literal[1:-1])
