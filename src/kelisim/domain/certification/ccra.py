"""The layout of the Common Criteria certified products list, for export and for import.

The CCRA's list (one row per certificate, repeated once per maintenance report) is the shape in
which schemes already publish their registries, so a scheme's existing registry can be loaded
(Art. 3, direction 14: an agreed procedure presupposes a shared record). Columns and dates as the
list has them (MM/DD/YYYY). Where kelisim needs more than the list carries, trailing columns are
added in the *extended* layout (certificate number, version, expiry date, technical domain,
state); an import reads either layout.

Mapping decided in docs/decisions/0009-certification-dates.md: the *Archived Date* is the first day
the certificate is no longer on the valid list, i.e. its expiry date (or the day it was withdrawn
or expired early); the *Scheme* is the scheme's key (an import also accepts the Party's ISO code,
as the CCRA list writes "DE", "FR"); protection profiles are separated by "; ".
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kelisim.domain.certification.lifecycle import Certificate, CertState, issue_fields
from kelisim.domain.certification.schemes import CATEGORY_LABELS, Scheme
from kelisim.domain.errors import InvalidInput, KelisimError

COLUMNS = ("Category", "Name", "Manufacturer", "Scheme", "Assurance Level",
           "Protection Profile(s)", "Certification Date", "Archived Date",
           "Certification Report URL", "Security Target URL", "Maintenance Date",
           "Maintenance Title", "Maintenance Report", "Maintenance ST")
EXTENDED = ("Certificate Number", "Version", "Expiry Date", "Technical Domain", "State")
MAX_ERRORS = 50
PROFILE_SEPARATOR = "; "


def us_date(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def parse_us_date(raw: str, column: str) -> date:
    try:
        return datetime.strptime(raw.strip(), "%m/%d/%Y").date()
    except ValueError:
        raise InvalidInput(f"{column} must be a date as MM/DD/YYYY, not {raw!r}.") from None


def archived_on(cert: Certificate) -> date:
    ended = next((p.start for p in cert.periods
                  if p.state in (CertState.WITHDRAWN, CertState.EXPIRED)), None)
    return ended or cert.expires_on


def assurance_text(cert: Certificate, scheme: Scheme) -> str:
    first = scheme.documents[0].key if scheme.documents else None
    parts = [(r.document, " ".join([r.level + ("+" if r.augmentations else ""),
                                    *r.augmentations])) for r in cert.requirements]
    if len(parts) == 1 and parts[0][0] == first:
        return parts[0][1]
    return "; ".join(f"{doc}: {level}" for doc, level in parts)


def rows(cert: Certificate, scheme: Scheme, state: str, *, extended: bool) -> list[list[str]]:
    """The certificate's rows: one, or one per maintenance report."""
    urls = {d.kind: d.url or "" for d in reversed(cert.documents)}
    base = [CATEGORY_LABELS[cert.category], cert.product, cert.vendor, scheme.key,
            assurance_text(cert, scheme), PROFILE_SEPARATOR.join(cert.protection_profiles),
            us_date(cert.issued_on), us_date(archived_on(cert)),
            urls.get("certification_report", ""), urls.get("security_target", "")]
    extra = ([cert.number, cert.version or "", us_date(cert.expires_on),
              cert.technical_domain or "", state] if extended else [])
    maintenance = [[us_date(m.on), m.title,
                    next((d.url or "" for d in m.documents if d.kind == "maintenance_report"), ""),
                    next((d.url or "" for d in m.documents if d.kind == "maintenance_target"), "")]
                   for m in cert.maintenance] or [["", "", "", ""]]
    return [base + m + extra for m in maintenance]


@dataclass
class ImportedCertificate:
    line: int
    issue: dict[str, Any]
    maintenance: list[dict[str, Any]] = field(default_factory=list)


