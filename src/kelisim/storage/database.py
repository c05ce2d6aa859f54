"""Engines for both stores, and the migrations that shape them.

SQLite (the embedded default) is opened in WAL mode with foreign keys on and a busy timeout, so
that the server and a CLI command can share the data folder. PostgreSQL is reached through
psycopg 3; a plain `postgresql://` URL is taken to mean psycopg.
"""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")


def normalize_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            prepare_sqlite_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20, hide_parameters=True)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


def prepare_sqlite_file(path: Path) -> None:
    """The data folder made private to its owner (0700) and the database file created 0600
    before SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's mode.
    Existing folders and files are left as their owner set them."""
    folder = path.parent
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # whatever the umask
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


IDLE_BEFORE_PING = 2.0
"""Seconds a pooled connection may rest before its next checkout pings the server."""


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dialect: Any, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's pre-ping, but only for a connection that rested: a connection lost while
    idle (a PostgreSQL restart, a dropped socket) is replaced before a request uses it, while
    a busy server no longer pays a round trip per checkout (a TAXII page makes two, and the
    ping cost as much as one of them)."""
    if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_BEFORE_PING:
        return
    try:
        dialect.do_ping(dbapi_connection)  # in autocommit: leaves no transaction open
    except Exception as error:
        raise exc.DisconnectionError(f"pooled connection lost while idle: {error}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA wal_autocheckpoint=16384")
    # LIKE compares as PostgreSQL's does: the exchange's gates match a body's name exactly
    # (Art. 6), and SQLite's default would let "ru-cert" stand for "RU-CERT".
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def current_revision(connection: Connection) -> str | None:
    """The migration a store is at (None: not initialized)."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest migration this kelisim ships."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def shipped_revisions(engine: Engine) -> set[str]:
    """Every migration this kelisim ships."""
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    return {script.revision for script in scripts.walk_revisions()}
