"""Suricata rules from observable values (issue 16, item 6): what a sensor of an authorized body
loads to alert on the indicators it may read.

Which values make rules (Suricata 7 rule keywords):
- IPv4/IPv6 addresses and networks: `alert ip any any <> ADDRESS any` (either direction);
- domain names: a DNS query (`dns.query`) and a TLS SNI (`tls.sni`) of the name or any name
  under it (`dotprefix; content:".name"; endswith`);
- URLs: an HTTP request to the host (`http.host`, lower-case as Suricata normalizes it) whose
  URI starts with the URL's path and query (`http.uri`).
Not exported, and why (counted in the trailer of an export):
- file hashes (MD5, SHA-1, SHA-256): Suricata matches them only through list files
  (`filemd5:`/`filesha1:`/`filesha256:` name a file of hashes), not inside a rule; SHA-512 not
  at all;
- e-mail addresses and file names: no sticky buffer matches them reliably in every protocol.

Each rule carries its marking: `msg` starts with the TLP (`TLP:AMBER`) and `metadata` holds
`tlp`, the producer Party and the indicator's id. Its `sid` is a function of the rule's kind and
value alone (stable across exports, one per value: two indicators with the same value make one
rule), in the range 1,000,000,000-2,999,999,999 kept for local rules here. Content is escaped:
`"`, `;`, `\\`, `|` and every byte outside printable ASCII are written as hex (`|3B|`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["NOT_EXPORTED", "RuleFor", "content", "rules_for", "sid_of"]

SID_BASE = 1_000_000_000
SID_SPAN = 2_000_000_000
NOT_EXPORTED: dict[str, str] = {
    "MD5": "Suricata matches file hashes only through hash list files (filemd5)",
    "SHA-1": "Suricata matches file hashes only through hash list files (filesha1)",
    "SHA-256": "Suricata matches file hashes only through hash list files (filesha256)",
    "SHA-512": "Suricata has no SHA-512 file matching",
    "email-addr": "no Suricata buffer matches an e-mail address in every protocol",
    "file-name": "no Suricata buffer matches a file name in every protocol",
}
_PLAIN = frozenset(range(0x20, 0x7F)) - {ord(c) for c in '";\\|'}


@dataclass(frozen=True)
class RuleFor:
    """What a rule is about: the indicator, its marking and its producer."""

    indicator_id: str
    tlp: str | None
    producer: str | None


def sid_of(variant: str, value: str) -> int:
    digest = hashlib.blake2b(f"{variant}\x00{value}".encode(), digest_size=8).digest()
    return SID_BASE + int.from_bytes(digest, "big") % SID_SPAN


def content(text: str) -> str:
    """A `content` string: printable ASCII as is, the rest (and `";\\|`) as |hex|."""
    out: list[str] = []
    run: list[str] = []
    for byte in text.encode():
        if byte in _PLAIN:
            if run:
                out.append("|" + " ".join(run) + "|")
                run = []
            out.append(chr(byte))
        else:
            run.append(f"{byte:02X}")
    if run:
        out.append("|" + " ".join(run) + "|")
    return "".join(out)


def rules_for(kind: str, value: str, about: RuleFor) -> list[tuple[int, str]]:
    """(sid, rule) for one normalized observable value; [] for a kind not exported."""
    if kind in ("ipv4-addr", "ipv6-addr"):
        return [_rule("ip", value, about, "ip any any <> " + _address(value) + " any", "")]
    if kind == "domain-name":
        name = content("." + value.lower())
        return [_rule(proto, value, about, f"{proto} any any -> any any",
                      f"{buffer}; dotprefix; content:\"{name}\"; nocase; endswith; ")
                for proto, buffer in (("dns", "dns.query"), ("tls", "tls.sni"))]
    if kind == "url":
        return _url(value, about)
    return []


def _address(value: str) -> str:
    return f"[{value}]"


def _url(value: str, about: RuleFor) -> list[tuple[int, str]]:
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return []
    if not host:
        return []
    uri = parts.path or "/"
    if parts.query:
        uri += "?" + parts.query
    body = f"http.host; content:\"{content(host.lower())}\"; bsize:{len(host.encode())}; "
    if uri != "/":
        body += f"http.uri; content:\"{content(uri)}\"; startswith; "
    return [_rule("http", value, about, "http any any -> any any", body)]


def _rule(variant: str, value: str, about: RuleFor, header: str, body: str) -> tuple[int, str]:
    sid = sid_of(variant, value)
    tlp = f"TLP:{about.tlp.upper()}" if about.tlp else "TLP:none"
    metadata = f"tlp {(about.tlp or 'none').replace('+', '_')}, kelisim_indicator " \
               f"{about.indicator_id}"
    if about.producer:
        metadata += f", producer {about.producer}"
    msg = f"kelisim {tlp} {variant} indicator {about.indicator_id}"
    return sid, (f"alert {header} (msg:\"{content(msg)}\"; {body}"
                 f"metadata:{metadata}; sid:{sid}; rev:1;)")
