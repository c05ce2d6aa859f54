"""A node's private key on disk: created once, readable by its owner only.

The key is what makes a node's word checkable by every other node (issue 14), so a key file
that others may read is refused rather than used: a copied key speaks for the Party as well as
the node does. PEM (PKCS #8), so that operators can inspect it with the usual tools.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from kelisim.domain.errors import FederationError
from kelisim.domain.federation.signing import NodeKey

KEY_FILE_NAME = "node.key"
PENDING_SUFFIX = ".next"
RETIRED_SUFFIX = ".retired"


def key_path(data_dir: Path, configured: Path | None) -> Path:
    return configured if configured is not None else data_dir / KEY_FILE_NAME


def pending_key_path(path: Path) -> Path:
    """Where a rotating node keeps its new key until the roster names it (`node.key.next`)."""
    return path.with_name(path.name + PENDING_SUFFIX)


def retired_key_path(path: Path, key_id: str) -> Path:
    """Where a replaced key is kept, never deleted (`node.key.<key id>.retired`)."""
    return path.with_name(f"{path.name}.{key_id}{RETIRED_SUFFIX}")


def switch_key_files(path: Path, expected_public_key: str) -> NodeKey:
    """Make `path` hold the key `expected_public_key` (the one this node's record names): if it
    does already, nothing to do; if the pending key is it, the current key is kept as a retired
    file (a hard link: same bytes, same mode 0600) and the pending one takes its place. Safe to
    run again after a crash at any step."""
    current = load_key_file(path) if path.exists() else None
    if current is not None and current.public_key == expected_public_key:
        return current
    pending = pending_key_path(path)
    new = load_key_file(pending) if pending.exists() else None
    if new is None or new.public_key != expected_public_key:
        raise FederationError("the node key file does not hold the key this node was made "
                              "with; restore the right file (KELISIM_NODE_KEY_FILE)")
    if current is not None:
        retired = retired_key_path(path, current.key_id)
        with contextlib.suppress(FileExistsError):  # kept already (by another process)
            os.link(path, retired)
    try:
        os.replace(pending, path)
    except FileNotFoundError:  # another process of this node moved it first
        if load_key_file(path).public_key != expected_public_key:
            raise
    return new


def create_key_file(path: Path) -> NodeKey:
    """A new key written with mode 0600; an existing file is never overwritten."""
    key = NodeKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise FederationError(f"{path} already exists; kelisim never overwrites a node key "
                              "(move it away to make a new one)") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def load_key_file(path: Path) -> NodeKey:
    if not path.is_file():
        raise FederationError(f"no node key at {path}; run `kelisim node init` first, or set "
                              "KELISIM_NODE_KEY_FILE")
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        raise FederationError(f"{path} can be read by others (mode {mode:o}); run "
                              f"`chmod 600 {path}` (the node key speaks for the Party)")
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise FederationError(f"{path} is not a PEM Ed25519 private key") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise FederationError(f"{path} holds a key that is not Ed25519 (RFC 8032)")
    return NodeKey(loaded)
