"""The node key's files through a rotation (issue 14 item 1; decision 0014, "Rotation"): the new
key waits as `node.key.next` (0600), takes the place of `node.key` when the node's record names
it, and the old key is kept as `node.key.<key id>.retired`, never deleted; a switch cut short at
any step is finished by the next one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kelisim.domain.errors import FederationError
from kelisim.domain.federation.signing import NodeKey
from kelisim.storage.node_keys import (
    create_key_file,
    load_key_file,
    pending_key_path,
    retired_key_path,
    switch_key_files,
)


def _keys(tmp_path: Path) -> tuple[Path, NodeKey, NodeKey]:
    path = tmp_path / "node.key"
    return path, create_key_file(path), create_key_file(pending_key_path(path))


def test_the_pending_key_takes_the_place_of_the_current_one_which_is_kept(
        tmp_path: Path) -> None:
    path, old, new = _keys(tmp_path)
    assert stat.S_IMODE(pending_key_path(path).stat().st_mode) == 0o600
    assert switch_key_files(path, old.public_key) == old  # the record names the current key
    assert pending_key_path(path).exists()
    assert switch_key_files(path, new.public_key) == new
    assert load_key_file(path) == new and not pending_key_path(path).exists()
    retired = retired_key_path(path, old.key_id)
    assert retired.name == f"node.key.{old.key_id}.retired"
    assert load_key_file(retired) == old and stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert switch_key_files(path, new.public_key) == new  # again: nothing to do


def test_a_switch_cut_short_after_keeping_the_old_key_is_finished(tmp_path: Path) -> None:
    path, old, new = _keys(tmp_path)
    os.link(path, retired_key_path(path, old.key_id))  # then the process died
    assert switch_key_files(path, new.public_key) == new
    assert load_key_file(retired_key_path(path, old.key_id)) == old


def test_a_key_the_record_does_not_name_is_refused(tmp_path: Path) -> None:
    path, _, _ = _keys(tmp_path)
    with pytest.raises(FederationError, match="does not hold the key"):
        switch_key_files(path, NodeKey.generate().public_key)
    pending_key_path(path).unlink()
    with pytest.raises(FederationError, match="does not hold the key"):
        switch_key_files(path, NodeKey.generate().public_key)
