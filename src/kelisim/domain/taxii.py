"""TAXII 2.1 request semantics, free of HTTP: filters, timestamps, page tokens.

* Filtering (TAXII 2.1 section 3.4): `match[id|type|version|spec_version]` take comma-separated
  values, ORed within a field and ANDed across fields; `match[version]` takes `first`, `last`,
  `all` (alone) or timestamps and defaults to `last`; `added_after` is exclusive. A parameter the
  endpoint does not have, or one given without a value, is refused (decision 0011). kelisim adds
  `match[threat_class]` and `match[direction]` (its STIX extension, Agreement Art. 2 and 3).
* Timestamps: STIX timestamps may carry any number of fractional digits. kelisim keeps versions
  and `date_added` at microsecond precision, as fixed-width strings (versions: they sort as text)
  and as integers (date_added: a per-collection strictly increasing key, so `added_after` and
  `next` are exact cursors).
* Paging (section 3.5): `next` is an opaque token, HMAC-signed, bound to the account and to the
  query; a tampered token or one replayed by another account or on another query is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

import orjson

from kelisim.domain.errors import InvalidInput

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
SPEC = "TAXII 2.1 section 3.4"
VERSION_KEYWORDS = frozenset({"first", "last", "all"})
KNOWN_PARAMETERS = frozenset({
    "added_after", "limit", "next", "match[id]", "match[type]", "match[version]",
    "match[spec_version]", "match[threat_class]", "match[direction]", "match[tlp]",
    "match[producer]"})
TLP_FILTER_VALUES = frozenset({"clear", "green", "amber", "amber+strict", "red", "none"})

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z\Z", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(text: str) -> int:
    """A STIX timestamp (RFC 3339, UTC, `Z`) as microseconds since the epoch; ValueError if not."""
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"not a STIX timestamp: {text[:40]!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "")[:6].ljust(6, "0")
    moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    return (moment - _EPOCH) // _US + (second - min(second, 59)) * 1_000_000 + int(fraction)


_US = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


_DAY_US = 86_400_000_000
_EPOCH_ORDINAL = _EPOCH.toordinal()


def format_timestamp(micros: int) -> str:
    """Microseconds since the epoch as a STIX timestamp with six fractional digits.

    Plain integer arithmetic with the day's date cached: a manifest page formats a thousand
    of these, and `strftime` cost twice as much - and wrote years below 1000 without their
    leading zeros (glibc), which broke both RFC 3339 and the text order of version keys."""
    days, rest = divmod(micros, _DAY_US)
    seconds, fraction = divmod(rest, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_iso_day(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction:06d}Z"


@lru_cache(maxsize=4096)
def _iso_day(days: int) -> str:
    """The date `days` after 1970-01-01, as YYYY-MM-DD; ValueError outside years 1-9999."""
    return date.fromordinal(_EPOCH_ORDINAL + days).isoformat()


def stix_version(key: str) -> str:
    """A stored version key as the producer most likely wrote it: to the millisecond (STIX 2.1
    section 3.2 asks `created` and `modified` for millisecond precision, and the stix2 library
    writes exactly three digits) unless the key holds microseconds. The manifest, the versions
    resource and the status give versions out so (TAXII 2.1 sections 4.3.1, 5.3.1, 5.8.1: the
    version is the object's `modified`), so a client comparing them with its own copies as
    text finds them equal; the keys keep six digits, which is what makes them sort as text."""
    if len(key) == 27 and key.endswith("000Z"):
        return key[:23] + "Z"
    return key


_PLAIN_TIMESTAMP = re.compile(
    r"^([1-9]\d{3})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(\d{1,6}))?Z\Z", re.ASCII)


def version_key(text: str) -> str:
    """A version timestamp in the fixed-width form kept in the index (sorts as text).

    Most versions (years 1000-9999, no leap second, at most microseconds) are already that form
    but for the fraction's width: those are padded as text, checking only that the day exists;
    the rest take the arithmetic route. Both give the same string (tests/unit/test_taxii_query)."""
    match = _PLAIN_TIMESTAMP.match(text)
    if match is None:
        return format_timestamp(parse_timestamp(text))
    year, month, day, fraction = match.groups()
    date(int(year), int(month), int(day))  # ValueError for 30 February, as parse_timestamp
    return f"{text[:19]}.{(fraction or '').ljust(6, '0')}Z"


def micros_of(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    threat_classes: tuple[str, ...] = ()
    directions: tuple[int, ...] = ()
    tlps: tuple[str, ...] = ()
    """kelisim filter: TLP levels; "none" means unmarked."""
    producer_parties: tuple[str, ...] = ()
    """kelisim filter: the producing Parties (ISO alpha-3)."""
    added_after: int | None = None
    limit: int = DEFAULT_LIMIT
    next: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def digest(self, scope: str) -> str:
        """What a `next` token is bound to: the endpoint and every filter but limit/next."""
        shape = [scope, self.ids, self.types, self.versions, self.spec_versions,
                 self.threat_classes, self.directions, self.tlps, self.producer_parties,
                 self.added_after]
        return hashlib.sha256(orjson.dumps(shape)).hexdigest()[:32]

    @property
    def wants_all_versions(self) -> bool:
        return "all" in self.versions


def parse_query(params: Mapping[str, Sequence[str]], *, allowed: frozenset[str]) -> Query:
    """The filters of one request; InvalidInput (400) names the parameter and the spec section."""
    for name in params:
        if name not in allowed:
            raise InvalidInput(f"The parameter {name!r} is not supported on this endpoint "
                               f"({SPEC}).", parameter=name)
    values = {name: _one(name, found) for name, found in params.items()}
    versions = _split(values.get("match[version]")) or ("last",)
    if "all" in versions and len(versions) > 1:
        raise InvalidInput("match[version]=all asks for every version and cannot be combined "
                           f"with {', '.join(v for v in versions if v != 'all')} ({SPEC}.2).",
                           parameter="match[version]")
    return Query(
        ids=_split(values.get("match[id]")),
        types=_split(values.get("match[type]")),
        versions=tuple(v if v in VERSION_KEYWORDS else _version_param(v) for v in versions),
        spec_versions=_split(values.get("match[spec_version]")),
        threat_classes=_split(values.get("match[threat_class]")),
        directions=tuple(_int("match[direction]", d, 1, 99)
                         for d in _split(values.get("match[direction]"))),
        tlps=_tlps(_split(values.get("match[tlp]"))),
        producer_parties=tuple(p.upper() for p in _split(values.get("match[producer]"))),
        added_after=(None if values.get("added_after") is None
                     else _timestamp_param("added_after", values["added_after"])),
        limit=_int("limit", values.get("limit") or str(DEFAULT_LIMIT), 1, None),
        next=values.get("next") or None,
    )


def _tlps(values: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [v for v in values if v.lower() not in TLP_FILTER_VALUES]
    if unknown:
        raise InvalidInput(f"match[tlp] takes {', '.join(sorted(TLP_FILTER_VALUES))}, not "
                           f"{unknown[0]!r} (kelisim filter; FIRST TLP 2.0).",
                           parameter="match[tlp]")
    return tuple(v.lower() for v in values)


def _one(name: str, found: Sequence[str]) -> str:
    """The one value of a parameter; a parameter given twice, or given without a value (or
    with commas only), is refused: an empty filter is a mistake, never "no filter"."""
    if len(found) != 1:
        raise InvalidInput(f"Give {name} once (comma-separate several values) ({SPEC}).",
                           parameter=name)
    if not _split(found[0]):
        raise InvalidInput(f"{name} is given without a value; leave it out to not filter "
                           f"({SPEC}).", parameter=name)
    return found[0]


def _split(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _timestamp_param(name: str, raw: str) -> int:
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a STIX timestamp such as "
                           f"2026-11-25T12:00:00.000Z ({SPEC}).", parameter=name) from None


def _version_param(raw: str) -> str:
    """A `match[version]` timestamp as the key versions are stored under; a timestamp that has
    no such key (a leap second past 9999-12-31T23:59:59Z) is refused like any malformed one."""
    try:
        return version_key(raw)
    except ValueError:
        raise InvalidInput("match[version] takes first, last, all or STIX timestamps such as "
                           f"2026-11-25T12:00:00.000Z ({SPEC}).",
                           parameter="match[version]") from None


def _int(name: str, raw: str, low: int, high: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number ({SPEC}).", parameter=name) from None
    if value < low or (high is not None and value > high):
        raise InvalidInput(f"{name} must be at least {low}"
                           + (f" and at most {high}" if high else "") + f" ({SPEC}).",
                           parameter=name)
    return min(value, MAX_LIMIT) if name == "limit" else value


# --- page tokens ----------------------------------------------------------------------------------

TOKEN_SPEC = "TAXII 2.1 section 3.5"


def sign_next(key: bytes, *, account_id: int, digest: str, after: int) -> str:
    payload = _b64(orjson.dumps({"a": account_id, "q": digest, "k": after}))
    return payload + "." + _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18])


def open_next(key: bytes, token: str, *, account_id: int, digest: str) -> int:
    """The cursor a `next` token carries, after checking it was issued for this very request."""
    refused = InvalidInput("The next token is not valid for this account and query; start again "
                           f"without it ({TOKEN_SPEC}).", parameter="next")
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18])
    if not signature or not hmac.compare_digest(signature, expected):
        raise refused
    try:
        body = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        after = int(body["k"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise refused from None
    if body.get("a") != account_id or body.get("q") != digest:
        raise refused
    return after


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
