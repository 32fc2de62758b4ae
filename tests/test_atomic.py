"""Durability: files and folders the tool writes are replaced whole, and a killed build
leaves the previous site in place."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

from helpcenter import atomic


def test_write_replaces_the_file_whole_and_leaves_no_temp_files(tmp_path: Path):
    target = tmp_path / "deep/file.txt"
    atomic.write_text(target, "first")
    atomic.write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_replace_dir_swaps_in_the_new_folder(tmp_path: Path):
    live, new = tmp_path / "fr", tmp_path / ".new"
    live.mkdir()
    (live / "old.html").write_text("old")
    new.mkdir()
    (new / "new.html").write_text("new")
    atomic.replace_dir(new, live)
    assert [p.name for p in live.iterdir()] == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fr"]


def test_a_killed_build_leaves_the_previous_site_and_the_next_build_works(project: Path):
    command = [sys.executable, "-m", "helpcenter", "build", "--root", str(project)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    page = project / "site/ja/orders/returns/index.html"
    before = page.read_text(encoding="utf-8")

    (project / "content/ja/orders/returns.md").write_text(
        "---\ntitle: 新しいタイトル\n---\n本文\n", encoding="utf-8")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    staging = project / "site/.building"
    deadline = time.monotonic() + 60
    while not staging.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert page.read_text(encoding="utf-8") == before

    assert subprocess.run(command, capture_output=True).returncode == 0
    assert "新しいタイトル" in page.read_text(encoding="utf-8")
    assert not staging.exists()


def test_a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own(tmp_path):
    # mkstemp's 0600 would hide a report or a catalog from the web server and other users.
    fresh, plain = tmp_path / "new.txt", tmp_path / "plain.txt"
    atomic.write_text(fresh, "a")
    plain.write_text("a")  # what open() gives under this process's umask
    assert fresh.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic.write_text(kept, "new")
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() == "new"


def test_only_files_made_again_at_will_skip_the_flush_to_disk(tmp_path, monkeypatch):
    flushed: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real(fd))[1])
    atomic.write_bytes(tmp_path / "catalog.po", b"kept\n")
    assert len(flushed) == 1
    atomic.sync_tree(tmp_path / "docs", {PurePosixPath("en/a.md"): b"staged\n"}, durable=False)
    assert len(flushed) == 1 and (tmp_path / "docs/en/a.md").read_bytes() == b"staged\n"
