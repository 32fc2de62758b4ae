"""Atomic file writes: a crash or a kill leaves the old file or the new one, never half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

# mkstemp creates files only the owner can read; the file we replace keeps its own mode, a new
# one gets what open() would give it (0666 less the umask), so a report or catalog is shareable.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), _mode(path))
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def replace_dir(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target` by renames: readers see the old or the new.

    Between the two renames `target` is briefly absent, never half-written.
    """
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def sync_tree(target: Path, plan: dict[PurePosixPath, Path | bytes]) -> tuple[int, int]:
    """Make folder `target` hold exactly `plan` ({relative path: source file or bytes}): files
    that differ are written atomically, the rest left alone (a re-run writes nothing), files
    and empty folders not in the plan removed. Returns (written, removed)."""
    written = 0
    for rel, origin in plan.items():
        dest = target / rel
        data = origin if isinstance(origin, bytes) else origin.read_bytes()
        if dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data:
            continue
        write_bytes(dest, data)
        written += 1
    removed = 0
    if target.is_dir():
        wanted = {target / rel for rel in plan}
        for existing in sorted(target.rglob("*"), reverse=True):
            if existing.is_file() and existing not in wanted:
                existing.unlink()
                removed += 1
            elif existing.is_dir() and not any(existing.iterdir()):
                existing.rmdir()
    return written, removed
