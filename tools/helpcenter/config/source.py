"""Reading `mkdocs.yml`: its values, and the line each value was written on.

Values come from MkDocs' own YAML loader (it resolves `INHERIT`, `!ENV` and the
`!!python/name` tags Material's config uses); the lines come from composing the same text into
YAML nodes, which keeps every node's position without constructing anything. An error about
`extra.helpcenter.tickets.form.fields[0].type` can then name the line the writer has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from helpcenter.errors import UserError


@dataclass(frozen=True)
class ConfigSource:
    """The parsed file: `data` as MkDocs reads it, `root` the node tree for positions."""
    path: Path
    data: dict[str, Any]
    root: yaml.Node | None

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The line of the deepest key or item on `location` that the file has (1-based)."""
        node, line = self.root, None
        for part in location:
            found = _child(node, part) if node is not None else None
            if found is None:
                break
            line, node = found
        return line


def read(config_file: Path) -> ConfigSource:
    text = config_file.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=get_yaml_loader())
        with config_file.open("rb") as fh:
            data = yaml_load(fh)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UserError(
            f"invalid YAML: {exc.problem or exc.context}", path=config_file,
            line=mark.line + 1 if mark else None,
            hint="check the indentation and quoting on that line",
        ) from None
    except Exception as exc:  # MkDocs wraps its own loader errors (a missing INHERIT file, !ENV)
        raise UserError(f"cannot read the config: {exc}", path=config_file) from None
    if not isinstance(data, dict):
        raise UserError("the config must be a YAML mapping", path=config_file)
    return ConfigSource(config_file, data, root)


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    """(line, value) of a mapping's key or a sequence's item. A key's own line, not its
    value's: a block mapping's value starts on the next line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None
