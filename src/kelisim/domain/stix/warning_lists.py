"""The MISP warning lists: observable values an analyst should doubt (issue 16, item 5).

Why: an indicator of 8.8.8.8, google.com or the MD5 of an empty file is almost always a false
positive; MISP's warning lists (public resolvers, cloud ranges, top sites, benign hashes...)
name them. They ship offline inside `pymispwarninglists`; a match is a warning, never a
refusal (docs/decisions/0019-warning-lists.md).

The library's own search is either exact (fast) or per-list scans (0.5 s a value): neither fits
intake. The lists are read once per process from the package's data and indexed here (all but
the two top-million site lists, `LARGEST_LIST_BYTES`), so that one
value costs a few dictionary look-ups, with MISP's semantics per list type: `string` exact;
`hostname` and `substring` the value or a parent domain of it (of a URL's host, an e-mail
address's domain); `cidr` containment of an IP address (one look-up per prefix length the lists
use); `regex` a search. A list applies to a kind only if its `matching_attributes` name a MISP
attribute type of that kind (all kinds if it names none).
"""

from __future__ import annotations

import gc
import re
import socket
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from kelisim.domain.stix.observables import Observable

__all__ = ["Warning", "WarningIndex", "lists_version", "warning_index", "warnings_for"]

_ATTRIBUTES: dict[str, frozenset[str]] = {
    "ipv4-addr": frozenset({"ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip"}),
    "ipv6-addr": frozenset({"ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip"}),
    "domain-name": frozenset({"domain", "hostname", "domain|ip", "hostname|port"}),
    "url": frozenset({"url", "uri", "link"}),
    "email-addr": frozenset({"email", "email-src", "email-dst", "target-email",
                             "whois-registrant-email", "dns-soa-email"}),
    "file-name": frozenset({"filename"}),
    "MD5": frozenset({"md5", "filename|md5"}),
    "SHA-1": frozenset({"sha1", "filename|sha1"}),
    "SHA-256": frozenset({"sha256", "filename|sha256"}),
    "SHA-512": frozenset({"sha512", "filename|sha512"}),
}


class Warning(NamedTuple):
    """One value that one warning list names."""

    list_name: str
    value: str


class WarningIndex:
    """Every list's entries, by how they are matched; each entry maps to a bit mask of the lists
    that hold it (ints, which the garbage collector does not track: the build takes seconds,
    not tens of seconds, for the 2.5 million entries shipped)."""

    def __init__(self, lists: Iterable[dict[str, Any]]) -> None:
        self.exact: dict[str, int] = {}
        self.domains: dict[str, int] = {}
        self.networks: dict[tuple[int, int, int], int] = {}
        self.prefixes: dict[int, set[int]] = {4: set(), 6: set()}
        self.regexes: list[tuple[int, re.Pattern[str]]] = []
        self.names: list[str] = []
        self.kinds: list[frozenset[str]] = []
        for number, wl in enumerate(lists):
            self.names.append(str(wl["name"]))
            self.kinds.append(_kinds_of(wl.get("matching_attributes")))
            self._add(number, str(wl["type"]), [str(entry).strip() for entry in wl["list"]])

    def _add(self, number: int, kind: str, entries: list[str]) -> None:
        bit = 1 << number
        if kind == "cidr":
            for entry in entries:
                net = _network(entry)
                if net is None:
                    self.exact[entry] = self.exact.get(entry, 0) | bit
                    continue
                self.networks[net] = self.networks.get(net, 0) | bit
                self.prefixes[net[0]].add(net[1])
        elif kind in ("hostname", "substring"):
            domains = self.domains
            for entry in entries:
                key = entry.lstrip(".").lower()
                domains[key] = domains.get(key, 0) | bit
        elif kind == "regex":
            self.regexes.extend((number, compiled) for compiled in map(_regex, entries)
                                if compiled is not None)
        else:
            exact = self.exact
            for entry in entries:
                exact[entry] = exact.get(entry, 0) | bit

    def lists_of(self, found: Observable) -> set[int]:
        """The lists (by number) that name this value, whatever their kinds."""
        mask = self.exact.get(found.value, 0)
        host = _host(found)
        if host:
            labels = host.split(".")
            for start in range(len(labels)):
                mask |= self.domains.get(".".join(labels[start:]), 0)
        if found.kind in ("ipv4-addr", "ipv6-addr"):
            mask |= self._containing(found.value)
        hits = {number for number in range(mask.bit_length()) if mask >> number & 1}
        hits.update(number for number, pattern in self.regexes
                    if found.kind in self.kinds[number] and pattern.search(found.value))
        return hits

    def _containing(self, value: str) -> int:
        net = _network(value)
        if net is None:
            return 0
        version, prefix, address = net
        width = 32 if version == 4 else 128
        mask = 0
        for length in self.prefixes[version]:
            if length <= prefix:
                masked = address >> (width - length) << (width - length)
                mask |= self.networks.get((version, length, masked), 0)
        return mask

    def warnings(self, found: Observable) -> list[Warning]:
        return [Warning(self.names[n], found.value) for n in sorted(self.lists_of(found))
                if found.kind in self.kinds[n]]


