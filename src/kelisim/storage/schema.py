"""The whole schema, in one place. Alembic migrations create exactly these tables.

The depositary's ledger keeps each entry's canonical JSON body and hash verbatim (the chain is
over those bytes); the few indexed columns beside it are derived from the body, for queries.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

agreements = Table(
    "agreements", metadata,
    Column("key", String(64), primary_key=True),
    Column("titles", JSON, nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("place", JSON, nullable=False),
    Column("depositary", JSON, nullable=False),
    Column("preamble_kk", Text, nullable=False),
    Column("signature_blocks", JSON, nullable=False),
)

articles = Table(
    "articles", metadata,
    Column("agreement_key", String(64), ForeignKey("agreements.key"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("text_kk", Text, nullable=False),
    Column("titles", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
)

glossary_terms = Table(
    "glossary_terms", metadata,
    Column("agreement_key", String(64), ForeignKey("agreements.key"), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("texts", JSON, nullable=False),
)

states = Table(
    "states", metadata,
    Column("code", String(3), primary_key=True),
    Column("names", JSON, nullable=False),
    Column("cis_periods", JSON, nullable=False),
    Column("in_signature_blocks", Boolean, nullable=False),
)

ledger_entries = Table(
    "ledger_entries", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("party", String(3), nullable=True),
    Column("event_date", Date, nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("recorded_by", Integer, nullable=True),
    Index(None, "party"),
)

ledger_heads = Table(
    "ledger_heads", metadata,
    Column("chain", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("organization_kind", String(40), nullable=False),
    Column("party", String(3), nullable=True),
    Column("organization", String(300), nullable=True),
    Column("token_id", String(32), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    # Web UI sign-in (migration 0004): an argon2id hash; NULL means no password, token only.
    Column("password_hash", String(200), nullable=True),
)


# --- Web UI sessions (migration 0004) -----------------------------------------------------------
# Server-side sessions: the cookie carries a random id (signed); only its SHA-256 is stored, so a
# copy of the database opens no session. Signing out or expiry deletes the row.

ui_sessions = Table(
    "ui_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id"),
)

# Sign-in attempts of the last minute (migration 0007), shared by every server process: `bucket`
# is the SHA-256 of what is throttled (an account, a client address), never the name itself.
# Rows older than the window are deleted as attempts come in, and the table is capped.
ui_signin_attempts = Table(
    "ui_signin_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bucket", String(64), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Index(None, "bucket", "attempted_at"),
    Index(None, "attempted_at"),
)


# --- The exchange between authorized bodies (TAXII 2.1 / STIX 2.1; Art. 6, 9) ------------------
# Objects are kept as the JSON posted (re-serialized once, never re-modelled) beside indexed
# columns derived at intake. `date_added` is microseconds since the epoch, strictly increasing per
# collection (the collection row holds the last one and is the intake lock), so it is both the
# TAXII date_added and the keyset cursor. `tlp_gate`/`restricted_gate`/`open_access` are the
# compiled Art. 6 policy (domain.exchange_policy.gates) that SQL filters by reader.

exchange_collections = Table(
    "exchange_collections", metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=True),
    Column("alias", String(100), nullable=True, unique=True),
    Column("owner_party", String(3), nullable=True),
    Column("read_parties", Text, nullable=True),
    Column("write_parties", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Integer, nullable=True),
    Column("last_added", BigInteger, nullable=False),
)

exchange_objects = Table(
    "exchange_objects", metadata,
    Column("collection_id", String(36), ForeignKey("exchange_collections.id"),
           primary_key=True),
    Column("date_added", BigInteger, primary_key=True, autoincrement=False),
    Column("stix_id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(10), nullable=False),
    Column("version", String(27), nullable=False),
    Column("producer_party", String(3), nullable=True),
    Column("producer_account", Integer, nullable=True),
    Column("tlp", String(16), nullable=True),
    Column("restricted_owner", String(3), nullable=True),
    Column("tlp_gate", Text, nullable=True),
    Column("restricted_gate", Text, nullable=True),
    Column("open_access", Boolean, nullable=False),
    Column("threat_class", String(40), nullable=True),
    Column("directions", String(120), nullable=True),
    Column("raw", LargeBinary, nullable=False),
    # A later version of this object is stored in the collection (whoever may see it): the
    # latest version a reader may see is then found without probing the index for each row.
    Column("superseded", Boolean, nullable=False, server_default=false()),
    # A STIX object is versioned by its creator only (STIX 2.1 section 3.6): each producing
    # Party's versions of an id are a chain of their own, so another Party's post of the same
    # (id, version) neither collides with nor reveals the first (Art. 6; decision 0005).
    # producer_party is NULL only for what the node itself publishes, under the intake's lock.
    Index("ix_exchange_objects_producer_versions", "collection_id", "stix_id",
          "producer_party", "version", unique=True),
    Index(None, "collection_id", "type", "date_added"),
    Index(None, "collection_id", "threat_class", "date_added"),
)

exchange_observables = Table(
    # The correlation index (issue 16, item 1; docs/decisions/0013): one row per observable
    # value of each stored object version (`domain.stix.observables`), written with the version
    # in the same transaction and deleted with it. The version's Art. 6 gates are copied, so a
    # correlation is filtered by the reader's scope in SQL exactly as the reads are
    # (`storage.exchange_objects.visibility`).
    "exchange_observables", metadata,
    Column("collection_id", String(36), primary_key=True),
    Column("date_added", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), primary_key=True),
    Column("value", Text, primary_key=True),
    Column("stix_id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("version", String(27), nullable=False),
    Column("producer_party", String(3), nullable=True),
    Column("restricted_owner", String(3), nullable=True),
    Column("tlp_gate", Text, nullable=True),
    Column("restricted_gate", Text, nullable=True),
    Column("open_access", Boolean, nullable=False),
    # Searched by: the registered domain of a domain name, URL host or e-mail domain, and an IP
    # address's or network's range as fixed-width text ('4'/'6' then hex) that sorts as numbers.
    Column("registered", String(253), nullable=True),
    Column("ip_low", String(33).with_variant(String(33, collation="C"), "postgresql"),
           nullable=True),
    Column("ip_high", String(33).with_variant(String(33, collation="C"), "postgresql"),
           nullable=True),
    # The match columns, then the page key: a lookup walks its value's rows in page order
    # and stops at the page's end (migration 0023).
    Index(None, "kind", "value", "collection_id", "stix_id"),
    Index(None, "registered", "collection_id", "stix_id"),
    Index(None, "ip_low", "ip_high", "collection_id", "stix_id"),
    Index(None, "collection_id", "stix_id"),
)

exchange_references = Table(
    # The references index (issue 16, items 2 and 10; docs/decisions/0016): one row per `*_ref`
    # or `*_refs` value of each stored object version (`domain.stix.references`), written and
    # deleted with the version, with its Art. 6 gates copied like the correlation index's. It
    # answers "what refers to this object" (the graph) and "its sightings": a sighting's facts
    # ride on its `sighting_of_ref` row, so a summary reads no JSON.
    "exchange_references", metadata,
    Column("collection_id", String(36), primary_key=True),
    Column("date_added", BigInteger, primary_key=True, autoincrement=False),
    Column("property", String(250), primary_key=True),
    Column("ref", String(300), primary_key=True),
    Column("stix_id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("version", String(27), nullable=False),
    Column("producer_party", String(3), nullable=True),
    Column("restricted_owner", String(3), nullable=True),
    Column("tlp_gate", Text, nullable=True),
    Column("restricted_gate", Text, nullable=True),
    Column("open_access", Boolean, nullable=False),
    Column("first_seen", String(27), nullable=True),
    Column("last_seen", String(27), nullable=True),
    Column("count", Integer, nullable=True),
    Column("sighting_type", String(16), nullable=True),
    Index(None, "ref", "property"),
    Index(None, "collection_id", "stix_id"),
)

exchange_search = Table(
    # The full-text index (issue 16, item 3; docs/decisions/0018): one row per stored object
    # version, written with the version in the same transaction and deleted with it.
    # `document` is the version's searched text as `domain.search_text` folds and splits it
    # (tokens joined by spaces). SQLite searches it through the FTS5 table `SEARCH_FTS`
    # (external content, kept by triggers; created by migration 0013, not declared here);
    # PostgreSQL through `terms`, the tsvector of the same tokens with their positions, under
    # a GIN index (NULL on SQLite, where that index is therefore empty).
    "exchange_search", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("collection_id", String(36), nullable=False),
    Column("date_added", BigInteger, nullable=False),
    Column("document", Text, nullable=False),
    Column("terms", Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
    Index(None, "collection_id", "date_added", unique=True),
    Index(None, "terms", postgresql_using="gin", sqlite_where=text("terms IS NOT NULL")),
)
SEARCH_FTS = "exchange_search_fts"
IP_ROWS_IN_PAGE_ORDER = "ix_exchange_observables_ip_rows_in_page_order"
"""PostgreSQL only (migration 0026): the correlation index's IP rows by page key, with their
range as the dense walk compares it (`ip_low || ''`); on SQLite that walk reads the page key."""
UNDECLARED_PREFIXES = (SEARCH_FTS, IP_ROWS_IN_PAGE_ORDER)
"""Tables of SQLite's FTS5 (the virtual table and its shadow tables) and PostgreSQL's index of
the IP rows, which the migrations create and which no Core table declares (an index on
expressions, on one database only)."""


def declared(name: str | None) -> bool:
    """Whether a table or index the database holds is one this module declares (for
    comparisons)."""
    return not (name or "").startswith(UNDECLARED_PREFIXES)


def compared(name: str | None, kind: str, _parents: object = None) -> bool:
    """Alembic's `include_name`: every object but the undeclared tables and indexes."""
    return kind not in ("table", "index") or declared(name)


