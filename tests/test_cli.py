"""The command line: each user mistake exits non-zero with file, line and a fix, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from helpcenter.cli import cli


def run(*args: str) -> subprocess.CompletedProcess:
    """The real console entry point, as a writer runs it."""
    return subprocess.run([sys.executable, "-m", "helpcenter", *args], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "200"})


def assert_user_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_malformed_front_matter(project: Path):
    bad = project / "content/en/orders/returns.md"
    bad.write_text("---\ntitle: Return\ndescription: [unclosed\n---\nBody\n", encoding="utf-8")
    result = run("build", "--root", str(project))
    assert_user_error(result, "content/en/orders/returns.md:4", "malformed front matter", "fix:")


def test_undeclared_locale_folder(project: Path):
    (project / "content/pt/orders").mkdir(parents=True)
    result = run("build", "--root", str(project))
    assert_user_error(result, "content/pt", "not a declared locale", "plugins.i18n.languages")


def test_broken_link_fails_under_strict_only(project: Path):
    page = project / "content/en/orders/returns.md"
    page.write_text("---\ntitle: Return\n---\nIntro.\n\nSee [gone](../gone.md).\n", encoding="utf-8")
    result = run("build", "--root", str(project), "--strict", "--locale", "en")
    assert_user_error(result, "content/en/orders/returns.md:6", "broken link", "../gone.md")
    relaxed = run("build", "--root", str(project), "--locale", "en")
    assert relaxed.returncode == 0, relaxed.stderr
    assert "broken link" in relaxed.stderr


def test_missing_config(tmp_path: Path):
    assert_user_error(run("build", "--root", str(tmp_path)), "mkdocs.yml", "no mkdocs.yml here")


def test_missing_content(project: Path):
    import shutil

    shutil.rmtree(project / "content")
    assert_user_error(run("build", "--root", str(project)), "content/", "does not exist")


def test_unknown_locale_option(project: Path):
    assert_user_error(run("build", "--root", str(project), "--locale", "xx"), "unknown locale")


def test_help_documents_every_option():
    result = CliRunner().invoke(cli, ["build", "--help"])
    for option in ("--root", "--locale", "--site-dir", "--strict", "--jobs"):
        assert option in result.output
    serve = CliRunner().invoke(cli, ["serve", "--help"])
    for option in ("--root", "--host", "--port"):
        assert option in serve.output


def test_build_writes_to_site_dir_and_reports(project: Path, tmp_path: Path):
    target = tmp_path / "out"
    result = run("build", "--root", str(project), "--site-dir", str(target))
    assert result.returncode == 0, result.stderr
    assert (target / "index.html").is_file()
    assert (target / "ja/orders/returns/index.html").is_file()
    assert "Built" in result.stdout and "search indexed" in result.stdout
    assert not (project / "site").exists()


def test_a_failed_build_names_the_page_and_keeps_the_previous_site(project: Path):
    assert run("build", "--root", str(project), "--locale", "en", "--locale", "fr").returncode == 0
    live = project / "site/fr/orders/returns/index.html"
    before = live.read_text(encoding="utf-8")
    page = project / "content/fr/orders/returns.md"
    page.write_text("---\ntitle: Nouveau titre\ntemplate: nope.html\n---\nx\n", encoding="utf-8")
    result = run("build", "--root", str(project), "--locale", "en", "--locale", "fr")
    assert_user_error(result, "content/fr/orders/returns.md:1", "template 'nope.html' not found")
    assert live.read_text(encoding="utf-8") == before
    assert not (project / "site/.building").exists()
