"""One Markdown converter for a locale's pages (site/converter.py): every file of a build is
the one MkDocs' own conversion, a new Markdown instance per page, gives, on real documentation
nobody here wrote and on the demo."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from conftest import copy_demo
from helpcenter.cli import cli
from helpcenter.site import converter
from helpcenter.site.build import STAMP, build_site

CORPORA = Path(__file__).resolve().parent / "corpora"


def _project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "help"
    if name == "demo":
        return copy_demo(root)
    result = CliRunner().invoke(cli, ["import", str(CORPORA / name), "--root", str(root)])
    assert result.exit_code == 0, result.output
    return root


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and p.name != STAMP and not p.relative_to(site).parts[0] == "pagefind"
            and not any(part.startswith(".") for part in p.relative_to(site).parts)}


@pytest.mark.parametrize("name", ["demo", "episciences", "static-i18n", "pymdown-extensions",
                                  "mkdocs-macros", "quad9"])
def test_a_build_converting_with_one_instance_is_the_build_mkdocs_makes(name, tmp_path,
                                                                         monkeypatch):
    root = _project(name, tmp_path)
    made = []

    class Counted(markdown.Markdown):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(converter.markdown, "Markdown", Counted)
    # In this process (jobs=1), where the counting class and the switch below apply.
    shared = build_site(root, jobs=1, site_dir=tmp_path / "shared", cache=False)
    shared_made = len(made)
    monkeypatch.setattr(converter.Converter, "of", classmethod(lambda cls, config: None))
    build_site(root, jobs=1, site_dir=tmp_path / "mkdocs", cache=False)
    mkdocs_made = len(made) - shared_made

    ours, theirs = _files(tmp_path / "shared"), _files(tmp_path / "mkdocs")
    assert sorted(ours) == sorted(theirs)
    assert [p for p in ours if ours[p] != theirs[p]] == []
    pages = sum(result.rendered for result in shared.locales)
    # MkDocs makes an instance per page; shared, a locale makes one for all its pages (the
    # count is of every instance: the plugin's own, for strings, are in both).
    assert mkdocs_made - shared_made >= pages - 2 * len(shared.locales) > 0
