"""Copies of the embedded SQLite store, made and put back with SQLite's online backup API.

A copy of `kelisim.db` alone is not a backup: recent commits live in its `-wal` file, and a copy
taken during a write is torn. `sqlite3.Connection.backup` with every page in one step reads the
store inside one read transaction, so the copy is the store as of one commit, while the server
goes on writing (WAL readers never block writers). The copy is written beside its target,
checked, made a single self-contained file (rollback journal mode), and renamed into place, so
a half-written backup never carries the target's name. Files are created 0600.

PostgreSQL stores are backed up by PostgreSQL's own tools (README, "Backups").
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from kelisim.storage.database import prepare_sqlite_file

BUSY_MS = 30_000


class NotABackup(ValueError):
    """The file is not a kelisim SQLite store (or cannot be read as one)."""


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}{'?mode=ro' if read_only else ''}"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return connection


def back_up(store: Path, target: Path) -> int:
    """Write a consistent copy of the store at `store` to `target`; its size in bytes."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    try:
        with closing(_connect(store)) as source, closing(_connect(partial)) as copy:
            source.backup(copy)  # pages=-1: every page in one step, one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")
            _check(copy, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def tables(path: Path) -> list[str]:
    """The tables a SQLite file holds (none for a missing or empty file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return []
    with closing(_connect(path)) as connection:
        return [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]


def restore(backup: Path, store: Path) -> None:
    """Replace the store at `store` by the backup's content, through SQLite's locks (the
    store's `-wal` and `-shm` stay consistent with it)."""
    try:
        with closing(_connect(backup, read_only=True)) as source:
            _check(source, backup)
            prepare_sqlite_file(store)
            with closing(_connect(store)) as target:
                source.backup(target)
    except sqlite3.DatabaseError as error:
        raise NotABackup(f"{backup} cannot be read as a SQLite database ({error})") from None


def _check(connection: sqlite3.Connection, path: Path) -> None:
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise NotABackup(f"{path} is not a kelisim store ({error})") from None
    if verdict != "ok":
        raise NotABackup(f"{path} is damaged: {verdict}")
    if revision is None:
        raise NotABackup(f"{path} is not a kelisim store (no migration recorded)")
