"""Atomic file writes: a crash or a kill leaves the old file or the new one, never half of one."""

from __future__ import annotations

import hashlib

import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

from helpcenter.errors import UserError

# mkstemp creates files only the owner can read; the file we replace keeps its own mode, a new
# one gets what open() would give it (0666 less the umask), so a report or catalog is shareable.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write `path` whole or not at all (a temporary file renamed over it). `durable` also
    flushes it to disk before the rename; files the tool can make again from the sources
    (the build's staged docs and theme) skip that: after a power cut one may be left empty,
    and the next build, which compares each with what it should hold, writes it again."""
    _refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), _mode(path))
            if durable:
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


def write_output(path: Path, text: str) -> None:
    """Write a file the user named (`--output`, `--report`): a regular file only, atomically.

    A symbolic link is refused whatever it points to (the rename would replace the link, not
    its target), like a device, a FIFO, a socket or a folder; a path the user cannot write
    to is a UserError naming it, never a traceback.
    """
    if path.is_symlink():
        raise UserError(f"{path}: is a symbolic link; not replacing it",
                        hint="name a regular file (the link's target itself, or a new file)")
    try:
        write_text(path, text)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}",
                        hint="name a file in a folder you can write to") from None


def _refuse_special(path: Path) -> None:
    # os.replace() swaps whatever is at PATH for a regular file: as root that would turn
    # /dev/null or a FIFO a reader waits on into a file. Only a regular file is replaced.
    try:
        mode = path.stat().st_mode  # through a link: a link to /dev/null is refused too
    except FileNotFoundError:
        return  # nothing there (or a dangling link): a new file
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode)
                or stat.S_ISBLK(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise UserError(f"{path}: is {kind}, not a regular file; not replacing it",
                        hint="name a regular file to write to")


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


def sync_tree(target: Path, plan: dict[PurePosixPath, Path | bytes],
              changed: list[PurePosixPath] | None = None,
              memo: dict | None = None, durable: bool = True) -> tuple[int, int]:
    """Make folder `target` hold exactly `plan` ({relative path: source file or bytes}): files
    that differ are written atomically, the rest left alone (a re-run writes nothing), files
    and empty folders not in the plan removed. Returns (written, removed); the paths of both
    are appended to `changed` when given. With `memo` (kept by the caller between runs), a
    file whose source and copy are as the last run left them is not read again, and the folder
    is not walked for leftovers while the plan names the same files."""
    files = memo.setdefault("files", {}) if memo is not None else None
    written = 0
    for rel, origin in plan.items():
        dest = target / rel
        name = str(dest)   # the memo's keys are strings: the build keeps it in a file
        source = _signature(origin)
        if files is not None and files.get(name, (None,))[0] == source \
                and _stat_of(dest) == files[name][1]:
            continue
        data = origin if isinstance(origin, bytes) else origin.read_bytes()
        if not (dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data):
            write_bytes(dest, data, durable)
            written += 1
            if changed is not None:
                changed.append(PurePosixPath(rel))
        if files is not None:
            files[name] = (source, _stat_of(dest))
    removed = 0
    names = frozenset(map(str, plan))
    if target.is_dir() and (memo is None or memo.get("plan") != names):
        wanted = {target / rel for rel in plan}
        for existing in sorted(target.rglob("*"), reverse=True):
            if existing.is_file() and existing not in wanted:
                existing.unlink()
                removed += 1
                if files is not None:
                    files.pop(str(existing), None)
                if changed is not None:
                    changed.append(PurePosixPath(existing.relative_to(target).as_posix()))
            elif existing.is_dir() and not any(existing.iterdir()):
                existing.rmdir()
        if memo is not None:
            memo["plan"] = names
    return written, removed


def _signature(origin: Path | bytes) -> tuple:
    if isinstance(origin, bytes):
        return ("bytes", hashlib.blake2b(origin, digest_size=16).digest())
    return ("file", str(origin), _stat_of(origin))


def _stat_of(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)