def parse_csv(text: str, scheme: Scheme, scheme_labels: Collection[str]) -> list[
        ImportedCertificate]:
    """Every certificate of a CCRA-layout CSV, or InvalidInput listing each bad line (all or
    nothing). Rows repeating a certificate (same number, or same name, manufacturer and date)
    add its maintenance reports."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput("The CSV is empty: line 1 must be the header.", line=1) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"Line 1: the header lacks the column(s) {', '.join(missing)}.",
                           line=1, errors=[{"line": 1, "reason": f"missing {missing}"}])
    index = {name: i for i, name in enumerate(header)}
    found: dict[str, ImportedCertificate] = {}
    errors: list[dict[str, Any]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            try:
                _add_row(found, line, _cells(row, index, header), scheme, scheme_labels)
            except KelisimError as error:
                errors.append({"line": line, "reason": error.reason})
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as error:
        errors.append({"line": reader.line_num, "reason": f"malformed CSV: {error}"})
    if errors:
        raise InvalidInput(f"{len(errors)} line(s) refused, nothing imported; first: line "
                           f"{errors[0]['line']}: {errors[0]['reason']}", errors=errors)
    if not found:
        raise InvalidInput("The CSV holds no certificate.")
    return list(found.values())


def _cells(row: list[str], index: dict[str, int], header: list[str]) -> dict[str, str]:
    if len(row) != len(header):
        raise InvalidInput(f"expected {len(header)} fields, found {len(row)}.")
    return {name: row[i].strip() for name, i in index.items()}


def _add_row(found: dict[str, ImportedCertificate], line: int, cells: dict[str, str],
             scheme: Scheme, labels: Collection[str]) -> None:
    if cells["Scheme"] not in labels:
        raise InvalidInput(f"Scheme {cells['Scheme']!r} is not the scheme imported into "
                           f"({scheme.key}).")
    issued = parse_us_date(cells["Certification Date"], "Certification Date")
    expiry_text = cells.get("Expiry Date") or cells["Archived Date"]
    if not expiry_text:
        raise InvalidInput("Archived Date (or Expiry Date) is required: it is the expiry.")
    expires = parse_us_date(expiry_text, "Expiry Date" if cells.get("Expiry Date")
                            else "Archived Date")
    number = cells.get("Certificate Number") or derived_number(scheme, cells)
    documents = [{"kind": kind, "title": column, "url": cells[column]}
                 for kind, column in (("certification_report", "Certification Report URL"),
                                      ("security_target", "Security Target URL"))
                 if cells[column]]
    raw = {"number": number, "product": cells["Name"], "vendor": cells["Manufacturer"],
           "version": cells.get("Version") or None, "category": cells["Category"],
           "technical_domain": cells.get("Technical Domain") or None,
           "requirements": parse_assurance(cells["Assurance Level"], scheme),
           "protection_profiles": [p.strip() for p in cells["Protection Profile(s)"].split(";")
                                   if p.strip()],
           "issued_on": issued.isoformat(), "expires_on": expires.isoformat(),
           "documents": documents}
    fields = issue_fields(raw, scheme)
    entry = found.get(number)
    if entry is None:
        entry = found[number] = ImportedCertificate(line, fields)
    elif entry.issue != fields:
        raise InvalidInput(f"certificate {number} already appears on line {entry.line} with "
                           "different details.")
    if cells["Maintenance Date"]:
        entry.maintenance.append(_maintenance(cells))


def _maintenance(cells: dict[str, str]) -> dict[str, Any]:
    on = parse_us_date(cells["Maintenance Date"], "Maintenance Date")
    documents = [{"kind": kind, "title": column, "url": cells[column]}
                 for kind, column in (("maintenance_report", "Maintenance Report"),
                                      ("maintenance_target", "Maintenance ST")) if cells[column]]
    return {"on": on.isoformat(), "title": cells["Maintenance Title"] or "Maintenance",
            "version": None, "documents": documents}


def parse_assurance(raw: str, scheme: Scheme) -> list[dict[str, Any]]:
    """"EAL4+ ALC_FLR.2" against the scheme's first document, or "DOC: LEVEL; DOC2: LEVEL"."""
    if not raw:
        raise InvalidInput("Assurance Level is required.")
    if not scheme.documents:
        raise InvalidInput(f"Scheme {scheme.key} certifies against no document.")
    pairs = ([tuple(p.split(":", 1)) for p in raw.split(";") if p.strip()] if ":" in raw
             else [(scheme.documents[0].key, raw)])
    found = []
    for document, text in pairs:
        text = text.strip()
        doc = scheme.document(document.strip())
        if doc is not None and doc.rank(text) is not None:
            found.append({"document": doc.key, "level": text, "augmentations": []})
            continue
        tokens = [t for t in re.split(r"[\s+,]+", text) if t]
        found.append({"document": document.strip(), "level": tokens[0] if tokens else "",
                      "augmentations": tokens[1:]})
    return found


def derived_number(scheme: Scheme, cells: dict[str, str]) -> str:
    """A stable number for a list that carries none (the CCRA list has no number column)."""
    key = "\x1f".join([scheme.key, cells["Name"], cells["Manufacturer"],
                       cells["Certification Date"]])
    return f"{scheme.key}-{hashlib.sha256(key.encode()).hexdigest()[:12].upper()}"


def write_csv(header: Iterable[str], body: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    writer.writerows(body)
    return buffer.getvalue()
