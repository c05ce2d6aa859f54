"""Fixtures shared by every suite: both real databases, a runtime on each, a live server.

PostgreSQL is real: a throwaway PostgreSQL 16 started by the `pgserver` wheel (once per test
session), unless KELISIM_TEST_DATABASE_URL names an existing server. Each test gets a fresh
database, cloned from a migrated template so that a test costs milliseconds, not a migration;
each SQLite test gets a copy of a migrated file, for the same reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kelisim.config import Settings
from kelisim.domain import passwords
from kelisim.domain.clock import FixedClock
from kelisim.services.bootstrap import initialize
from kelisim.services.runtime import Runtime, build_runtime
from kelisim.storage.database import make_engine, normalize_url, upgrade
from kelisim.web.app import create_app

TEMPLATE_DB = "kelisim_template" + os.environ.get("PYTEST_XDIST_WORKER", "")
"""One template per pytest-xdist worker, for when KELISIM_TEST_DATABASE_URL names one server."""
TODAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

# argon2id at its lowest cost: the same algorithm and code paths, without ~0.3 s of CPU for each
# of the hundreds of passwords the UI tests set and check (as Django's test settings do).
# tests/unit/test_password_parameters.py checks the parameters kelisim ships with.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database (`postgres`)."""
    existing = os.environ.get("KELISIM_TEST_DATABASE_URL")
    if existing:
        yield normalize_url(existing)
        return
    import pgserver
    from pgserver._commands import pg_ctl

    # As root, pgserver runs PostgreSQL as an unprivileged user, who must reach the data folder:
    # pytest's own tmp folders are private to root, so the data folder lives beside them.
    pgdata = Path(tempfile.mkdtemp(prefix="kelisim-test-pg-"))
    pgdata.chmod(0o755)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    url = normalize_url(server.get_uri())
    throwaway_settings(url)
    try:
        yield url
    finally:
        # Nothing here is worth a shutdown checkpoint of the hundreds of test databases.
        with contextlib.suppress(Exception):
            pg_ctl(["-w", "stop", "-m", "immediate"], pgdata=pgdata, user=server.system_user)
        server.cleanup()
        # Gigabytes of test databases: removed after the run has ended, not within it.
        subprocess.run(["sh", "-c", 'rm -rf "$0" >/dev/null 2>&1 &', str(pgdata)], check=False)


def throwaway_settings(url: str) -> None:
    """A server the tests throw away needs no durability: no fsync, no full-page images.

    What the tests check (transactions, locks, constraints, plans) does not depend on them.
    """
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(text(f"ALTER SYSTEM SET {name} = off"))
        conn.execute(text("SELECT pg_reload_conf()"))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> str:
    """A migrated database that each PostgreSQL test clones."""
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"'))
        conn.execute(text(f'CREATE DATABASE "{TEMPLATE_DB}"'))
    admin.dispose()
    url = make_url(postgres_server_url).set(database=TEMPLATE_DB).render_as_string(False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def new_postgres_database(server_url: str, template: str | None) -> str:
    name = f"kelisim_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        clause = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with nothing in it, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kelisim.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_server_url"), None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each SQLite test copies: a copy costs a millisecond, the
    migration's hundred DDL commits a second on a busy machine."""
    template = tmp_path_factory.mktemp("sqlite-template") / "kelisim.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    return template


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database on each backend in turn."""
    if request.param == "sqlite":
        copy = tmp_path / "kelisim.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), copy)
        return f"sqlite:///{copy}"
    request.getfixturevalue("postgres_template")
    return new_postgres_database(request.getfixturevalue("postgres_server_url"), TEMPLATE_DB)


@dataclass
class Node:
    """An initialized kelisim: its runtime, a fixed clock and the first admin's token."""

    runtime: Runtime
    clock: FixedClock
    admin_token: str


@pytest.fixture
def node(database_url: str, tmp_path: Path) -> Iterator[Node]:
    clock = FixedClock(TODAY)
    rt = build_runtime(Settings(database_url=database_url, data_dir=tmp_path), clock=clock)
    admin = initialize(rt)
    assert admin is not None
    yield Node(rt, clock, admin["token"])
    rt.close()


@dataclass
class LiveServer:
    base_url: str
    node: Node


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(app: Any, port: int | None = None) -> Iterator[str]:
    """`app` served by uvicorn on a loopback port, in a thread; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(node: Node) -> Iterator[LiveServer]:
    """kelisim served by uvicorn on a loopback port, in a thread, for real HTTP clients."""
    with serving(create_app(runtime=node.runtime)) as base_url:
        yield LiveServer(base_url, node)
