"""A first mistake at the console gets one line, `error: <what> — <how to fix>`, exit status 1,
and nothing created where it should not be (issue 13, section 6). `kelisim` runs in process
through its real entry point (`main`), or as a real process where the terminal matters."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from kelisim.cli import app
from tests.conftest import free_port

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "illustrative-history.json"


def one_line(err: str) -> str:
    """The error as its single line, failing unless it is exactly one `error: ... — ...`."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and " — " in lines[0], err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("command", [["status"], ["ledger", "verify"], ["accounts", "list"],
                                     ["glossary"], ["audit", "verify"],
                                     ["db", "downgrade", "0001"], ["db", "upgrade"],
                                     ["backup", "copy.db"]])
def test_a_command_on_a_folder_never_initialized_names_it_and_creates_nothing(
        kelisim, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = kelisim(*command)
    line = one_line(err)
    assert code == 1
    assert str(tmp_path / "kelisim-data") in line and "the default, in the current folder" in line
    assert "`kelisim init`" in line and "--data-dir" in line and "KELISIM_DATA_DIR" in line
    assert list(tmp_path.iterdir()) == []


def test_the_folder_named_and_where_it_came_from(kelisim, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = kelisim("--data-dir", str(tmp_path / "given"), "status")
    assert code == 1 and f"{tmp_path / 'given'} (from --data-dir)" in one_line(err)
    monkeypatch.setenv("KELISIM_DATA_DIR", str(tmp_path / "from-env"))
    code, _, err = kelisim("ledger", "verify")
    assert code == 1 and f"{tmp_path / 'from-env'} (from KELISIM_DATA_DIR)" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_data_folder_that_cannot_be_created(kelisim, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    code, _, err = kelisim("--data-dir", str(a_file / "data"), "init")
    line = one_line(err)
    assert code == 1 and f"cannot create the data folder {a_file / 'data'}" in line
    assert "--data-dir" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_an_unsupported_postgresql_driver_names_the_one_to_use(kelisim, tmp_path: Path) -> None:
    code, _, err = kelisim("--database-url", "postgresql+psycopg2://kelisim@localhost/kelisim",
                           "--data-dir", str(tmp_path / "d"), "init")
    line = one_line(err)
    assert code == 1 and "'psycopg2' is not supported" in line
    assert "postgresql+psycopg://" in line
    code, _, err = kelisim("--database-url", "mysql://kelisim@localhost/kelisim", "status")
    assert code == 1 and "cannot store in 'mysql'" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_postgresql_server_that_refuses_the_connection(kelisim) -> None:
    port = free_port()  # nothing listens there
    code, _, err = kelisim("--database-url", f"postgresql://kelisim@127.0.0.1:{port}/kelisim",
                           "init")
    line = one_line(err)
    assert code == 1 and f"nothing answers at 127.0.0.1:{port}" in line
    assert "--database-url" in line and "KELISIM_DATABASE_URL" in line


def test_a_postgresql_database_that_does_not_exist(kelisim, postgres_server_url: str) -> None:
    url = make_url(postgres_server_url).set(database="kelisim_never_created")
    code, _, err = kelisim("--database-url", url.render_as_string(hide_password=False), "init")
    line = one_line(err)
    assert code == 1 and "the database 'kelisim_never_created' does not exist" in line
    assert "createdb kelisim_never_created" in line


def test_a_postgresql_database_never_initialized(kelisim, empty_database_url: str) -> None:
    code, _, err = kelisim("--database-url", empty_database_url, "status")
    line = one_line(err)
    assert code == 1 and "`kelisim init`" in line


@pytest.mark.parametrize("command", [["glossary", "--lang", "fr"], ["status", "--lang", "fr"]])
def test_a_language_kelisim_has_not_is_refused_naming_the_three(
        kelisim, cli, database_url: str, command: list[str]) -> None:
    # on an initialized node, where it used to fall back to English or crash
    code, _, err = kelisim("--database-url", database_url, *command)
    assert code == 1 and one_line(err) == ("error: 'fr' is not one of kelisim's languages — use "
                                           "--lang kk, ru or en")


def test_a_port_in_use_names_the_flag_and_the_variable(kelisim, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = kelisim("--data-dir", str(tmp_path / "d"), "up", "--port", str(port))
    line = one_line(err)
    assert code == 1 and f"port {port} on 127.0.0.1 is already in use" in line
    assert "--port" in line and "KELISIM_PORT" in line
    assert list(tmp_path.iterdir()) == []


def test_an_account_that_does_not_exist_is_said_not_to(kelisim, cli, database_url: str) -> None:
    code, _, err = kelisim("--database-url", database_url, "accounts", "disable", "nobody")
    assert code == 1 and one_line(err) == ("error: No active account is named or numbered "
                                           "'nobody'. — `kelisim accounts list` shows every "
                                           "account and its id")


def test_a_setting_of_the_wrong_type_names_the_variable(kelisim,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KELISIM_PORT", "eighty")
    code, _, err = kelisim("status")
    assert code == 1 and one_line(err).startswith("error: KELISIM_PORT: ")


def test_the_version(kelisim) -> None:
    from kelisim import __version__

    code, out, _ = kelisim("--version")
    assert code == 0 and out == f"kelisim {__version__}\n"


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="kelisim",
                                env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0
    return result.stdout


def test_no_flag_shows_a_value_in_the_help_and_up_shows_its_defaults() -> None:
    reference = (ROOT / "docs" / "cli-reference.md").read_text()
    assert "<bool>" not in reference and "--json" in reference and "--force" in reference
    up = help_of("up")
    assert "default: 127.0.0.1" in up and "default: 8470" in up and "KELISIM_PORT" in up
    glossary = help_of("glossary")
    json_line = next(line for line in glossary.splitlines() if "--json" in line)
    assert "<" not in json_line


def test_the_status_table_fits_80_columns(cli, tmp_path: Path, database_url: str) -> None:
    cli("depositary", "import", str(EXAMPLE))
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "kelisim", "--database-url", database_url,
                           "status", "--on", "2023-01-01"], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in done.stdout
    turkmenistan = next(line for line in lines if line.startswith("TKM"))
    assert turkmenistan.split() == ["TKM", "Turkmenistan", "withdrawn", "2016-05-01",
                                    "2022-02-28"]
    assert "  RUS  FSTEC (fictional entry)" in lines
    assert "  TJK  authorized_bodies_missing (Art. 8)" in lines


def test_a_store_migrated_by_a_newer_kelisim_says_so(kelisim, cli, database_url: str) -> None:
    from sqlalchemy import text

    from kelisim.storage.database import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in (["status"], ["db", "upgrade"]):
        code, _, err = kelisim("--database-url", database_url, *command)
        line = one_line(err)
        assert code == 1 and "migration 9999" in line and "newer kelisim" in line
