"""The configuration reference, generated from the declaration itself.

Every option of `extra.helpcenter` is a field of a config class with a default and a one-line
docstring; this walks them into the README's table, so the reference cannot drift from the
code (tests/test_config_reference.py fails when the README's copy differs;
`python tools/config_reference.py` rewrites it).
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import textwrap
import re
import types
import typing
from enum import Enum
from typing import Any, Iterator, Literal, Union

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from helpcenter.config.helpcenter import HelpCenterConfig
from helpcenter.config.tickets import Target

START = "<!-- config reference: generated from tools/helpcenter/config by tools/config_reference.py -->"
END = "<!-- end of config reference -->"


def rows(model: type[BaseModel] = HelpCenterConfig,
         prefix: str = "extra.helpcenter") -> Iterator[tuple[str, str, str, str]]:
    """(key path, type, default, description) for every option, depth first."""
    for name, field in model.model_fields.items():
        key = f"{prefix}.{field.alias or name}"
        annotation = field.annotation
        nested = _models(annotation)
        doc = " ".join((field.description or docstrings(model).get(name, "")).split())
        if nested and not _is_target_union(annotation):
            many = _is_sequence(annotation)
            yield key, "list of mappings" if many else "mapping", "", doc
            for sub in nested:
                yield from rows(sub, f"{key}[]" if many else key)
        elif _is_target_union(annotation):
            yield key, "list of targets", "[]", doc
            for target in _models(annotation):
                kind = target.model_fields["type"].annotation.__args__[0]
                for row in rows(target, f"{key}[type: {kind}]"):
                    if not row[0].endswith(".type"):
                        yield row
        else:
            yield key, _type_name(annotation), _default(field), doc


@functools.cache
def docstrings(model: type) -> dict[str, str]:
    """{field: the docstring written under it}, from the class and the classes it extends."""
    found: dict[str, str] = {}
    for klass in reversed([k for k in model.__mro__ if k.__module__.startswith("helpcenter.")]):
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0].body
        for statement, following in zip(body, body[1:]):
            if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                found[statement.target.id] = following.value.value
    return found


def markdown() -> str:
    lines = [START, "", "| Key | Type | Default | |", "| --- | --- | --- | --- |"]
    for key, kind, default, doc in rows():
        cell = f"`{default}`" if default and not default.startswith("(") else default
        lines.append(f"| `{key}` | {kind} | {cell} | {doc.replace('|', '&#124;')} |")
    lines += ["", END]
    return "\n".join(lines)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _is_sequence(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (list, tuple)


def _is_target_union(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return bool(args) and typing.get_args(args[0])[:1] == typing.get_args(Target)[:1] \
        if typing.get_origin(annotation) in (list, tuple) else False


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is type(None):
        return "null"
    if origin is Literal:
        return " \\| ".join(str(a).lower() if isinstance(a, bool) else str(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(str(m.value) for m in annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {_type_name(args[1])}" if len(args) == 2 else "mapping"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Pattern, re.Pattern):
        return "regular expressions"  # only ever in a list: "list of regular expressions"
    names = {str: "text", int: "integer", float: "number", bool: "true or false", Any: "any"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field) -> str:
    shown = (field.json_schema_extra or {}).get("shown_default")
    if shown:
        return f"({shown})"
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)
