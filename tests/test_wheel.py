"""The wheel is the product: installed outside this repository, it starts and builds a help center.

The wheel is built from this checkout and installed into a new virtual environment in a
temporary folder. Its dependencies are taken from the test environment (a path entry, not a
download), so this checks what the wheel itself carries: the theme, the UI strings of every
shipped locale, the templates. tests/test_dependencies.py checks the declared dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy of the sources: setuptools' build/ caches in a checkout would
    # carry files the package data no longer names (and build/ is the help center's own).
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "tools" / "helpcenter", source / "tools" / "helpcenter",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(dist), str(source)], check=True, cwd=work,
                   capture_output=True, text=True)
    wheel = next(dist.glob("helpcenter-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies, from the test environment: after the new environment's own packages.
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, capture_output=True, text=True)
    return env_dir


def run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env_dir / "bin" / "helpcenter"), *args], cwd=cwd, text=True,
                          capture_output=True, env={**environ, "COLUMNS": "200"}, timeout=600)


def test_the_installed_package_is_the_wheel(installed: Path):
    found = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import helpcenter; print(helpcenter.__file__)"],
                           capture_output=True, text=True, cwd=installed.parent, check=True)
    assert str(installed) in found.stdout and str(REPO) not in found.stdout


def test_init_then_build_outside_the_repository(installed: Path):
    where = installed.parent
    started = run(installed, "init", "acme", "--locale", "en", "--locale", "fr", "--locale", "ar",
                  "--name", "Acme Help", cwd=where)
    assert started.returncode == 0, started.stderr
    built = run(installed, "build", "--root", "acme", cwd=where)
    assert built.returncode == 0, built.stderr + built.stdout
    site = where / "acme" / "site"
    assert (site / "pagefind" / "pagefind.js").is_file()                 # the search bundle
    assert (site / "assets" / "helpcenter.css").is_file()                # the packaged theme
    assert (site / "api" / "health").is_file()     # the stand-in a static host serves (issue 17)
    for locale in ("en", "fr", "ar"):
        form = (site / locale / "request" / "index.html").read_text(encoding="utf-8")
        assert 'id="hc-request-form"' in form                          # the request form page
    assert "Envoyer" in (site / "fr" / "request" / "index.html").read_text(encoding="utf-8")
    root = (site / "index.html").read_text(encoding="utf-8")              # the language picker
    assert 'href="fr/"' in root and 'href="ar/"' in root
    assert 'dir="rtl"' in (site / "ar" / "index.html").read_text(encoding="utf-8")


def test_init_refuses_a_folder_that_holds_a_project(installed: Path):
    where = installed.parent
    (where / "taken").mkdir()
    (where / "taken" / "mkdocs.yml").write_text("site_name: Mine\n")
    refused = run(installed, "init", "taken", cwd=where)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "already holds a project" in refused.stderr
    assert (where / "taken" / "mkdocs.yml").read_text() == "site_name: Mine\n"
