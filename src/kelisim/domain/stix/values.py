"""Checks of single STIX 2.1 property values (STIX 2.1 §2 data types, §3 common properties).

Why a module of its own: the per-object rules (`validation.py`, `rules.py`) share these checks
of identifiers, timestamps, lists, external references, markings and extensions. Each returns
None or a short problem; the caller adds the property name and the section.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from kelisim.domain.stix.spec import Spec

Problems = list[str]

TYPE_RE = re.compile(r"^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?\Z")
ID_RE = re.compile(r"^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}"
                   r"-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\Z")
TS_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])"
                   r":([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z\Z")
MILLIS_RE = re.compile(r"T\d{2}:\d{2}:\d{2}\.\d{3,}Z\Z")
PROPERTY_RE = re.compile(r"^[a-z][a-z0-9_]{2}|id\Z")
BIN_RE = re.compile(r"^[a-z][a-z0-9_]{0,245}_bin\Z")
HEX_RE = re.compile(r"^[a-z][a-z0-9_]{0,245}_hex\Z")
BASE64_RE = re.compile(r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|"
                       r"[A-Za-z0-9+/]{2}==)\Z")
HEXVAL_RE = re.compile(r"^([a-fA-F0-9]{2})+\Z")
EXT_NAME_RE = re.compile(r"^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext\Z")
EXT_DEF_RE = re.compile(r"^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]"
                        r"{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\Z")
SELECTOR_RE = re.compile(r"^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)\Z")
RELTYPE_RE = re.compile(r"^[a-z0-9\-]+\Z")
OBS_TYPE_RE = re.compile(r"^\-?[a-z0-9]+(-[a-z0-9]+)*\-?\Z")
OBS_PROP_RE = re.compile(r"^[a-z0-9_]{3,250}\Z")
CVE_RE = re.compile(r"^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})\Z")
CAPEC_RE = re.compile(r"^CAPEC-\d+\Z")
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*\Z")
EXTENSION_TYPES = frozenset({"new-sdo", "new-sco", "new-sro", "property-extension",
                             "toplevel-property-extension"})


def names_and_values(obj: dict[str, Any], out: Problems, where: str) -> None:
    """§3.1 property names (3-250 of a-z 0-9 _), and no null or empty-list values (§3.3)."""
    for key, value in obj.items():
        if not isinstance(key, str):
            continue
        valid, is_bin, is_hex = _name_kind(key)
        if not valid:
            out.append(f"{key!r}: not a valid property name (STIX 2.1 §3.1)")
            continue
        if value is None or value == []:
            out.append(f"{key}: must not be null or an empty list (STIX 2.1 §3.3) [{where}]")
        elif is_bin and not (isinstance(value, str) and BASE64_RE.match(value)):
            out.append(f"{key}: must be base64 binary (STIX 2.1 §2.2)")
        elif is_hex and not (isinstance(value, str) and HEXVAL_RE.match(value)):
            out.append(f"{key}: must be hex (STIX 2.1 §2.6)")


@lru_cache(maxsize=4096)
def _name_kind(key: str) -> tuple[bool, bool, bool]:
    """(valid name, a *_bin name, a *_hex name): property names recur in every object."""
    is_bin, is_hex = BIN_RE.match(key) is not None, HEX_RE.match(key) is not None
    return bool(PROPERTY_RE.search(key)) or is_bin or is_hex, is_bin, is_hex


def check(name: str, spec: Spec, value: Any, out: Problems, section: str) -> None:
    problem = _CHECKS[spec[0]](spec, value)
    if problem:
        out.append(f"{name}: {problem} (STIX 2.1 {section})")


@cache
def _regex(source: str) -> re.Pattern[str]:
    return re.compile(source)


def is_ts(value: Any) -> bool:
    """An RFC 3339 UTC timestamp of a real calendar instant (§2.11); cached, they recur."""
    return isinstance(value, str) and _is_ts(value)


@lru_cache(maxsize=65_536)
def _is_ts(value: str) -> bool:
    m = TS_RE.match(value)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def ref_problem(types: tuple[str, ...], value: Any) -> str | None:
    if not isinstance(value, str) or not ID_RE.match(value):
        return "must be an identifier '<type>--<UUID>'"
    target = value.split("--", 1)[0]
    if types and types[0] == "!":
        if target in types[1:]:
            return f"may not refer to a {target}"
    elif types and target not in types:
        return f"must refer to a {' or '.join(types)}"
    return None


def _refs_problem(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of identifiers"
    for item in value:
        problem = ref_problem(spec[1], item)
        if problem:
            return problem
    return None


def _number(spec: Spec, value: Any, integer: bool) -> str | None:
    # A whole number written with a fraction (50.0) is an integer to JSON Schema (2020-12),
    # and so to stix2-validator.
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            (integer and isinstance(value, float) and not value.is_integer()):
        return "must be an integer" if integer else "must be a number"
    low, high = spec[1], spec[2]
    if (low is not None and value < low) or (high is not None and value > high):
        return f"must be between {low} and {high}"
    return None


HASH_KEY_RE = re.compile(r"^[a-zA-Z0-9_-]{3,250}\Z")
HASH_VALUE_RES = {name: re.compile(rx) for name, rx in {
    "MD5": r"^[a-fA-F0-9]{32}\Z", "SHA-1": r"^[a-fA-F0-9]{40}\Z", "SHA-256": r"^[a-fA-F0-9]{64}\Z",
    "SHA-512": r"^[a-fA-F0-9]{128}\Z", "SHA3-256": r"^[a-fA-F0-9]{64}\Z",
    "SHA3-512": r"^[a-fA-F0-9]{128}\Z", "SSDEEP": r"^[a-zA-Z0-9/+:.]{1,128}\Z",
    "TLSH": r"^[a-zA-Z0-9]{70}\Z"}.items()}
"""The hash algorithms of the STIX 2.1 vocabulary and the form of their values, as the
official schema (`common/hashes-type.json`) gives them."""
URI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+\Z")


def hashes_problem(value: Any) -> str | None:
    """§2.7: a non-empty dictionary of algorithm -> value; a vocabulary algorithm's value has
    its digest's form (an MD5 of 'zz' is no indicator of anything)."""
    if not isinstance(value, dict) or not value:
        return "must be a dictionary of hash algorithm -> value (§2.7)"
    for key, digest in value.items():
        if not HASH_KEY_RE.match(key) or not isinstance(digest, str):
            return f"{key[:40]!r}: keys are 3-250 of a-z A-Z 0-9 _ -, values strings (§2.7)"
        form = HASH_VALUE_RES.get(key)
        if form is not None and not form.match(digest):
            return f"{key}: {digest[:20]!r} is not the form of a {key} digest (§2.7, §10.7)"
    return None


