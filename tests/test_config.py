"""Unit tests: reading mkdocs.yml, the one list of locales."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpcenter.config import load_project
from helpcenter.errors import UserError


def test_locales_come_from_the_i18n_plugin_source_first(project: Path):
    loaded = load_project(project)
    assert loaded.codes == ["en", "fr", "ja", "zh", "ar"]
    assert loaded.source.code == "en"
    assert loaded.locale("ar").direction == "rtl"
    assert loaded.locale("ja").direction == "ltr"
    assert loaded.site_url == "https://help.acme.example/"


def test_missing_config_says_where_to_run(tmp_path: Path):
    with pytest.raises(UserError) as caught:
        load_project(tmp_path)
    assert caught.value.path == tmp_path.resolve() / "mkdocs.yml"
    assert "--root" in caught.value.hint


def test_yaml_syntax_error_names_the_line(project: Path):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("docs_dir: content", "docs_dir: [content"))
    with pytest.raises(UserError) as caught:
        load_project(project)
    assert caught.value.path == config
    assert caught.value.line is not None


@pytest.mark.parametrize("edit, expected", [
    (("default: true, ", ""), "exactly one locale must be the source"),
    (("{locale: fr, name: Français, build: true}", "{locale: en, name: Again}"), "declared twice"),
    (("site_url: https://help.acme.example/\n", ""), "site_url is not set"),
    (("docs_structure: folder", "docs_structure: suffix"), "docs_structure: folder"),
])
def test_config_mistakes_are_explained(project: Path, edit, expected):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace(*edit))
    with pytest.raises(UserError, match=expected):
        load_project(project)


def test_missing_content_folder(project: Path):
    import shutil

    shutil.rmtree(project / "content")
    with pytest.raises(UserError, match="does not exist"):
        load_project(project)
