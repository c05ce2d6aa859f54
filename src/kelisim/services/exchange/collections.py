"""TAXII collections: who may read and write each, decided for the caller on today's date.

A collection is owned by a Party (its party-admin manages it) or by the depositary. Its read and
write rules name Parties (None: every Party bound by the Agreement). Whether an account may read
or write at all is asked of `domain.access` / `domain.exchange_policy` with its Party's state on
the day of the request, so a withdrawal takes effect without anyone editing a collection.
A collection the caller may neither read, write nor manage is reported exactly like one that does
not exist (TAXII 2.1 section 5.2; Art. 6: no side door).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, exchange_allowed, require_exchange
from kelisim.domain.accounts import Principal, Role
from kelisim.domain.errors import Conflict, InvalidInput, NotFound
from kelisim.domain.inputs import storable, stored_text
from kelisim.domain.treaty import PartyState
from kelisim.services.participation import party_state_on
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.unit_of_work import UnitOfWork

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
NOT_FOUND = "No such collection is visible to this account (TAXII 2.1 section 5.2)."


@dataclass(frozen=True)
class CollectionView:
    id: str
    title: str
    description: str | None
    alias: str | None
    owner_party: str | None
    read_parties: frozenset[str] | None
    write_parties: frozenset[str] | None
    can_read: bool
    can_write: bool
    can_manage: bool

    def taxii(self) -> dict[str, Any]:
        """The collection resource (TAXII 2.1 section 5.2.1)."""
        body: dict[str, Any] = {"id": self.id, "title": self.title, "can_read": self.can_read,
                                "can_write": self.can_write, "media_types": [STIX_MEDIA_TYPE]}
        if self.description:
            body["description"] = self.description
        if self.alias:
            body["alias"] = self.alias
        return body

    def admin(self) -> dict[str, Any]:
        return {**self.taxii(), "owner_party": self.owner_party,
                "read_parties": _listed(self.read_parties),
                "write_parties": _listed(self.write_parties)}


def state_today(rt: Runtime, principal: Principal,
                uow: UnitOfWork | None = None) -> PartyState | None:
    if principal.party is None:
        return None
    return party_state_on(rt, principal.party, rt.clock().date(), uow)


def reader_today(rt: Runtime, principal: Principal) -> policy.Reader:
    return policy.Reader.of(principal, state_today(rt, principal))


def view(row: dict[str, Any], principal: Principal, state: PartyState | None) -> CollectionView:
    reads, writes = parsed_parties(row["read_parties"]), parsed_parties(row["write_parties"])
    reader = policy.Reader.of(principal, state)
    # The depositary is no Party, so a read list never names it: it reads (open information
    # only) in collections open to every Party, never in one a Party keeps to a list
    # (docs/decisions/0012-depositary-and-read-lists.md).
    can_read = (exchange_allowed(principal, ExchangeAction.READ_OBJECTS, state)
                and policy.collection_allows(principal.party, reads))
    can_write = policy.may_write(reader) and policy.collection_allows(principal.party, writes)
    can_manage = exchange_allowed(principal, ExchangeAction.MANAGE_COLLECTIONS, state,
                                  party=row["owner_party"])
    return CollectionView(row["id"], row["title"], row["description"], row["alias"],
                          row["owner_party"], reads, writes, can_read, can_write, can_manage)


def reader_scope(rt: Runtime, principal: Principal, uow: UnitOfWork
                  ) -> tuple[PartyState | None, policy.Scope, list[str]]:
    """The reader's Party's state today, what it may see, and the collections it may read
    (PermissionDenied for an account that may not read the exchange at all, as every read).
    The scope of every read across collections: correlation, exports."""
    state = state_today(rt, principal, uow)
    require_exchange(principal, ExchangeAction.READ_OBJECTS, state)
    reach = policy.scope(policy.Reader.of(principal, state))
    rows = ExchangeRecords(uow.connection).collections()
    return state, reach, [row["id"] for row in rows if view(row, principal, state).can_read]


def list_collections(rt: Runtime, principal: Principal) -> list[CollectionView]:
    state = state_today(rt, principal)
    with rt.unit_of_work() as uow:
        rows = ExchangeRecords(uow.connection).collections()
    views = [view(row, principal, state) for row in rows]
    return [v for v in views if v.can_read or v.can_write or v.can_manage]


def find_collection(rt: Runtime, principal: Principal, key: str) -> CollectionView:
    with rt.unit_of_work() as uow:
        return find_in(uow, principal, key, state_today(rt, principal, uow))


def find_in(uow: UnitOfWork, principal: Principal, key: str,
            state: PartyState | None) -> CollectionView:
    """`find_collection` inside a unit of work the caller holds, with the caller's state of
    today already asked (the hot read path asks once per request)."""
    row = ExchangeRecords(uow.connection).collection(key) if storable(key) else None
    return found_view(row, principal, state)


def found_view(row: dict[str, Any] | None, principal: Principal,
               state: PartyState | None) -> CollectionView:
    """The caller's view of a collection row already fetched; NotFound for no row and for a
    collection the caller may neither read, write nor manage (the same answer)."""
    if row is None:
        raise NotFound(NOT_FOUND)
    found = view(row, principal, state)
    if not (found.can_read or found.can_write or found.can_manage):
        raise NotFound(NOT_FOUND)
    return found


def create_collection(rt: Runtime, principal: Principal, *, title: str,
                      description: str | None = None, alias: str | None = None,
                      owner_party: str | None = None, read_parties: list[str] | None = None,
                      write_parties: list[str] | None = None) -> CollectionView:
    """Create a collection (the depositary for anyone; a party-admin for its own Party).

    An alias, when given, is a non-empty name no other collection has as alias or id (TAXII 2.1
    section 5.2.1): taken is a Conflict, checked before the write and, for two creations at once,
    by the database's unique index.
    """
    owner = owner_party.upper() if owner_party else None
    if principal.role is Role.PARTY_ADMIN and owner is None:
        owner = principal.party
    require_exchange(principal, ExchangeAction.MANAGE_COLLECTIONS, state_today(rt, principal),
                     party=owner)
    title, alias = checked_text(title, description, alias)
    collection_id = str(uuid.uuid4())
    with rt.unit_of_work() as uow:
        records = ExchangeRecords(uow.connection)
        known = uow.reference.states()
        for party in [*(read_parties or []), *(write_parties or []), *([owner] if owner else [])]:
            if party.upper() not in known:
                raise NotFound(f"{party} is not a state kelisim knows.", field="parties")
        if alias and records.collection(alias) is not None:
            raise Conflict(f"The alias {alias!r} is taken.", field="alias")
        added = records.add_collection(
            id=collection_id, title=title, description=description, alias=alias,
            owner_party=owner, read_parties=stored_parties(read_parties),
            write_parties=stored_parties(write_parties), created_at=rt.clock(),
            created_by=principal.account_id or None)
        if not added:  # another creation took the alias since it was checked
            raise Conflict(f"The alias {alias!r} is taken.", field="alias")
        uow.commit()
    return find_collection(rt, principal, collection_id)


def checked_text(title: str, description: str | None,
                 alias: str | None) -> tuple[str, str | None]:
    """The title and alias to store (stripped), or InvalidInput: empty, too long for the
    columns (300, 100 characters), or with a character no database stores (domain/inputs.py)."""
    for name, value in (("title", title), ("description", description), ("alias", alias)):
        stored_text(value or "", name)
    title = title.strip()
    if not title or len(title) > 300:
        raise InvalidInput("A collection needs a title of 1-300 characters.", field="title")
    if alias is not None:
        alias = alias.strip()
        if not alias or len(alias) > 100:
            raise InvalidInput("An alias, when given, has 1-100 characters (TAXII 2.1 section "
                               "5.2.1); omit it for none.", field="alias")
    return title, alias


def grant(rt: Runtime, principal: Principal, key: str, *, read_parties: list[str] | None,
          write_parties: list[str] | None) -> CollectionView:
    """Replace a collection's read and write rules (None: every bound Party)."""
    found = find_collection(rt, principal, key)
    require_exchange(principal, ExchangeAction.MANAGE_COLLECTIONS, state_today(rt, principal),
                     party=found.owner_party)
    with rt.unit_of_work() as uow:
        known = uow.reference.states()
        for party in [*(read_parties or []), *(write_parties or [])]:
            if party.upper() not in known:
                raise NotFound(f"{party} is not a state kelisim knows.", field="parties")
        ExchangeRecords(uow.connection).update_collection(
            found.id, read_parties=stored_parties(read_parties),
            write_parties=stored_parties(write_parties))
        uow.commit()
    return find_collection(rt, principal, found.id)


def stored_parties(parties: list[str] | None) -> str | None:
    """A read or write list as the collection's column holds it (`|KAZ|RUS|`; None: all)."""
    if parties is None:
        return None
    return "|" + "|".join(sorted({p.strip().upper() for p in parties if p.strip()})) + "|"


def parsed_parties(stored: str | None) -> frozenset[str] | None:
    if stored is None:
        return None
    return frozenset(p for p in stored.split("|") if p)


def _listed(parties: frozenset[str] | None) -> list[str] | str:
    return "every bound Party" if parties is None else sorted(parties)
