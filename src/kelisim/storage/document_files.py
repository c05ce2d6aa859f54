"""The workspace documents' files on disk, under data_dir/documents, named by SHA-256.

A file is streamed into `incoming/` in chunks while its SHA-256 and size are counted; past the
limit the partial file is removed and the upload refused (413). A file is kept only when the use
case that admitted it moves it in place (`keep`); a refused upload leaves nothing behind. The
same bytes uploaded twice are one file. Files are never rewritten: a name is its content's hash.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from kelisim.domain.workspace.documents import HEAD_BYTES, DocumentTooLarge, too_large


@dataclass
class Incoming:
    """A file being received: written chunk by chunk, hashed and counted as it comes."""

    path: Path
    limit: int
    size: int = 0
    head: bytes = b""

    def __post_init__(self) -> None:
        self._hash = hashlib.sha256()
        self._file = self.path.open("xb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self.too_large()
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[:HEAD_BYTES - len(self.head)]
        self._hash.update(chunk)
        self._file.write(chunk)

    def too_large(self) -> DocumentTooLarge:
        """Remove the partial file; the refusal to raise (413)."""
        self.discard()
        return too_large(self.limit)

    def finish(self) -> str:
        self._file.close()
        return self._hash.hexdigest()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class DocumentFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def incoming(self, limit: int) -> Incoming:
        folder = self.root / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        return Incoming(folder / f"{uuid.uuid4()}.part", limit)

    def path(self, sha256: str) -> Path:
        digest = sha256.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest

    def keep(self, incoming: Incoming, sha256: str) -> None:
        """Move the received file in place under its hash (one file for the same bytes)."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming.path, target)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()
