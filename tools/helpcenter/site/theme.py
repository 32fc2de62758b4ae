"""The theme a build uses: the one packaged with helpcenter, with the project's files over it.

MkDocs takes one `theme.custom_dir`. The package ships a whole theme (templates, partials,
assets, the root page); a project's own `theme.custom_dir` holds only what it changes (a logo,
one partial). Both are merged into `build/theme/`, the project's files winning path by path,
and that folder is the custom_dir every locale build uses. Unchanged files are not rewritten.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from helpcenter import atomic
from helpcenter.config import Project

PACKAGED = Path(__file__).resolve().parents[1] / "theme"


def stage_theme(project: Project) -> Path:
    target = project.build_dir / "theme"
    plan: dict[PurePosixPath, Path | bytes] = {}
    for folder in (PACKAGED, project.theme_dir):
        if folder is None or not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                plan[PurePosixPath(file.relative_to(folder).as_posix())] = file
    atomic.sync_tree(target, plan, durable=False)  # made from the packaged theme at will
    return target