def _kcp(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(
        isinstance(p, dict) and isinstance(p.get("kill_chain_name"), str)
        and isinstance(p.get("phase_name"), str) for p in value
    ):
        return "must be a non-empty list of {kill_chain_name, phase_name} (§2.8)"
    return None


def _granular(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of granular markings (§7.2.3)"
    for item in value:
        if not isinstance(item, dict):
            return "each granular marking is an object (§7.2.3)"
        selectors = item.get("selectors")
        if not isinstance(selectors, list) or not selectors or not all(
                isinstance(s, str) and SELECTOR_RE.match(s) for s in selectors):
            return "selectors must be a non-empty list of valid selectors (§7.2.3.1)"
        if ref_problem(("marking-definition",), item.get("marking_ref")):
            return "marking_ref must refer to a marking-definition (§7.2.3)"
        if "lang" in item and not isinstance(item["lang"], str):
            return "lang must be a string (§7.2.3)"
    return None


def _extrefs(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of external references (§2.5)"
    for ref in value:
        if not isinstance(ref, dict) or not isinstance(ref.get("source_name"), str):
            return "each external reference needs a source_name (§2.5)"
        source, external_id = ref["source_name"], ref.get("external_id")
        if any(k in ref and not isinstance(ref[k], str)
               for k in ("description", "url", "external_id")):
            return "description, url and external_id are strings (§2.5)"
        if "hashes" in ref and (problem := hashes_problem(ref["hashes"])):
            return f"hashes {problem}"
        if "url" in ref and not URI_RE.match(ref["url"]):
            return "url must be a URI (§2.5)"
        if source in ("cve", "capec"):
            rx = CVE_RE if source == "cve" else CAPEC_RE
            if not (isinstance(external_id, str) and rx.match(external_id)):
                return f"a {source} reference needs a valid external_id (§2.5)"
        elif isinstance(external_id, str) and (CVE_RE.match(external_id)
                                               or CAPEC_RE.match(external_id)):
            return "a CVE or CAPEC external_id needs source_name cve or capec (§2.5)"
        elif not any(k in ref for k in ("external_id", "description", "url")):
            return "needs one of external_id, description or url (§2.5)"
    return None


def _extensions(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a non-empty dictionary (§7.3)"
    for key, ext in value.items():
        by_def = EXT_DEF_RE.match(key)
        if not (by_def or EXT_NAME_RE.match(key)) or not isinstance(ext, dict) or not ext:
            return f"{key!r} is not a valid extension (§7.3)"
        if by_def and ext.get("extension_type") not in EXTENSION_TYPES:
            return f"{key}: extension_type missing or unknown (§7.3)"
        inner: Problems = []
        names_and_values(ext, inner, "§7.3")
        if inner:
            return f"{key}: {inner[0]}"
    return None


def _contents(spec: Spec, value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a non-empty dictionary of language -> properties (§7.1)"
    for lang, props in value.items():
        if not LANG_RE.match(lang) or not isinstance(props, dict) or not props:
            return f"{lang!r} must be an RFC 5646 language code mapping to properties (§7.1)"
        if not all(OBS_PROP_RE.match(k) for k in props):
            return f"{lang}: keys must be property names (§7.1)"
    return None


_CHECKS: dict[str, Callable[[Spec, Any], str | None]] = {
    "str": lambda s, v: None if isinstance(v, str) else "must be a string",
    "strs": lambda s, v: None if isinstance(v, list) and v and all(isinstance(x, str) for x in v)
    else "must be a non-empty list of strings",
    "ts": lambda s, v: None if is_ts(v) else "must be an RFC 3339 timestamp ending in Z",
    "bool": lambda s, v: None if isinstance(v, bool) else "must be true or false",
    "int": lambda s, v: _number(s, v, True),
    "num": lambda s, v: _number(s, v, False),
    "ref": lambda s, v: ref_problem(s[1], v),
    "refs": _refs_problem,
    "dict": lambda s, v: None if isinstance(v, dict) and v else "must be a non-empty object",
    "enum": lambda s, v: None if v in s[1] else f"must be one of {', '.join(s[1])}",
    "enums": lambda s, v: None if isinstance(v, list) and v and all(
        isinstance(x, str) and x in s[1] for x in v) else f"must be a list of {', '.join(s[1])}",
    "kcp": _kcp,
    "match": lambda s, v: None if isinstance(v, str) and _regex(s[1]).match(v)
    else "is not in the format the spec gives (§6)",
    "hashes": lambda s, v: hashes_problem(v),
    "granular": _granular,
    "extrefs": _extrefs,
    "extensions": _extensions,
    "contents": _contents,
    "lang": lambda s, v: None if isinstance(v, str) and LANG_RE.match(v)
    else "must be an RFC 5646 language tag such as kk or ru-KZ",
    "reltype": lambda s, v: None if isinstance(v, str) and RELTYPE_RE.match(v)
    else "must be lowercase a-z, 0-9 and '-'",
}


def order(obj: dict[str, Any], first: str, op: str, second: str, out: Problems,
           section: str) -> None:
    a, b = obj.get(first), obj.get(second)
    if not (isinstance(a, str) and isinstance(b, str) and is_ts(a) and is_ts(b)):
        return
    ka, kb = _ts_key(a), _ts_key(b)
    if (op == ">=" and ka < kb) or (op == ">" and ka <= kb):
        word = "later than or equal to" if op == ">=" else "later than"
        out.append(f"{first}: must be {word} {second} (STIX 2.1 {section})")


def _ts_key(value: str) -> tuple[str, str]:
    fraction = value[20:-1] if len(value) > 20 else ""
    return value[:19], fraction.ljust(12, "0")