exchange_tombstones = Table(
    "exchange_tombstones", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("collection_id", String(36), ForeignKey("exchange_collections.id"), nullable=False),
    Column("stix_id", String(300), nullable=False),
    Column("version", String(27), nullable=False),
    Column("producer_party", String(3), nullable=True),
    # NULL: a received copy, deleted at its origin's node or purged here (migration 0028)
    Column("deleted_by", Integer, nullable=True),
    Column("deleted_at", DateTime(timezone=True), nullable=False),
    # The deleted version's compiled Art. 6 policy (migration 0009), so that a tombstone is
    # listed to exactly the readers who could read the version (`visibility`), and its reads
    # of restricted-access information are audited like the version's were.
    Column("restricted_owner", String(3), nullable=True),
    Column("tlp_gate", Text, nullable=True),
    Column("restricted_gate", Text, nullable=True),
    Column("open_access", Boolean, nullable=False, server_default=false()),
    Index(None, "collection_id", "stix_id"),
)

exchange_statuses = Table(
    "exchange_statuses", metadata,
    Column("id", String(36), primary_key=True),
    Column("collection_id", String(36), ForeignKey("exchange_collections.id"), nullable=False),
    Column("account_id", Integer, nullable=False),
    Column("party", String(3), nullable=True),
    Column("request_timestamp", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("success_count", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("successes", JSON, nullable=False),
    Column("failures", JSON, nullable=False),
    Column("pendings", JSON, nullable=False),
)

exchange_jobs = Table(
    "exchange_jobs", metadata,
    Column("status_id", String(36), ForeignKey("exchange_statuses.id"), primary_key=True),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("envelope", LargeBinary, nullable=False),
)

exchange_audit = Table(
    "exchange_audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("account_id", Integer, nullable=False),
    Column("party", String(3), nullable=True),
    Column("owners", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("hash", String(64), nullable=False),
)

exchange_secrets = Table(
    "exchange_secrets", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

# --- The certification registry (Art. 2; Art. 3, direction 14; migration 0003) -----------------
# `cert_ledger_entries` is the hash-chained, append-only record of schemes, arrangements and every
# certificate lifecycle event (its head is the `certification` row of `ledger_heads`). Everything
# else in this section is a projection derived from it by replay and rebuildable at any time:
# schemes, arrangements, certificates as they stand (with their validity periods, requirement
# levels and search terms, for fast filtering), plus the documents' bytes by SHA-256.

cert_ledger_entries = Table(
    "cert_ledger_entries", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("scheme", String(64), nullable=True),
    Column("number", String(120), nullable=True),
    Column("event_date", Date, nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("recorded_by", Integer, nullable=True),
    Index(None, "number"),
    Index(None, "recorded_at"),
)

cert_schemes = Table(
    "cert_schemes", metadata,
    Column("key", String(64), primary_key=True),
    Column("party", String(3), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("body", JSON, nullable=False),
    Column("seq", Integer, nullable=False),
    Index(None, "party"),
)

cert_arrangements = Table(
    "cert_arrangements", metadata,
    Column("key", String(64), primary_key=True),
    Column("recognising_scheme", String(64), ForeignKey("cert_schemes.key"), nullable=False),
    Column("recognising_party", String(3), nullable=False),
    Column("recognised_scheme", String(64), ForeignKey("cert_schemes.key"), nullable=False),
    Column("recognised_party", String(3), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("body", JSON, nullable=False),
    Column("seq", Integer, nullable=False),
    Index(None, "recognising_party", "recognised_scheme"),
    Index(None, "recognised_scheme"),
)

certificates = Table(
    "certificates", metadata,
    Column("number", String(120), primary_key=True),
    Column("scheme", String(64), ForeignKey("cert_schemes.key"), nullable=False),
    Column("party", String(3), nullable=False),
    Column("product", String(300), nullable=False),
    Column("vendor", String(300), nullable=False),
    Column("vendor_key", String(300), nullable=False),
    Column("version", String(100), nullable=True),
    Column("category", String(40), nullable=False),
    Column("technical_domain", String(100), nullable=True),
    Column("issued_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("sort_key", String(300), nullable=False),
    Column("body", JSON, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index(None, "sort_key", "number"),
    Index(None, "scheme", "sort_key", "number"),
    Index(None, "party", "sort_key", "number"),
    Index(None, "category", "sort_key", "number"),
    Index(None, "vendor_key"),
)

certificate_requirements = Table(
    "certificate_requirements", metadata,
    Column("number", String(120), ForeignKey("certificates.number"), primary_key=True),
    Column("document", String(64), primary_key=True),
    Column("level", String(100), nullable=False),
    Column("rank", Integer, nullable=False),
    Index(None, "document", "rank"),
)

certificate_periods = Table(
    "certificate_periods", metadata,
    Column("number", String(120), ForeignKey("certificates.number"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("state", String(20), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
)

certificate_terms = Table(
    "certificate_terms", metadata,
    # Prefix search is a range scan (term >= w AND term < prefix_end(w)): byte order is needed,
    # whatever the database's default collation.
    Column("term", String(80).with_variant(String(80, collation="C"), "postgresql"),
           primary_key=True),
    Column("number", String(120), ForeignKey("certificates.number"), primary_key=True),
    Index(None, "number"),
)

certificate_documents = Table(
    "certificate_documents", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

# --- the federation of nodes (issue 14, docs/decisions/0014-federation.md) ----------------------

federation_node = Table(
    "federation_node", metadata,
    # One row: who this node is. Its private key is a file (data folder or KELISIM_NODE_KEY_FILE).
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("party", String(3), nullable=True),  # None: the depositary's node
    Column("url", String(500), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("descriptor", JSON, nullable=False),
    Column("depositary_key", String(64), nullable=True),  # the trust anchor of a Party's node
    Column("depositary_url", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

federation_rosters = Table(
    "federation_rosters", metadata,
    Column("serial", Integer, primary_key=True, autoincrement=False),
    Column("signed", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

federation_admissions = Table(
    "federation_admissions", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("party", String(3), nullable=False),
    Column("descriptor", JSON, nullable=False),
    Column("requested_by", Integer, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decision", String(10), nullable=True),
    Column("decided_by", Integer, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

federation_checkpoints = Table(
    "federation_checkpoints", metadata,
    # Signed checkpoints of the depositary's ledger this node has verified or been shown.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("head", String(64), nullable=False),
    Column("signed", JSON, nullable=False),
    Column("source", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index(None, "size"),
)

federation_cosignatures = Table(
    "federation_cosignatures", metadata,
    Column("witness_key", String(64), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("cosignature", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

federation_split_views = Table(
    "federation_split_views", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
)

federation_peers = Table(
    "federation_peers", metadata,
    # This node's side of its link with each peer Party's node.
    Column("party", String(3), primary_key=True),
    Column("marks", JSON, nullable=False),  # {collection id: [date_added, tombstone id]} sent
    Column("pulled_through", BigInteger, nullable=False),  # their transfers to us applied
    Column("pulled_head", String(64), nullable=False),
    Column("last_contact", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_pull_lag", Float, nullable=True),
)

federation_sent = Table(
    "federation_sent", metadata,
    # The last snapshot of each object sent to each peer (domain.federation.replication.Sent).
    Column("peer", String(3), primary_key=True),
    Column("collection_id", String(36), primary_key=True),
    Column("stix_id", String(300), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("versions", JSON, nullable=False),
)

federation_transfer_log = Table(
    "federation_transfer_log", metadata,
    # Hash chains: `transfers:<peer>` (what left this node) and `arrivals:<origin>` (what came).
    Column("chain", String(40), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("hash", String(64), nullable=False),
)

federation_receipts = Table(
    "federation_receipts", metadata,
    Column("chain", String(40), primary_key=True),
    Column("through", BigInteger, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("receipt", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

federation_copies = Table(
    "federation_copies", metadata,
    # What this node holds of another node's object: its snapshot, with the origin's signatures.
    Column("origin_party", String(3), primary_key=True),
    Column("collection_id", String(36), primary_key=True),
    Column("stix_id", String(300), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("versions", JSON, nullable=False),
    Column("origin_key", String(64), nullable=False),
    Column("signature", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

federation_quarantine = Table(
    "federation_quarantine", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("peer", String(3), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("item", LargeBinary, nullable=False),
)

# --- the cooperation workspace (issue 15; docs/decisions/0015-workspace.md) ---------------------
# The events are the record (append-only, guarded by triggers); `workspace_projects` is a
# projection for lists, rebuilt from a project's events in the transaction that appends one.

workspace_events = Table(
    "workspace_events", metadata,
    Column("id", String(36), primary_key=True),  # uuid4, global across nodes
    Column("record_id", String(36), nullable=False),  # the program or project
    Column("position", Integer, nullable=False),  # order within the record, from 1
    Column("kind", String(40), nullable=False),
    Column("origin_party", String(3), nullable=False),
    Column("actor_account", Integer, nullable=True),
    Column("actor_name", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", JSON, nullable=False),
    # the workspace's order of commits (migration 0020; decision 0025): drawn from the
    # `workspace_counters` row "events" by the transaction that appends, whose row lock holds
    # the next writer until commit, so a committed seq is never passed by an earlier one (the
    # notification pass's cursor relies on it). Nullable only for the ALTER on SQLite.
    Column("seq", BigInteger, nullable=True),
    Index("uq_workspace_events_record_id_position", "record_id", "position", unique=True),
    # each kind's list reads the records' first events, newest first (migration 0019)
    Index("ix_workspace_events_kind_position_at", "kind", "position", "at"),
    Index("uq_workspace_events_seq", "seq", unique=True),
)

workspace_counters = Table(
    # migration 0020: "events" is the last seq given to a workspace event
    "workspace_counters", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

workspace_projects = Table(
    "workspace_projects", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("title", String(500), nullable=False),
    Column("lead_party", String(3), nullable=False),
    Column("origin_party", String(3), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("last_position", Integer, nullable=False),
    Column("parties", JSON, nullable=False),  # every Party that ever joined
    # the fold of the first `snapshot_position` events (domain/workspace/project_snapshot.py;
    # migration 0024): a cache rebuilt from the events, never the record
    Column("snapshot", JSON, nullable=True),
    Column("snapshot_position", Integer, nullable=True),
    Index("ix_workspace_projects_proposed_at", "proposed_at"),
)

# The deadlines the daily deadline pass may tell of (migration 0025; decision 0025, "Indexed
# deadlines"): a project's stages not completed whose current revision has a consent, a
# consultation's follow-up actions not done (`domain/workspace/notices.py` `kept_*`), rewritten
# in the transaction that appends an event changing them; a cache of the events, never the
# record. The pass reads the rows due within 7 days or past, by `due`.
workspace_deadlines = Table(
    "workspace_deadlines", metadata,
    Column("record_id", String(36), primary_key=True),  # the project or consultation
    Column("item_id", String(36), primary_key=True),  # the stage or follow-up action
    Column("record_kind", String(12), nullable=False),  # "project" or "consultation"
    Column("due", Date, nullable=False),
    Index("ix_workspace_deadlines_due", "due"),
)

# --- documents circulated for comment (issue 15 item 3; docs/decisions/0024) -------------------
# The events stay in `workspace_events`; this is the projection a project's list reads (with the
# Art. 6 audience, so that a restricted document is filtered before it is shown). The files are
# on disk under data_dir/documents by SHA-256 (storage/document_files.py).

workspace_documents = Table(
    "workspace_documents", metadata,
    Column("id", String(36), primary_key=True),  # uuid4, global across nodes
    Column("project_id", String(36), nullable=False),
    Column("title", String(500), nullable=False),
    Column("language", String(2), nullable=False),
    Column("origin_party", String(3), nullable=False),
    Column("restricted_to", JSON, nullable=True),  # None: open; else the named Parties
    Column("circulated", Boolean, nullable=False),
    Column("adopted", Boolean, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_position", Integer, nullable=False),
    # the Parties that agreed the current version (migration 0027): the list tells agreed from
    # circulated without folding the document; None on rows made before it (folded instead)
    Column("agreed_by", JSON, nullable=True),
    Index("ix_workspace_documents_project_id", "project_id", "created_at"),
)

# --- subscriptions and notifications (issue 16, item 8; issue 15, item 10; migration 0016;
# docs/decisions/0022-subscriptions-and-notifications.md) ---------------------------------------
# Every table but the cursor is append-only (guarded by triggers): a subscription is removed by
# a removal row, a notification is read by a read row, a delivery's progress is its attempts.
# `notification_cursors` is the matcher's position in each collection (its last date_added
# looked at), moved forward by a compare-and-set in the transaction that writes what it found.

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", String(36), primary_key=True),  # uuid4, global across nodes
    Column("account_id", Integer, nullable=False),
    Column("origin_party", String(3), nullable=True),  # the subscriber's Party
    Column("name", String(200), nullable=False),
    Column("filter", JSON, nullable=False),
    Column("language", String(2), nullable=False),  # of its e-mail
    Column("email", String(320), nullable=True),
    Column("webhook_url", Text, nullable=True),
    # AES-GCM under a node key (services/notifications/secrets.py); shown once, at creation
    Column("webhook_secret", LargeBinary, nullable=True),
    # each collection's last date_added when it was created: only later versions are news
    Column("start", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id"),
)

subscription_removals = Table(
    "subscription_removals", metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("removed_by", Integer, nullable=False),
    Column("origin_party", String(3), nullable=True),  # the remover's Party
    Column("removed_at", DateTime(timezone=True), nullable=False),
)

notifications = Table(
    "notifications", metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("origin_party", String(3), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("subscription_id", String(36), nullable=True),
    Column("collection_id", String(36), nullable=True),
    Column("stix_id", String(300), nullable=True),
    Column("object_type", String(250), nullable=True),
    Column("version", String(27), nullable=True),
    Column("date_added", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seq", BigInteger, nullable=False),  # the account's order, newest highest
    # workspace notices (migration 0020; decision 0025): the record, the UI path to it, a few
    # facts that are never restricted (a deadline, the acting Party), and the key that makes
    # each notice once per account (an event id, or a deadline's item and threshold)
    Column("record_id", String(36), nullable=True),
    Column("path", String(300), nullable=True),
    Column("facts", JSON, nullable=True),
    Column("dedupe", String(200), nullable=True),
    Index(None, "account_id", "seq", unique=True),
    Index(None, "subscription_id", "collection_id", "date_added", unique=True),
    Index(None, "account_id", "dedupe", unique=True),
)

notification_reads = Table(
    "notification_reads", metadata,
    Column("notification_id", String(36), primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("origin_party", String(3), nullable=True),  # the reader's Party
    Column("read_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id"),
)

notification_deliveries = Table(
    "notification_deliveries", metadata,
    Column("id", String(36), primary_key=True),
    Column("notification_id", String(36), nullable=False),
    Column("channel", String(10), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # the address or URL at the time
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "notification_id"),
)

notification_attempts = Table(
    "notification_attempts", metadata,
    Column("id", String(36), primary_key=True),
    Column("delivery_id", String(36), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False),  # sent | failed | abandoned
    Column("detail", Text, nullable=True),
    Index(None, "delivery_id", "attempt", unique=True),
)

notification_cursors = Table(
    # also "workspace:events" (the workspace pass's last seq) and "workspace:deadlines" (the
    # ordinal of the day the deadline pass last ran), migration 0020
    "notification_cursors", metadata,
    Column("collection_id", String(36), primary_key=True),
    Column("last_added", BigInteger, nullable=False),
)

account_mail = Table(
    # an account's own e-mail address for its workspace notices and their language (migration
    # 0020; decision 0025): append-only, the account's highest position stands; an address of
    # NULL stops the mail
    "account_mail", metadata,
    Column("id", String(36), primary_key=True),  # uuid4
    Column("account_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("email", String(320), nullable=True),
    Column("language", String(2), nullable=False),
    Column("origin_party", String(3), nullable=True),  # the account's Party
    Column("set_by", Integer, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id", "position", unique=True),
)
APPEND_ONLY_NOTIFICATION_TABLES = ("subscriptions", "subscription_removals", "notifications",
                                   "notification_reads", "notification_deliveries",
                                   "notification_attempts", "account_mail")
workspace_check_tokens = Table(
    # issue 15 item 9: the one-time acknowledgement link of each target of a communication
    # check, kept as the SHA-256 of the token only (the link itself leaves in the mail);
    # append-only like the events (an answer is an event, never an edit of this row)
    "workspace_check_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("check_id", String(36), nullable=False),
    Column("target_id", String(36), nullable=False, unique=True),
)