def _network(text: str) -> tuple[int, int, int] | None:
    """(IP version, prefix length, network address as an int), host bits cleared; None if the
    text is no address or network. `socket.inet_pton` is some ten times faster than
    `ipaddress` on the 120,000 ranges shipped."""
    address, _, length = text.partition("/")
    family, version, width = (socket.AF_INET6, 6, 128) if ":" in address \
        else (socket.AF_INET, 4, 32)
    try:
        number = int.from_bytes(socket.inet_pton(family, address), "big")
        prefix = int(length) if length else width
    except (OSError, ValueError):
        return None
    if not 0 <= prefix <= width:
        return None
    return version, prefix, number >> (width - prefix) << (width - prefix)


def _kinds_of(attributes: Any) -> frozenset[str]:
    if not attributes:
        return frozenset(_ATTRIBUTES)
    named = set(attributes)
    return frozenset(kind for kind, types in _ATTRIBUTES.items() if types & named)


def _regex(entry: str) -> re.Pattern[str] | None:
    """A MISP regex entry, `/pattern/flags` (PCRE; those Python cannot read are left out)."""
    body, flags = (entry[1:entry.rfind("/")], entry[entry.rfind("/") + 1:]) \
        if entry.startswith("/") and entry.rfind("/") > 0 else (entry, "")
    try:
        return re.compile(body, re.IGNORECASE if "i" in flags else 0)
    except re.error:
        return None


def _host(found: Observable) -> str | None:
    if found.kind == "domain-name":
        return found.value.lower()
    if found.kind == "url":
        try:
            return (urlsplit(found.value).hostname or "") or None
        except ValueError:
            return None
    if found.kind == "email-addr":
        return found.value.rpartition("@")[2].lower() or None
    return None


LARGEST_LIST_BYTES = 16_000_000
"""Lists whose JSON is larger are left out: the two top-million site lists (Tranco, Chrome UX
Report, 22 and 25 MB) are 2 of the 2.5 million entries shipped, and would cost every process
about 10 s and 500 MB at its first intake; the top 10k/20k site lists (Cisco Umbrella, Tranco
10k) and the 200k benign file hashes (10 MB) stay."""


def shipped_lists(largest: int = LARGEST_LIST_BYTES) -> list[dict[str, Any]]:
    """The lists shipped in the package's data whose JSON is at most `largest` bytes (read with
    orjson: the library's own loader, and its import, take seconds a process)."""
    from importlib.util import find_spec
    from pathlib import Path

    import orjson

    spec = find_spec("pymispwarninglists")  # found, not imported: importing it takes seconds
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pymispwarninglists is not installed (a dependency of kelisim)")
    package = Path(next(iter(spec.submodule_search_locations)))
    root = package / "data" / "misp-warninglists" / "lists"
    return [orjson.loads(path.read_bytes()) for path in sorted(root.glob("*/list.json"))
            if path.stat().st_size <= largest]


@cache
def warning_index() -> WarningIndex:
    """The shipped lists (`shipped_lists`), indexed once per process."""
    collecting = gc.isenabled()
    gc.disable()  # many strings, no cycles: collections would only slow the build
    try:
        return WarningIndex(shipped_lists())
    finally:
        if collecting:
            gc.enable()


@cache
def lists_version() -> str:
    """The version of the lists shipped, shown beside the warnings."""
    from importlib.metadata import version

    return f"pymispwarninglists {version('pymispwarninglists')}"


def warnings_for(values: Iterable[Observable]) -> list[Warning]:
    """What the warning lists say of these values: one warning per list and value, in order."""
    index = warning_index()
    return [warning for found in values for warning in index.warnings(found)]
