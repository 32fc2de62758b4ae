"""Every package the code imports is declared in pyproject.toml, not only present by chance.

A module that arrives only as another package's dependency (yaml through mkdocs, markdown
through Material) works until that package drops it. This reads the package's imports and maps
each to the distribution that provides it.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tools" / "helpcenter"


def _imported_top_level() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("helpcenter", "__future__")}


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normal(re.split(r"[<>=!\[; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared():
    provided = packages_distributions()
    missing = {}
    for module in sorted(_imported_top_level()):
        distributions = {_normal(d) for d in provided.get(module, [])}
        assert distributions, f"{module} is imported but no installed distribution provides it"
        if not distributions & _declared():
            missing[module] = sorted(distributions)
    assert not missing, f"declare these in pyproject.toml's dependencies: {missing}"
