"""Start the TAXII 2.1 servers the benchmark compares, each as a real process on 127.0.0.1.

Why: issue 4 ("Performance") compares kelisim with the OASIS reference server medallion and
with OpenTAXII, one server at a time, through the same client. The references' dependencies
(Flask, SQLAlchemy 1.4, ...) conflict with kelisim's, so each lives in its own virtualenv under
``~/.cache/kelisim-bench/`` created on first use with ``python -m venv`` + pip; nothing of
theirs touches the project's environment and nothing of theirs is committed.

* medallion 3.0.0 (latest release), memory backend, its Flask app served by waitress.
* OpenTAXII 0.10.0b1 (first release with TAXII 2.1), SQLite persistence and auth, taxii2-only
  mode, served by gunicorn as its documentation says (``opentaxii.http:app``); api root,
  collection and account created with its own CLI (``opentaxii-add-api-root`` ...).
* kelisim, ``python -m kelisim up``, on SQLite (``KELISIM_DATA_DIR``) or PostgreSQL
  (``KELISIM_DATABASE_URL``, a throwaway server from the ``pgserver`` wheel); a Party in force
  (the fictional example history, imported with the depositary CLI), an analyst account and a
  collection the analyst's Party may read and write, all made with kelisim's own CLI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CACHE = Path.home() / ".cache" / "kelisim-bench"
REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TAXII = "application/taxii+json;version=2.1"
MEDALLION_PINS = ["medallion==3.0.0", "waitress==3.0.2"]
OPENTAXII_PINS = ["opentaxii==0.10.0b1", "gunicorn==23.0.0"]
PARTY = "KAZ"  # in force on every date after 2015 in examples/illustrative-history.json


@dataclass
class Server:
    """A running TAXII server: where its discovery is and how the client authenticates."""

    name: str
    base_url: str
    headers: dict[str, str]
    auth: tuple[str, str] | None
    notes: list[str] = field(default_factory=list)
    log_path: Path | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def ensure_venv(name: str, pins: list[str], log: Path) -> Path:
    """The virtualenv ``~/.cache/kelisim-bench/NAME`` with ``pins`` installed (once)."""
    venv = CACHE / name
    marker = venv / ".kelisim-bench-pins"
    wanted = "\n".join(pins)
    if marker.exists() and marker.read_text() == wanted:
        return venv
    CACHE.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True,
                       stdout=out, stderr=out)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *pins],
                       check=True, stdout=out, stderr=out, timeout=900)
    marker.write_text(wanted)
    return venv


@contextmanager
def process(cmd: list[str], log: Path, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` in its own process group; on exit stop exactly that group."""
    out = log.open("ab")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                            start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        out.close()


def wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}")
        try:
            httpx.get(url, headers={"Accept": TAXII}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s; see {log}")


def run(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> str:
    """Run a setup command, keep its output in the log, return its stdout."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    with log.open("a") as out:
        out.write(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} {' '.join(cmd[1:3])} failed: {done.stderr[-2000:]}")
    return done.stdout


# --- medallion ---------------------------------------------------------------------------------

@contextmanager
def medallion(workdir: Path) -> Iterator[Server]:
    log = workdir / "medallion.log"
    venv = ensure_venv("medallion", MEDALLION_PINS, log)
    port = free_port()
    collection = str(uuid.uuid4())
    data = {
        "/discovery": {"title": "bench", "default": f"http://{HOST}:{port}/bench/",
                       "api_roots": [f"http://{HOST}:{port}/bench/"]},
        "bench": {
            "information": {"title": "bench", "versions": [TAXII],
                            "max_content_length": 100 * 1024 * 1024},
            "status": [],
            "collections": [{"id": collection, "title": "bench", "can_read": True,
                             "can_write": True,
                             "media_types": ["application/stix+json;version=2.1"],
                             "objects": [], "manifest": []}],
        },
    }
    (workdir / "medallion-data.json").write_text(json.dumps(data))
    config = {
        "backend": {"module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(workdir / "medallion-data.json"),
                    # `next` sessions expire this long after the first page (default 30 s,
                    # shorter than medallion's own full GET of 10k objects).
                    "session_timeout": 3600},
        "users": {"bench": "bench-password"},
        "taxii": {"max_page_size": 1000},
    }
    (workdir / "medallion-config.json").write_text(json.dumps(config))
    launcher = ("import sys, waitress, medallion\n"
                "waitress.serve(medallion.load_app(sys.argv[1]), host=sys.argv[2], "
                "port=int(sys.argv[3]), threads=4, _quiet=True)\n")
    cmd = [str(venv / "bin" / "python"), "-c", launcher, str(workdir / "medallion-config.json"),
           HOST, str(port)]
    with process(cmd, log, cwd=workdir) as proc:
        wait_ready(proc, f"http://{HOST}:{port}/taxii2/", log)
        yield Server("medallion", f"http://{HOST}:{port}/taxii2/", {}, ("bench", "bench-password"),
                     ["medallion 3.0.0, memory backend, waitress (4 threads)",
                      "pagination: its in-memory `next` sessions"], log)


# --- OpenTAXII ---------------------------------------------------------------------------------

@contextmanager
def opentaxii(workdir: Path) -> Iterator[Server]:
    log = workdir / "opentaxii.log"
    venv = ensure_venv("opentaxii", OPENTAXII_PINS, log)
    port = free_port()
    config = workdir / "opentaxii.yml"
    config.write_text(
        f"domain: \"{HOST}:{port}\"\n"
        "support_basic_auth: yes\n"
        "return_server_error_details: yes\n"
        "auth_api:\n"
        "  class: opentaxii.auth.sqldb.SQLDatabaseAPI\n"
        "  parameters:\n"
        f"    db_connection: sqlite:///{workdir / 'opentaxii-auth.db'}\n"
        "    create_tables: yes\n"
        f"    secret: {uuid.uuid4().hex}\n"
        "    token_ttl_secs: 86400\n"
        "taxii1:\n"
        "taxii2:\n"
        "  persistence_api:\n"
        "    class: opentaxii.persistence.sqldb.Taxii2SQLDatabaseAPI\n"
        "    parameters:\n"
        f"      db_connection: sqlite:///{workdir / 'opentaxii-data.db'}\n"
        "      create_tables: yes\n"
        "  title: bench\n"
        "  public_discovery: true\n"
        "  max_content_length: 209715200\n"
        "logging:\n"
        "  opentaxii: warning\n"
        "  root: warning\n")
    env = {**os.environ, "OPENTAXII_CONFIG": str(config), "PYTHONWARNINGS": "ignore"}
    root = str(uuid.uuid4())
    bin_ = venv / "bin"
    run([str(bin_ / "opentaxii-add-api-root"), "-t", "bench", "--default", "-i", root], log, env)
    run([str(bin_ / "opentaxii-add-collection"), "-r", root, "-t", "bench"], log, env)
    run([str(bin_ / "opentaxii-create-account"), "-u", "bench", "-p", "bench-password", "-a"],
        log, env)
    cmd = [str(bin_ / "gunicorn"), "opentaxii.http:app", "--bind", f"{HOST}:{port}",
           "--config", "python:opentaxii.http", "--workers", "1", "--timeout", "3600"]
    with process(cmd, log, env=env, cwd=workdir) as proc:
        wait_ready(proc, f"http://{HOST}:{port}/taxii2/", log)
        # Its JWT from its own auth endpoint: with basic auth OpenTAXII re-checks the password
        # hash on every request (~100 ms here), which would measure the hash, not the server.
        login = httpx.post(f"http://{HOST}:{port}/management/auth",
                           json={"username": "bench", "password": "bench-password"}, timeout=30)
        login.raise_for_status()
        yield Server("opentaxii", f"http://{HOST}:{port}/taxii2/",
                     {"Authorization": f"Bearer {login.json()['token']}"}, None,
                     ["OpenTAXII 0.10.0b1, SQLite, gunicorn (1 sync worker)",
                      "auth: its JWT bearer token (basic auth would add ~100 ms of password "
                      "hashing to every request)",
                      "pagination: its `next` parameter"], log)


# --- kelisim -----------------------------------------------------------------------------------

@contextmanager
def postgres(workdir: Path) -> Iterator[str]:
    """A throwaway PostgreSQL (the ``pgserver`` wheel, as tests/conftest.py) and a database."""
    import pgserver
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from kelisim.storage.database import normalize_url

    server = pgserver.get_server(workdir / "pgdata", cleanup_mode="stop")
    try:
        admin_url = normalize_url(server.get_uri())
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "kelisim_bench"'))
            conn.execute(text('CREATE DATABASE "kelisim_bench"'))
        admin.dispose()
        yield make_url(admin_url).set(database="kelisim_bench").render_as_string(False)
    finally:
        server.cleanup()


@contextmanager
def kelisim(workdir: Path, backend: str) -> Iterator[Server]:
    log = workdir / f"kelisim-{backend}.log"
    data_dir = workdir / f"kelisim-{backend}-data"
    data_dir.mkdir(exist_ok=True)
    with _database(workdir, backend) as database_url:
        env = {**os.environ, "KELISIM_DATA_DIR": str(data_dir)}
        env.pop("KELISIM_DATABASE_URL", None)
        if database_url:
            env["KELISIM_DATABASE_URL"] = database_url
        cli = [sys.executable, "-m", "kelisim"]
        run([*cli, "init"], log, env)
        run([*cli, "depositary", "import", str(REPO / "examples" / "illustrative-history.json")],
            log, env)
        token = _last_line(run([*cli, "accounts", "add", "bench-analyst", "--role", "analyst",
                                "--party", PARTY, "--organization",
                                "National Security Committee (fictional entry)"], log, env))
        run([*cli, "collections", "add", "bench", "--owner", PARTY, "--read", PARTY,
             "--write", PARTY], log, env)
        port = free_port()
        with process([*cli, "up", "--port", str(port)], log, env=env, cwd=workdir) as proc:
            wait_ready(proc, f"http://{HOST}:{port}/taxii2/", log)
            label = "PostgreSQL 16 (pgserver)" if database_url else "SQLite (WAL)"
            yield Server(f"kelisim-{backend}", f"http://{HOST}:{port}/taxii2/",
                         {"Authorization": f"Bearer {token}"}, None,
                         [f"kelisim {label}, `kelisim up` (uvicorn, 1 process)",
                          "pagination: its `next` token"], log)


@contextmanager
def _database(workdir: Path, backend: str) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    with postgres(workdir) as url:
        yield url


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines or not re.fullmatch(r"[A-Za-z0-9_\-\.]{16,}", lines[-1]):
        raise RuntimeError(f"no token in the CLI output: {output[-500:]!r}")
    return lines[-1]


SERVERS = {
    "kelisim-sqlite": lambda workdir: kelisim(workdir, "sqlite"),
    "kelisim-postgresql": lambda workdir: kelisim(workdir, "postgresql"),
    "opentaxii": opentaxii,
    "medallion": medallion,
}
