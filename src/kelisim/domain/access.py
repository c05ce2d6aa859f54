"""Who may do what: the one place access is decided, so it can be tested as a table.

Each action names the article that gives rise to it. The HTTP API, the web UI and the CLI ask
`require(principal, action, party=...)` and never decide on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kelisim.domain import exchange_policy as policy
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import N_, Message, PermissionDenied
from kelisim.domain.treaty import PartyState


class Action(StrEnum):
    READ_STATUS = "read_status"
    READ_AGREEMENT = "read_agreement"
    READ_LEDGER = "read_ledger"
    RECORD_INSTRUMENT = "record_instrument"
    MANAGE_ACCOUNTS = "manage_accounts"
    REQUEST_NODE_ADMISSION = "request_node_admission"
    ADMIT_NODE = "admit_node"
    READ_FEDERATION = "read_federation"
    READ_WORKSPACE = "read_workspace"
    ACT_IN_WORKSPACE = "act_in_workspace"
    LAUNCH_CONTACT_CHECK = "launch_contact_check"


ALL_ROLES = frozenset(Role)

POLICY: dict[Action, frozenset[Role]] = {
    # Status and the text of the Agreement are for anyone with an account (issue: "anyone with
    # an account asks the status").
    Action.READ_STATUS: ALL_ROLES,
    Action.READ_AGREEMENT: ALL_ROLES,
    Action.READ_LEDGER: ALL_ROLES,
    # Art. 13-15: instruments are received by the depositary alone.
    Action.RECORD_INSTRUMENT: frozenset({Role.DEPOSITARY}),
    # The depositary creates any account; a party-admin creates accounts of its own Party.
    Action.MANAGE_ACCOUNTS: frozenset({Role.DEPOSITARY, Role.PARTY_ADMIN}),
    # Issue 14 item 1: a node is admitted by its Party's party-admin (who asks) and by the
    # depositary (who signs the roster), never by itself.
    Action.REQUEST_NODE_ADMISSION: frozenset({Role.PARTY_ADMIN}),
    Action.ADMIT_NODE: frozenset({Role.DEPOSITARY}),
    # Issue 14 items 7-8: what left the node and what arrived are for its Party's party-admin
    # (and the depositary's operators); analysts read the objects, not the border's record.
    Action.READ_FEDERATION: frozenset({Role.DEPOSITARY, Role.PARTY_ADMIN}),
    # Issue 15, Art. 4, 5, 7: the workspace is read by every account (the depositary's staff
    # follow the cooperation); a Party acts in it through its body's party-admin or analyst,
    # for its own Party only (proposing, joining, consenting, recording its costs).
    Action.READ_WORKSPACE: ALL_ROLES,
    Action.ACT_IN_WORKSPACE: frozenset({Role.PARTY_ADMIN, Role.ANALYST}),
    # Issue 15 item 9, Art. 8, 9: a communication check of the points of contact is launched
    # by the depositary (which keeps the list of authorized bodies, Art. 8) or by a Party's
    # authorized body (whose exchange it keeps working, Art. 9).
    Action.LAUNCH_CONTACT_CHECK: frozenset({Role.DEPOSITARY, Role.PARTY_ADMIN, Role.ANALYST}),
}

REASONS: dict[Action, str] = {  # N_: translated where shown (domain/errors.py, Message)
    Action.RECORD_INSTRUMENT: N_("Only the depositary records instruments (Art. 13-15)."),
    Action.MANAGE_ACCOUNTS: N_("Only the depositary or a Party's party-admin manages accounts."),
    Action.REQUEST_NODE_ADMISSION: N_("A node's admission is asked by its Party's party-admin "
                                      "(issue 14)."),
    Action.ADMIT_NODE: N_("Only the depositary admits a node to the roster (issue 14)."),
    Action.READ_FEDERATION: N_("The federation's record is for party-admins and the "
                               "depositary (Art. 3, direction 7)."),
    Action.ACT_IN_WORKSPACE: N_("A Party acts in the cooperation workspace through its "
                                "authorized body's party-admin or analyst, for its own Party "
                                "only (Art. 4)."),
    Action.LAUNCH_CONTACT_CHECK: N_("A communication check is launched by the depositary or by "
                                    "a party-admin or analyst of a Party's authorized body "
                                    "(Art. 8, Art. 9)."),
}
ARTICLES: dict[Action, str] = {Action.ACT_IN_WORKSPACE: "Art. 4",
                               Action.LAUNCH_CONTACT_CHECK: "Art. 8, 9"}


PARTY_SCOPED = frozenset({Action.MANAGE_ACCOUNTS, Action.REQUEST_NODE_ADMISSION,
                          Action.READ_FEDERATION})
"""Actions a party-admin takes for its own Party only."""

OWN_PARTY_ONLY = frozenset({Action.ACT_IN_WORKSPACE})
"""Actions every allowed role takes for its own Party only."""


def allowed(principal: Principal, action: Action, *, party: str | None = None) -> bool:
    if principal.role not in POLICY[action]:
        return False
    if action in PARTY_SCOPED and principal.role is Role.PARTY_ADMIN:
        return party is not None and party == principal.party
    if action in OWN_PARTY_ONLY:
        return (party is not None and party == principal.party
                and principal.organization_kind is OrganizationKind.AUTHORIZED_BODY)
    return True


def require(principal: Principal, action: Action, *, party: str | None = None) -> None:
    if not allowed(principal, action, party=party):
        template = REASONS.get(action, N_("Your role ({role}) may not {action}."))
        if action is Action.MANAGE_ACCOUNTS and principal.role is Role.PARTY_ADMIN:
            template = N_("A party-admin manages accounts of its own Party ({party}) only.")
        if action is Action.REQUEST_NODE_ADMISSION and principal.role is Role.PARTY_ADMIN:
            template = N_("A party-admin asks admission for its own Party's node ({party}) "
                          "only.")
        reason = Message(template, role=principal.role.value, action=action.value,
                         party=principal.party)
        raise PermissionDenied(reason, action=action.value, article=ARTICLES.get(action))


# --- disputes (Art. 12) --------------------------------------------------------------------------
# Art. 12: disputes are settled by consultations and negotiations *of the Parties concerned*. The
# Agreement gives no other Party and not the depositary a part in them (Art. 15 names the
# depositary's functions: it keeps the original and the instruments), so a dispute is theirs:
# every account of a concerned Party's authorized body sees all of it; anyone else sees nothing
# (not even that it exists) until every Party concerned consented to share, and then only the
# subject, the articles, the Parties concerned and the outcome, never the log.


class DisputeView(StrEnum):
    FULL = "full"  # the subject, the log, the sharing consents, the outcome
    SHARED = "shared"  # the subject, the articles, the Parties concerned, the outcome
    NONE = "none"  # nothing: reads answer "not found"


def dispute_view(principal: Principal, concerned: frozenset[str], shared: bool) -> DisputeView:
    """What `principal` sees of a dispute between the `concerned` Parties (Art. 12); `shared`:
    every Party concerned consented to share it."""
    if (principal.party in concerned
            and principal.organization_kind is OrganizationKind.AUTHORIZED_BODY):
        return DisputeView.FULL
    return DisputeView.SHARED if shared else DisputeView.NONE


# --- who may create which kind of account -------------------------------------------------------
# The depositary (and the local operator, the CLI on the server) creates any account the domain
# admits (domain/accounts.py, ROLES_OF_KIND). A party-admin creates accounts of its own Party's
# authorized body only: a certification body is appointed by the Party under its scheme
# (Art. 3, direction 14) and registered by the depositary, never minted by the exchange's admin.

PARTY_ADMIN_CREATES: frozenset[Role] = frozenset({Role.PARTY_ADMIN, Role.ANALYST, Role.READER})


@dataclass(frozen=True)
class Decision:
    """An access verdict with the reason a refused person can act on."""

    allowed: bool
    reason: str | Message = ""
    article: str | None = None

    def enforce(self, action: str) -> None:
        if not self.allowed:
            raise PermissionDenied(self.reason, action=action, article=self.article)


def may_create_account(creator: Principal | None, new_role: Role,
                       organization_kind: OrganizationKind, party: str | None) -> Decision:
    """Whether `creator` (None: the local operator) may create an account of `new_role` in an
    organization of `organization_kind` belonging to `party`."""
    if creator is None or creator.role is Role.DEPOSITARY:
        return Decision(True)
    if creator.role is not Role.PARTY_ADMIN:
        return Decision(False, Message(REASONS[Action.MANAGE_ACCOUNTS]))
    if party is None or party != creator.party:
        return Decision(False, Message(
            N_("A party-admin manages accounts of its own Party ({party}) only."),
            party=creator.party))
    if (organization_kind is not OrganizationKind.AUTHORIZED_BODY
            or new_role not in PARTY_ADMIN_CREATES):
        roles = ", ".join(sorted(r.value for r in PARTY_ADMIN_CREATES))
        return Decision(False, Message(
            N_("A party-admin creates accounts of its Party's authorized body only (roles: "
               "{roles}); certification-body and depositary accounts are created by the "
               "depositary."), roles=roles), article="Art. 3 (direction 14)")
    return Decision(True)


def creatable_roles(creator: Principal | None) -> tuple[Role, ...]:
    """The roles `creator` may give a new account of some kind, for forms to offer."""
    return tuple(role for role in Role if any(
        may_create_account(creator, role, kind, _party_for(creator, kind)).allowed
        for kind in OrganizationKind))


def _party_for(creator: Principal | None, kind: OrganizationKind) -> str | None:
    if kind is OrganizationKind.DEPOSITARY:
        return None
    return creator.party if creator is not None and creator.party else "ANY"


# --- the exchange between authorized bodies (Art. 6, 9; TAXII 2.1) ------------------------------
# Object-level visibility is decided by `domain.exchange_policy` (tested as a table); the actions
# below are the account-level gates in front of it, kept here so that access stays in one place.


class ExchangeAction(StrEnum):
    READ_OBJECTS = "exchange_read_objects"
    ADD_OBJECTS = "exchange_add_objects"
    DELETE_OBJECTS = "exchange_delete_objects"
    MANAGE_COLLECTIONS = "exchange_manage_collections"
    READ_AUDIT = "exchange_read_audit"


EXCHANGE_REASONS: dict[ExchangeAction, str] = {
    ExchangeAction.READ_OBJECTS: "Only authorized bodies of Parties bound by the Agreement today "
                                 "(and the depositary, for open information) read the exchange.",
    ExchangeAction.ADD_OBJECTS: "Only analysts and party-admins of authorized bodies of Parties "
                                "bound by the Agreement today post to the exchange.",
    ExchangeAction.DELETE_OBJECTS: "Only analysts and party-admins of the producing Party, bound "
                                   "by the Agreement today, delete its objects.",
    ExchangeAction.MANAGE_COLLECTIONS: "Collections are managed by the depositary, or by a "
                                       "party-admin for its own Party's collections.",
    ExchangeAction.READ_AUDIT: "A Party's party-admin reads the audit of reads of its own data.",
}


def exchange_allowed(principal: Principal, action: ExchangeAction,
                     party_state: PartyState | None, *, party: str | None = None) -> bool:
    """Account-level gate of the exchange; `party_state` is the caller's Party's state today,
    `party` the Party that owns the thing acted on (a collection, an audit trail)."""
    reader = policy.Reader.of(principal, party_state)
    if action is ExchangeAction.READ_OBJECTS:
        return policy.scope(reader).kind is not policy.ScopeKind.NOTHING
    if action in (ExchangeAction.ADD_OBJECTS, ExchangeAction.DELETE_OBJECTS):
        return policy.may_write(reader)
    if principal.role is Role.DEPOSITARY:
        return action is ExchangeAction.MANAGE_COLLECTIONS
    return (principal.role is Role.PARTY_ADMIN and policy.is_bound(reader.party_state)
            and party is not None and party == principal.party)


def require_exchange(principal: Principal, action: ExchangeAction,
                     party_state: PartyState | None, *, party: str | None = None) -> None:
    if not exchange_allowed(principal, action, party_state, party=party):
        raise PermissionDenied(EXCHANGE_REASONS[action], action=action.value, article="Art. 6")


# --- the certification registry (Art. 2; Art. 3, direction 14) ----------------------------------
# A certification body records only for its own Party's schemes; recognition arrangements are the
# recognising Party's (its party-admin) to record. The depositary's account — the node operator's
# console — may record both on a Party's behalf (e.g. loading a scheme's existing registry).
# Reading (verification, search, export, the change feed, the ledger) is for every account; what
# anyone *without* an account sees is each scheme's own choice (`Scheme.public_fields`).


class CertificationAction(StrEnum):
    RECORD_CERTIFICATES = "certification_record_certificates"
    RECORD_ARRANGEMENTS = "certification_record_arrangements"
    READ = "certification_read"


CERTIFICATION_REASONS: dict[CertificationAction, str] = {
    CertificationAction.RECORD_CERTIFICATES: "A certification body (role certifier) records "
                                             "schemes and certificates of its own Party only.",
    CertificationAction.RECORD_ARRANGEMENTS: "Recognition arrangements are recorded by the "
                                             "recognising Party's party-admin or the depositary.",
    CertificationAction.READ: "Your account may not read the certification registry.",
}


def certification_allowed(principal: Principal, action: CertificationAction, *,
                          party: str | None = None) -> bool:
    """`party` is the Party of the scheme recorded for, or the recognising Party."""
    if action is CertificationAction.READ or principal.role is Role.DEPOSITARY:
        return True
    own = party is not None and party == principal.party
    if action is CertificationAction.RECORD_CERTIFICATES:
        return principal.role is Role.CERTIFIER and own
    return principal.role is Role.PARTY_ADMIN and own


def require_certification(principal: Principal, action: CertificationAction, *,
                          party: str | None = None) -> None:
    if not certification_allowed(principal, action, party=party):
        reason = CERTIFICATION_REASONS[action]
        if principal.party and party and party != principal.party:
            reason += f" Your account belongs to {principal.party}, not {party}."
        raise PermissionDenied(reason, action=action.value, article="Art. 3 (direction 14)")
