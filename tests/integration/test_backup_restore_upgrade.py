"""`kelisim backup` and `kelisim restore` under concurrent writes, the data folder's modes, and
`kelisim db upgrade` from the first migration with every chain still valid (issue 13, section 5).
"""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.config import Settings
from kelisim.services import depositary
from kelisim.services.chains import verify_chains
from kelisim.services.runtime import Runtime, build_runtime

EXAMPLE = Path(__file__).parents[2] / "examples" / "illustrative-history.json"
CHANGE = {"kind": "authorized_bodies_change", "party": "KAZ", "changed": "2019-03-01",
          "received": "2019-04-15", "authorized_bodies": [{"name": "KZ-CERT (fictional)"}]}


def open_runtime(data: Path) -> Runtime:
    return build_runtime(Settings(data_dir=data, intake_processes=0))


def ledger_hashes(rt: Runtime) -> list[tuple[int, str]]:
    with rt.unit_of_work() as uow:
        return [(link.seq, link.hash) for link in uow.ledger.links()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_under_concurrent_writes_restores_and_every_chain_verifies(
        kelisim, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert kelisim("--data-dir", data, "init")[0] == 0
    assert kelisim("--data-dir", data, "depositary", "import", EXAMPLE)[0] == 0
    writer_rt = open_runtime(data)
    stop, written, failures = threading.Event(), [0], []

    def write() -> None:
        try:
            while not stop.is_set():
                depositary.record_entries(writer_rt, LOCAL_OPERATOR, [CHANGE])
                written[0] += 1
        except Exception as error:  # reported below, not lost in the thread
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 5 and writer.is_alive():
            time.sleep(0.01)
        during = []
        for i in range(4):
            before = written[0]
            code, out, err = kelisim("--data-dir", data, "backup", tmp_path / f"b{i}.db")
            assert code == 0, err
            during.append((before, written[0]))
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failures
    final = ledger_hashes(writer_rt)
    writer_rt.close()
    assert written[0] > during[0][1], "the writes went on across the backups"
    counts = []
    for i in range(4):
        backup = tmp_path / f"b{i}.db"
        assert mode(backup) == 0o600
        restored = tmp_path / f"restored{i}"
        code, out, err = kelisim("--data-dir", restored, "restore", backup)
        assert code == 0, err
        assert "OK ledger verify" in out and "OK audit verify" in out
        assert "OK certification verify-ledger" in out
        rt = open_runtime(restored)
        assert all(report["ok"] for report in verify_chains(rt, LOCAL_OPERATOR).values())
        copy = ledger_hashes(rt)
        rt.close()
        assert copy == final[:len(copy)], "the copy is the store as of one commit"
        counts.append(len(copy))
        assert 17 + during[i][0] <= len(copy)
    assert counts == sorted(counts) and counts[-1] > counts[0]


def test_restore_refuses_a_store_that_is_not_empty_unless_forced(kelisim,
                                                                 tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    kelisim("--data-dir", first, "init")
    kelisim("--data-dir", first, "depositary", "import", EXAMPLE)
    assert kelisim("--data-dir", first, "backup", tmp_path / "b.db")[0] == 0
    code, _, err = kelisim("--data-dir", first, "backup", tmp_path / "b.db")
    assert code == 1 and "--force" in err
    kelisim("--data-dir", second, "init")
    code, _, err = kelisim("--data-dir", second, "restore", tmp_path / "b.db")
    assert code == 1 and err.startswith(f"error: the store {second / 'kelisim.db'} is not empty")
    assert "--force" in err
    rt = open_runtime(second)
    assert ledger_hashes(rt) == []
    rt.close()
    code, out, _ = kelisim("--data-dir", second, "restore", "--force", tmp_path / "b.db")
    assert code == 0 and "OK ledger verify: 17 entries" in out
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    code, _, err = kelisim("--data-dir", tmp_path / "third", "restore", tmp_path / "junk.db")
    assert code == 1 and "give a FILE `kelisim backup` wrote" in err


def test_a_tampered_backup_is_restored_but_named_as_failing(kelisim, tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "data"
    kelisim("--data-dir", data, "init")
    kelisim("--data-dir", data, "depositary", "import", EXAMPLE)
    kelisim("--data-dir", data, "backup", tmp_path / "b.db")
    with sqlite3.connect(tmp_path / "b.db") as raw:
        triggers = [r[0] for r in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'ledger_entries'")]
        for name in triggers:
            raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute("UPDATE ledger_entries SET body = replace(body, 'BLR', 'RUS') WHERE seq = 10")
    code, _, err = kelisim("--data-dir", tmp_path / "restored", "restore", tmp_path / "b.db")
    assert code == 1 and "FAILED ledger verify" in err
    assert err.strip().splitlines()[-1] == (
        "error: 1 chain(s) do not verify (`kelisim ledger verify` names each break) — restore "
        "an earlier backup")


def test_backup_and_restore_on_postgresql_point_to_pg_dump(kelisim, postgres_template: str,
                                                           tmp_path: Path) -> None:
    database_url = postgres_template
    code, _, err = kelisim("--database-url", database_url, "backup", tmp_path / "b.db")
    assert code == 1 and "pg_dump --format=custom" in err and len(err.strip().splitlines()) == 1
    code, _, err = kelisim("--database-url", database_url, "restore", tmp_path / "b.db")
    assert code == 1 and "pg_restore --clean" in err
    assert not (tmp_path / "b.db").exists()


def test_the_data_folder_is_0700_and_its_files_0600(kelisim, tmp_path: Path) -> None:
    data = tmp_path / "deeper" / "data"
    assert kelisim("--data-dir", data, "init")[0] == 0
    assert mode(data) == 0o700
    assert mode(data / "kelisim.db") == 0o600
    rt = open_runtime(data)  # while a connection is open, the WAL files exist
    with rt.unit_of_work() as uow:
        depositary.record_entries(rt, LOCAL_OPERATOR, [{"kind": "signature", "party": "KAZ",
                                                        "date": "2013-11-20"}])
        del uow
        wal, shm = data / "kelisim.db-wal", data / "kelisim.db-shm"
        assert wal.exists() and shm.exists()
        assert (mode(wal), mode(shm)) == (0o600, 0o600)
    rt.close()
    assert sorted(p.name for p in data.iterdir() if mode(p) != 0o600) == []


def test_db_upgrade_from_the_first_migration_keeps_every_chain_valid(
        kelisim, empty_database_url: str, tmp_path: Path) -> None:
    url = ("--database-url", empty_database_url, "--data-dir", tmp_path)
    assert kelisim(*url, "init")[0] == 0
    assert kelisim(*url, "depositary", "import", EXAMPLE)[0] == 0
    code, before, _ = kelisim(*url, "ledger", "verify")
    assert code == 0 and "17 entries, chain intact" in before
    assert kelisim(*url, "db", "downgrade", "0001")[0] == 0
    code, _, err = kelisim(*url, "status")
    assert code == 1 and "the store is at migration 0001" in err and "kelisim db upgrade" in err
    if "sqlite" in empty_database_url:  # the backup the message asks for, before upgrading
        assert kelisim(*url, "backup", tmp_path / "before-upgrade.db")[0] == 0
    code, out, err = kelisim(*url, "db", "upgrade")
    assert code == 0, err
    assert "OK ledger verify: 17 entries" in out and "OK audit verify" in out
    assert "OK certification verify-ledger" in out
    code, after, _ = kelisim(*url, "ledger", "verify")
    assert code == 0 and after == before
    assert kelisim(*url, "init")[0] == 0  # the reference data of later migrations comes back
    code, out, _ = kelisim(*url, "status", "--on", "2016-01-01", "--json")
    assert code == 0 and '"in_force": true' in out
