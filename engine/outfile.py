"""Output files: checked before any work is done, and invisible until complete.

A file is written without a name (O_TMPFILE) and linked into its folder only when complete, so
that a process that dies, however it dies (Ctrl-C, SIGTERM, SIGKILL, a crash), leaves nothing
behind; where the filesystem has no O_TMPFILE, a hidden temporary name is used and removed on
any error or signal elig can catch. Replacing the real name is atomic either way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from elig.errors import EligError


def check_writable(path: Path) -> None:
    """An EligError naming `path` (as the user gave it) unless a file can be written there:
    its folder exists and takes new files, and it is not a folder itself."""
    folder = path.parent
    if path.is_dir():
        raise EligError(f"{path}: is a folder; give a file name")
    if not folder.is_dir():
        what = "no such folder" if not folder.exists() else "not a folder"
        raise EligError(f"{path}: cannot write there: {what} {str(folder)!r}")
    try:  # the one true test of "can write here", for root and read-only filesystems alike
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise EligError(f"{path}: cannot write in folder {str(folder)!r}: {exc.strerror}") from None


class AtomicFile:
    """A file that appears under `path` only on `commit()`; `abandon()` (or death) leaves none."""

    def __init__(self, path: Path, binary: bool = False):
        self.path = path
        self._named: Path | None = None  # the temporary name, where O_TMPFILE is not available
        try:
            fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)
        except (AttributeError, OSError):  # not Linux, or a filesystem without O_TMPFILE
            self._named = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                fd = os.open(self._named, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
            except OSError as exc:
                raise EligError(f"{path}: cannot write: {exc.strerror}") from None
        self.stream: IO = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")

    def fileno(self) -> int:
        return self.stream.fileno()

    def commit(self) -> None:
        """Give the file its name, replacing what was there."""
        self.stream.flush()
        try:
            if self._named is None:
                linked = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                folder = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:  # with a dir_fd, os.link is linkat(AT_SYMLINK_FOLLOW): it links the file, not /proc's link
                    os.link(f"/proc/self/fd/{self.stream.fileno()}", linked.name, dst_dir_fd=folder)
                finally:
                    os.close(folder)
                os.replace(linked, self.path)
            else:
                os.replace(self._named, self.path)
        except OSError as exc:
            self.abandon()
            raise EligError(f"{self.path}: cannot write: {exc.strerror}") from None
        self.stream.close()

    def abandon(self) -> None:
        self.stream.close()
        if self._named is not None:
            self._named.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    out = AtomicFile(path)
    try:
        out.stream.write(text)
        out.commit()
    except BaseException:
        out.abandon()
        raise
