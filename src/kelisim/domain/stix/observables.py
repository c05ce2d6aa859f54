"""The observable values of a STIX object, normalized, for the correlation index (issue 16, item 1).

Why: "where else was this seen" needs every value an analyst pivots on - IP addresses and
networks, domain names, URLs, e-mail addresses, file hashes and names - in one form whoever wrote
it. They are taken from the cyber-observable objects that carry them (STIX 2.1 §6: ipv4-addr,
ipv6-addr, domain-name, url, email-addr, file, artifact; and an observed-data's embedded
`objects`, §4.9) and from the strings an indicator's STIX pattern compares with (§9), read by the
pattern grammar intake already checks with (`patterns.pattern_values`).

Normal forms: domain names, e-mail domains and hashes lower-case; IP addresses and networks in
their canonical (`ipaddress`) text, a network's host bits cleared, a /32 or /128 an address; URLs
and file names as given, trimmed. A value longer than `MAX_BYTES` is not indexed (no index key
holds it). The registered domain (the Public Suffix List, offline: docs/decisions/0013) and an IP
value's range are derived by `terms`, for the searches of `services/exchange/correlation.py`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from kelisim.domain.stix.patterns import pattern_values

__all__ = ["HASH_KINDS", "KINDS", "MAX_BYTES", "Observable", "Terms", "guess_kinds",
           "normalized", "observables", "registered_domain", "supernets", "terms"]

HASH_KINDS = ("MD5", "SHA-1", "SHA-256", "SHA-512")
KINDS = ("ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file-name", *HASH_KINDS)
MAX_BYTES = 2000
_HASH_NAMES = {name.replace("-", ""): name for name in HASH_KINDS}
_HASH_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
_SCO_VALUE = {"ipv4-addr": "ipv4-addr", "ipv6-addr": "ipv6-addr", "domain-name": "domain-name",
              "url": "url", "email-addr": "email-addr"}
_EMAIL_REFS = ("from_ref", "sender_ref", "to_refs", "cc_refs", "bcc_refs")
_ADDRESS_REFS = ("src_ref", "dst_ref", "resolves_to_refs")


class Observable(NamedTuple):
    kind: str
    value: str


class Terms(NamedTuple):
    """What an indexed value is searched by besides itself: its registered domain (domain
    names, URL hosts, e-mail domains) and, for an IP address or network, its range as two
    fixed-width strings ('4' or '6', then the address in hex) that compare as the numbers do."""

    registered: str | None
    low: str | None
    high: str | None


def observables(obj: dict[str, Any]) -> list[Observable]:
    """Every observable value of one STIX object, normalized, each once, in order found."""
    found = dict.fromkeys(o for o in _raw(obj) if o is not None and _fits(o.value))
    return list(found)


def _raw(obj: dict[str, Any]) -> Iterator[Observable | None]:
    kind = obj.get("type")
    if kind in _SCO_VALUE and isinstance(obj.get("value"), str):
        yield normalized(_SCO_VALUE[kind], obj["value"])
    if kind in ("file", "artifact"):
        if kind == "file" and isinstance(obj.get("name"), str):
            yield normalized("file-name", obj["name"])
        hashes = obj.get("hashes")
        if isinstance(hashes, dict):
            yield from (_hash(name, value) for name, value in hashes.items())
    if kind == "indicator" and obj.get("pattern_type") == "stix" \
            and isinstance(obj.get("pattern"), str):
        yield from (_compared(*value) for value in pattern_values(obj["pattern"]))
    if kind == "observed-data" and isinstance(obj.get("objects"), dict):
        for embedded in obj["objects"].values():
            if isinstance(embedded, dict):
                yield from _raw(embedded)


def _compared(object_type: str, path: str, op: str, value: str) -> Observable | None:
    """What one pattern comparison looks for, if it is an observable value (§9.2 paths)."""
    head, _, rest = path.partition(".")
    if op == "ISSUBSET":
        return normalized(object_type, value) if object_type in ("ipv4-addr", "ipv6-addr") \
            else None
    if path == "value" and object_type in _SCO_VALUE:
        return normalized(_SCO_VALUE[object_type], value)
    if object_type in ("file", "artifact") and head == "hashes" and rest:
        return _hash(rest, value)
    if object_type == "file" and path == "name":
        return normalized("file-name", value)
    if path.endswith(".value") and head.split("[")[0] in _EMAIL_REFS:
        return normalized("email-addr", value)
    if path.endswith(".value") and head.split("[")[0] in _ADDRESS_REFS:
        return _address(value) or normalized("domain-name", value)
    return None


def _hash(algorithm: str, value: Any) -> Observable | None:
    name = _HASH_NAMES.get(str(algorithm).upper().replace("-", "").replace("_", ""))
    return normalized(name, value) if name and isinstance(value, str) else None


def _address(value: str) -> Observable | None:
    for kind in ("ipv4-addr", "ipv6-addr"):
        found = normalized(kind, value)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=65_536)
def normalized(kind: str, value: str) -> Observable | None:
    """The value in its normal form (see the module), or None if it is no value of that kind."""
    value = value.strip()
    if not value:
        return None
    if kind in ("ipv4-addr", "ipv6-addr"):
        return _ip(kind, value)
    if kind == "domain-name":
        name = value.rstrip(".").lower()
        return Observable(kind, name) if name and " " not in name else None
    if kind == "email-addr":
        local, at, domain = value.rpartition("@")
        return Observable(kind, f"{local}@{domain.lower()}") if at and local and domain else None
    if kind in HASH_KINDS:
        return Observable(kind, value.lower())
    if kind in ("url", "file-name"):
        return Observable(kind, value)
    return None


def _ip(kind: str, value: str) -> Observable | None:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None
    if (network.version == 4) != (kind == "ipv4-addr"):
        return None
    if network.num_addresses == 1:
        return Observable(kind, str(network.network_address))
    return Observable(kind, str(network))


def _fits(value: str) -> bool:
    return len(value) * 4 <= MAX_BYTES or len(value.encode()) <= MAX_BYTES


@lru_cache(maxsize=65_536)
def terms(kind: str, value: str) -> Terms:
    """The registered domain and IP range of a normalized value (None where they do not apply)."""
    if kind in ("ipv4-addr", "ipv6-addr"):
        network = ipaddress.ip_network(value, strict=False)
        width = 8 if network.version == 4 else 32
        return Terms(None, f"{network.version}{int(network.network_address):0{width}x}",
                     f"{network.version}{int(network.broadcast_address):0{width}x}")
    if kind == "domain-name":
        return Terms(registered_domain(value), None, None)
    if kind == "url":
        try:
            host = urlsplit(value).hostname
        except ValueError:
            host = None
        if host and _address(host) is None:
            return Terms(registered_domain(host), None, None)
    if kind == "email-addr":
        return Terms(registered_domain(value.rpartition("@")[2]), None, None)
    return Terms(None, None, None)


@lru_cache(maxsize=65_536)
def supernets(kind: str, value: str) -> tuple[tuple[str, str], ...]:
    """The ranges (as `terms` writes them) of every network strictly containing an IP address or
    network: CIDR blocks nest, so these and the ranges inside it are all that overlap it, each
    an exact index lookup instead of a scan of every lower address."""
    network = ipaddress.ip_network(value, strict=False)
    found = []
    for prefix in range(network.prefixlen - 1, -1, -1):
        wider = network.supernet(new_prefix=prefix)
        found.append(terms(kind, str(wider))[1:])
    return tuple((str(low), str(high)) for low, high in found)


def registered_domain(name: str) -> str | None:
    """The registered domain of a domain name: its public suffix (the Public Suffix List, with
    private domains such as github.io) and one label more; None for a bare public suffix."""
    found = _suffixes().privatesuffix(name.rstrip(".").lower())
    return str(found) if found else None


@cache
def _suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the list the package ships; it never fetches one


def guess_kinds(value: str) -> tuple[str, ...]:
    """The kinds a searched value may be: an IP address or network, a hash by its length, an
    e-mail address, a URL; a dotted name may be a domain name or a file name (both searched)."""
    value = value.strip()
    found = _address(value)
    if found is not None:
        return (found.kind,)
    if len(value) in _HASH_LENGTHS and all(c in "0123456789abcdefABCDEF" for c in value):
        return (_HASH_LENGTHS[len(value)],)
    if "://" in value:
        return ("url",)
    if "@" in value and " " not in value:
        return ("email-addr",)
    if "." in value and not any(c in value for c in " /\\"):
        return ("domain-name", "file-name")
    return ("file-name",) if value else ()
