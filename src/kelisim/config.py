"""Settings, read from the environment (prefix KELISIM_) once, then passed in explicitly.

Nothing reads the environment at import time; `create_app(settings)` and the CLI build one
`Settings` and hand it down, and tests build their own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KELISIM_", extra="ignore")

    data_dir: Path = Field(default=Path("kelisim-data"),
                           description="Folder for the embedded SQLite database and node keys.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; PostgreSQL in production "
                    "(postgresql+psycopg://user:pass@host/db). Default: SQLite in data_dir.")
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8470, description="Port the server listens on.")
    max_request_bytes: int = Field(default=16 * 1024 * 1024,
                                   description="Largest request body accepted (HTTP 413 above).")
    max_document_bytes: int = Field(
        default=250 * 1024 * 1024, ge=1,
        description="Largest workspace document file accepted (HTTP 413 above); uploads are "
                    "streamed to disk under data_dir/documents.")
    max_envelope_objects: int = Field(
        default=10_000, ge=1,
        description="Most objects one TAXII envelope may carry (HTTP 413 above); the status "
                    "resource of a post holds one entry per object.")
    intake_processes: int | None = Field(
        default=None, ge=0,
        description="Worker processes that check posted STIX objects alongside the request "
                    "(state-secret scan, validation); 0: none. Default: one per core beyond "
                    "the first.")
    workers: int = Field(default=1, ge=1,
                         description="Server processes `kelisim up` starts on one port; they "
                                     "share the database and behave as one service.")
    proxy_headers: bool = Field(
        default=False,
        description="Trust X-Forwarded-For/-Proto from the addresses in forwarded_allow_ips "
                    "(behind a reverse proxy). Off: the peer address and scheme are used.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated proxy addresses (or CIDR ranges, `*` for any) whose "
                    "forwarded headers are trusted when proxy_headers is on.")
    max_header_bytes: int = Field(default=64 * 1024, ge=4096,
                                  description="Largest request line and headers; beyond it the "
                                              "connection gets 431 and is closed.")
    header_timeout: float = Field(default=10.0, gt=0,
                                  description="Seconds a client has to send a request's line "
                                              "and headers; then 408 and the connection closes.")
    keep_alive_timeout: int = Field(default=5, ge=1,
                                    description="Seconds an idle keep-alive connection is kept.")
    max_connections: int = Field(default=1000, ge=1,
                                 description="Open connections per server process; beyond it "
                                             "new ones get 503 at once (keep under `ulimit -n`).")
    backlog: int = Field(default=2048, ge=1,
                         description="Connections the kernel queues before they are accepted.")
    node_key_file: Path | None = Field(
        default=None,
        description="This node's Ed25519 private key (PEM, mode 0600) for the federation of "
                    "nodes. Default: node.key in data_dir.")
    sync_interval: float = Field(
        default=15.0, gt=0,
        description="Seconds between two federation syncs with the peer nodes in `kelisim up` "
                    "(a peer's notice of new data starts one at once).")
    federation_key_lifetime_days: int | None = Field(
        default=None, ge=1,
        description="At the depositary's node: the most days a node key it admits speaks "
                    "(its roster entry's valid_until); unset: keys speak until rotated or "
                    "revoked. 365 is a sound choice.")
    federation_key_warning_days: int = Field(
        default=30, ge=0,
        description="`kelisim federation status` and its page warn this many days before a "
                    "node key expires (the remedy is `kelisim node rotate-key`).")
    clock_file: Path | None = Field(
        default=None,
        description="For tests and drills only: a file holding an ISO 8601 instant that the "
                    "node takes as the time now, read again on every use.")
    metrics_token: str | None = Field(
        default=None, min_length=16,
        description="Bearer token that Prometheus sends to read /metrics; unset: /metrics "
                    "is off (403).")

    decay_lifetimes: dict[str, int] = Field(
        default_factory=dict,
        description="Indicator lifetimes in days by kind of value, as a JSON object (kinds: "
                    "ipv4-addr, ipv6-addr, domain-name, url, email-addr, file-name, MD5, SHA-1, "
                    "SHA-256, SHA-512, default), over the defaults of domain/stix/lifecycle.py "
                    "(IP 60, URL, domain and e-mail 180, default 470).")
    decay_speed: float = Field(default=1.0, gt=0,
                               description="Speed of the decay polynomial (1: linear; below 1 "
                                           "the score holds longer, then falls).")
    decay_threshold: float = Field(default=20.0, ge=0, le=100,
                                   description="Score (0-100) under which an indicator without "
                                               "valid_until is expired.")

    smtp_host: str | None = Field(
        default=None,
        description="SMTP server that notifications are mailed through (subscriptions); "
                    "unset: no e-mail is sent and subscriptions cannot ask for it.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Port of smtp_host.")
    smtp_from: str = Field(default="kelisim@localhost",
                           description="The From address of notification e-mail.")
    smtp_starttls: bool = Field(default=False,
                                description="Upgrade the SMTP connection with STARTTLS "
                                            "before sending (and before logging in).")
    smtp_user: str | None = Field(default=None,
                                  description="SMTP login name, if the server needs one.")
    smtp_password: str | None = Field(default=None, description="SMTP password of smtp_user.")
    public_url: str | None = Field(
        default=None,
        description="The address users open kelisim at (https://kelisim.example), for the "
                    "links in notifications. Default: http://host:port.")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kelisim.db').resolve()}"

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
