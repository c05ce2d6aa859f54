"""The STIX 2.1 object catalogue as data: kinds, required properties, property types.

Why a table: the rules of STIX 2.1 (OASIS Standard, 2021) §3 (common properties), §4 (SDOs),
§5 (SROs), §6 (SCOs), §7 (data markings, extension definitions, language content) are mostly
"type X requires properties A, B; property C is a timestamp; property D refers to objects of
types E". Writing them as data keeps `validation.py` short and lets each entry cite its section.
The JSON schemas that `stix2-validator` ships (cti-stix2-json-schemas) are the tie-breaker
where the prose and the schemas differ; deliberate differences are in docs/decisions/0003.

Kinds of property value (the first element of each entry):
  str, strs (non-empty list of strings), ts (timestamp), bool, int(min, max), num(min, max),
  ref(types) / refs(types) (identifiers; an empty ``types`` means any type, a leading ``!``
  means "any type but these"), kcp (kill-chain phases), dict (object), enum(values).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

__all__ = ["COMMON", "OBJECTS", "SCO_TYPES", "SDO_TYPES", "SRO_TYPES", "Spec"]

Spec = tuple[Any, ...]

SDO_TYPES = frozenset({
    "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
    "note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability",
})
SRO_TYPES = frozenset({"relationship", "sighting"})
META_TYPES = frozenset({"marking-definition", "extension-definition", "language-content"})
SCO_TYPES = frozenset({
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
    "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
    "software", "url", "user-account", "windows-registry-key", "x509-certificate",
})
# Types that relationships, sightings and language content may not point at (§5.1, §5.2, §7.1).
NOT_RELATABLE = ("!", "relationship", "sighting", "bundle", "marking-definition",
                 "language-content")
NOT_RELATABLE_REF: Spec = ("ref", NOT_RELATABLE)

STR: Spec = ("str",)
STRS: Spec = ("strs",)
TS: Spec = ("ts",)
BOOL: Spec = ("bool",)
KCP: Spec = ("kcp",)
ANY_REFS: Spec = ("refs", ())


def ref(*types: str) -> Spec:
    return ("ref", types)


def refs(*types: str) -> Spec:
    return ("refs", types)


# §3.2 common properties of SDOs, SROs and meta objects (what each may carry).
COMMON: MappingProxyType[str, Spec] = MappingProxyType({
    "created_by_ref": ref("identity"),
    "created": TS,
    "modified": TS,
    "revoked": BOOL,
    "labels": STRS,
    "confidence": ("int", 0, 100),
    "lang": ("lang",),
    "object_marking_refs": refs("marking-definition"),
    "granular_markings": ("granular",),
    "external_references": ("extrefs",),
    "extensions": ("extensions",),
    "defanged": BOOL,
})

_NAMED = {"name": STR, "description": STR, "aliases": STRS}
_SEEN = {"first_seen": TS, "last_seen": TS}


def _entry(section: str, required: tuple[str, ...], props: dict[str, Spec],
           order: tuple[tuple[str, str, str], ...] = ()) -> MappingProxyType[str, Any]:
    return MappingProxyType({"section": section, "required": required, "props": props,
                             "order": order})


_LAST_AFTER_FIRST = (("last_seen", ">=", "first_seen"),)

OBJECTS: MappingProxyType[str, MappingProxyType[str, Any]] = MappingProxyType({
    "attack-pattern": _entry("§4.1", ("name",), {**_NAMED, "kill_chain_phases": KCP}),
    "campaign": _entry("§4.2", ("name",), {**_NAMED, **_SEEN, "objective": STR},
                       _LAST_AFTER_FIRST),
    "course-of-action": _entry("§4.3", ("name",), {**_NAMED}),
    "grouping": _entry("§4.4", ("context", "object_refs"),
                       {**_NAMED, "context": STR, "object_refs": ANY_REFS}),
    "identity": _entry("§4.5", ("name",), {**_NAMED, "roles": STRS, "identity_class": STR,
                                           "sectors": STRS, "contact_information": STR}),
    "incident": _entry("§4.6", ("name",), {**_NAMED, "kill_chain_phases": KCP}),
    "indicator": _entry("§4.7", ("pattern", "pattern_type", "valid_from"), {
        **_NAMED, "indicator_types": STRS, "pattern": STR, "pattern_type": STR,
        "pattern_version": STR, "valid_from": TS, "valid_until": TS, "kill_chain_phases": KCP,
    }, (("valid_until", ">", "valid_from"),)),
    "infrastructure": _entry("§4.8", ("name",), {**_NAMED, **_SEEN, "infrastructure_types": STRS,
                                                 "kill_chain_phases": KCP}, _LAST_AFTER_FIRST),
    "intrusion-set": _entry("§4.9", ("name",), {**_NAMED, **_SEEN, "goals": STRS,
                                                "resource_level": STR, "primary_motivation": STR,
                                                "secondary_motivations": STRS},
                            _LAST_AFTER_FIRST),
    "location": _entry("§4.10", (), {
        "name": STR, "description": STR, "latitude": ("num", -90, 90),
        "longitude": ("num", -180, 180), "precision": ("num", None, None), "region": STR,
        "country": STR, "administrative_area": STR, "city": STR, "street_address": STR,
        "postal_code": STR}),
    "malware": _entry("§4.11", ("is_family",), {
        **_NAMED, **_SEEN, "is_family": BOOL, "malware_types": STRS, "kill_chain_phases": KCP,
        "operating_system_refs": refs("software"), "architecture_execution_envs": STRS,
        "implementation_languages": STRS, "capabilities": STRS, "sample_refs": STRS,
    }, _LAST_AFTER_FIRST),
    "malware-analysis": _entry("§4.12", ("product",), {
        "product": STR, "version": STR, "configuration_version": STR, "modules": STRS,
        "analysis_engine_version": STR, "analysis_definition_version": STR, "submitted": TS,
        "analysis_started": TS, "analysis_ended": TS, "result_name": STR, "result": STR,
        "host_vm_ref": ref("software"), "operating_system_ref": ref("software"),
        "installed_software_refs": refs("software"), "analysis_sco_refs": ANY_REFS,
        "sample_ref": ref("artifact", "file", "network-traffic")}),
    "note": _entry("§4.13", ("content", "object_refs"), {
        "abstract": STR, "content": STR, "authors": STRS, "object_refs": ANY_REFS}),
    "observed-data": _entry("§4.14", ("first_observed", "last_observed", "number_observed"), {
        "first_observed": TS, "last_observed": TS, "number_observed": ("int", 1, 999_999_999),
        "objects": ("dict",), "object_refs": ANY_REFS,
    }, (("last_observed", ">=", "first_observed"),)),
    "opinion": _entry("§4.15", ("object_refs", "opinion"), {
        "explanation": STR, "authors": STRS, "object_refs": ANY_REFS,
        "opinion": ("enum", ("strongly-disagree", "disagree", "neutral", "agree",
                             "strongly-agree"))}),
    "report": _entry("§4.16", ("name", "object_refs", "published"), {
        **_NAMED, "report_types": STRS, "published": TS, "object_refs": ANY_REFS}),
    "threat-actor": _entry("§4.17", ("name",), {
        **_NAMED, **_SEEN, "threat_actor_types": STRS, "roles": STRS, "goals": STRS,
        "sophistication": STR, "resource_level": STR, "primary_motivation": STR,
        "secondary_motivations": STRS, "personal_motivations": STRS}, _LAST_AFTER_FIRST),
    "tool": _entry("§4.18", ("name",), {**_NAMED, "tool_types": STRS, "kill_chain_phases": KCP,
                                        "tool_version": STR}),
    "vulnerability": _entry("§4.19", ("name",), {**_NAMED}),
    "relationship": _entry("§5.1", ("relationship_type", "source_ref", "target_ref"), {
        "relationship_type": ("reltype",), "description": STR, "source_ref": NOT_RELATABLE_REF,
        "target_ref": NOT_RELATABLE_REF, "start_time": TS, "stop_time": TS,
    }, (("stop_time", ">", "start_time"),)),
    "sighting": _entry("§5.2", ("sighting_of_ref",), {
        "description": STR, **_SEEN, "count": ("int", 0, 999_999_999),
        "sighting_of_ref": NOT_RELATABLE_REF, "observed_data_refs": refs("observed-data"),
        "where_sighted_refs": refs("identity", "location"), "summary": BOOL,
    }, _LAST_AFTER_FIRST),
    "language-content": _entry("§7.1", ("object_ref", "contents"), {
        "object_ref": ("ref", ("!", "bundle", "language-content")), "object_modified": TS,
        "contents": ("contents",)}),
    "extension-definition": _entry("§7.3", ("created_by_ref", "name", "schema", "version",
                                            "extension_types"), {
        "name": STR, "description": STR, "schema": STR, "version": STR,
        "extension_types": ("enums", ("new-sdo", "new-sco", "new-sro", "property-extension",
                                      "toplevel-property-extension")),
        "extension_properties": STRS}),
    "marking-definition": _entry("§7.2.1", (), {
        "name": STR, "definition_type": STR, "definition": ("dict",)}),
})

# §6 SCOs: required properties (one tuple = all of these; a set of tuples = any one of them).
SCO_REQUIRED: MappingProxyType[str, tuple[tuple[str, ...], ...]] = MappingProxyType({
    "autonomous-system": (("number",),), "directory": (("path",),),
    "domain-name": (("value",),), "email-addr": (("value",),),
    "email-message": (("is_multipart",),), "file": (("hashes",), ("name",)),
    "ipv4-addr": (("value",),), "ipv6-addr": (("value",),), "mac-addr": (("value",),),
    "mutex": (("name",),), "network-traffic": (("protocols", "src_ref"), ("protocols", "dst_ref")),
    "software": (("name",),), "url": (("value",),),
})

# §6 SCO property types (the common ones; other SCO properties are checked only by name).
_VALUE = {"value": STR}
# Value formats of the cti-stix2-json-schemas (verbatim, quirks included, to agree with them).
IPV4_RE = (
    '^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9]'
    '{2}|2[0-4][0-9]|25[0-5])(\\/(3[0-2]|[1-2][0-9]|[0-9]))?$'
)
IPV6_RE = (
    '^s*((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-'
    'Fa-f]{1,4}|((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3})|:)'
    ')|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){1,2})|:((25[0-5]|2[0-4]d|1dd|[1-9'
    ']?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3})|:))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa'
    '-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2'
    '[0-4]d|1dd|[1-9]?d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})'
    '|((:[0-9A-Fa-f]{1,4}){0,2}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|'
    '[1-9]?d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-F'
    'a-f]{1,4}){0,3}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3'
    '}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){'
    '0,4}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3}))|:))|(:('
    '((:[0-9A-Fa-f]{1,4}){1,7})|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]d|1dd|[1-9]'
    '?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3}))|:)))(%.+)?s*(\\/(12[0-8]|1[0-1][0-9]|[1-'
    '9][0-9]|[0-9]))?$'
)
MAC_RE = '^([0-9a-f]{2}[:]){5}([0-9a-f]{2})$'
HOSTNAME_RE = r"^(?=.{1,253}$)(?!-)[^\s.:/@\[\]]{1,63}(?<!-)(\.(?!-)[^\s.:/@\[\]]{1,63}(?<!-))*\.?$"
URI_RE = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$"

SCO_PROPS: MappingProxyType[str, dict[str, Spec]] = MappingProxyType({
    "autonomous-system": {"number": ("int", None, None), "name": STR, "rir": STR},
    "directory": {"path": STR, "path_enc": STR, "contains_refs": refs("file", "directory"),
                  "ctime": TS, "mtime": TS, "atime": TS},
    "domain-name": {"value": ("match", HOSTNAME_RE),
                    "resolves_to_refs": refs("ipv4-addr", "ipv6-addr", "domain-name")},
    "email-addr": {"value": ("match", r"^[^@]*@"), "display_name": STR,
                   "belongs_to_ref": ref("user-account")},
    "email-message": {"is_multipart": BOOL, "subject": STR, "body": STR},
    "file": {"hashes": ("hashes",), "size": ("int", 0, None), "name": STR, "name_enc": STR,
             "mime_type": STR, "parent_directory_ref": ref("directory"),
             "ctime": TS, "mtime": TS, "atime": TS, "contains_refs": ANY_REFS},
    "ipv4-addr": {"value": ("match", IPV4_RE), "resolves_to_refs": refs("mac-addr"),
                  "belongs_to_refs": refs("autonomous-system")},
    "ipv6-addr": {"value": ("match", IPV6_RE), "resolves_to_refs": refs("mac-addr"),
                  "belongs_to_refs": refs("autonomous-system")},
    "mac-addr": {"value": ("match", MAC_RE)},
    "mutex": {"name": STR},
    "network-traffic": {"protocols": STRS,
                        "src_ref": ref("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
                        "dst_ref": ref("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
                        "src_port": ("int", 0, 65535), "dst_port": ("int", 0, 65535),
                        "start": TS, "end": TS, "is_active": BOOL,
                        "src_byte_count": ("int", 0, None), "dst_byte_count": ("int", 0, None),
                        "src_packets": ("int", 0, None), "dst_packets": ("int", 0, None),
                        "ipfix": ("dict",), "src_payload_ref": ref("artifact"),
                        "dst_payload_ref": ref("artifact"),
                        "encapsulates_refs": refs("network-traffic"),
                        "encapsulated_by_ref": ref("network-traffic")},
    "software": {"name": STR, "cpe": STR, "vendor": STR, "version": STR, "swid": STR},
    "url": {"value": ("match", URI_RE)},
})
