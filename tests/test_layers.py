"""The package's layers, read from the code's own imports, as DESIGN.md draws them.

Lowest first: the shared base (config, errors, atomic, vocabulary, UI strings) → content →
translation → site; tickets beside site on the base alone; report above tickets and
translation; the CLI and the preview (site and tickets in one process) on top. A module imports
only from its own layer or one it stands on, and only at the top of the file: an import hidden
in a function is an arrow nobody following the picture would find (the CLI's lazy imports,
each commented, are the one exception).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tools" / "helpcenter"

BASE = "base"
LAYER_OF = {  # first part of the module path under helpcenter/ -> its layer
    "config": BASE, "errors": BASE, "atomic": BASE, "vocabulary": BASE, "ui_strings": BASE,
    "request_form": BASE, "security_headers": BASE, "terminal": BASE,
    "__init__": BASE,
    "content": "content", "translation": "translation", "site": "site", "tickets": "tickets",
    "report": "report",
    "cli": "top", "preview": "top", "starter": "top", "importer": "top", "__main__": "top",
}
MAY_IMPORT = {
    BASE: {BASE},
    "content": {BASE, "content"},
    "translation": {BASE, "content", "translation"},
    "site": {BASE, "content", "translation", "site"},
    "tickets": {BASE, "tickets"},
    "report": {BASE, "content", "translation", "tickets", "report"},
    "top": {BASE, "content", "translation", "site", "tickets", "report", "top"},
}
LAZY_ALLOWED = {"cli.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer(parts: list[str]) -> str:
    return LAYER_OF[parts[0] if parts else "__init__"]


def imported(path: Path, node: ast.AST) -> list[list[str]]:
    """helpcenter modules named by an import node, as path parts under helpcenter/."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the file's package
            package = list(path.relative_to(PACKAGE).parent.parts)
            package = package[:len(package) - (node.level - 1)]
            names = [".".join(["helpcenter", *package, *([node.module] if node.module else [])])]
        else:
            names = [node.module or ""]
    else:
        return []
    return [name.split(".")[1:] for name in names if name.split(".")[0] == "helpcenter"]


def test_every_module_has_a_layer():
    unknown = [str(p.relative_to(PACKAGE)) for p in modules()
               if p.relative_to(PACKAGE).parts[0].removesuffix(".py") not in LAYER_OF]
    assert not unknown, f"add these to LAYER_OF (and DESIGN.md's picture): {unknown}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path: Path):
    own = layer([path.relative_to(PACKAGE).parts[0].removesuffix(".py")])
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for target in imported(path, node):
            if target and layer(target) not in MAY_IMPORT[own]:
                wrong.append(f"line {node.lineno}: {own} imports helpcenter.{'.'.join(target)} "
                             f"({layer(target)})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_stand_at_the_top_of_the_file(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    hidden = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if path.name in LAZY_ALLOWED and _commented(lines, node.lineno):
                continue
            hidden.append(f"line {node.lineno} in {func.name}(): {lines[node.lineno - 1].strip()}")
    assert not hidden, "\n".join(hidden)


def _commented(lines: list[str], lineno: int) -> bool:
    """A lazy import is the first of a run of imports under a `# lazy:` comment."""
    index = lineno - 2
    while index >= 0 and lines[index].strip().startswith(("from ", "import ")):
        index -= 1
    return index >= 0 and lines[index].strip().startswith("# lazy:")


def test_the_check_finds_a_wrong_arrow(tmp_path: Path):
    # The test above must be able to fail: a translation module importing site is caught.
    source = "from helpcenter.site import stage\n"
    node = ast.parse(source).body[0]
    fake = PACKAGE / "translation" / "example.py"
    target = imported(fake, node)[0]
    assert layer(target) not in MAY_IMPORT["translation"]
