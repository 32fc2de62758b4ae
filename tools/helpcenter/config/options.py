"""The base of every typed config object, and how its validation errors reach a writer.

Config objects are pydantic models: each option is declared once, with its type, its default
and a one-line docstring under it (config/reference.py reads those docstrings into the README's
reference; pydantic is not asked to, since it would parse every class's source at import, in
every locale's build process). Pydantic, not dataclasses, because it reports every
wrong value with its full location in one pass, which is what a writer needs to fix
`mkdocs.yml` at once; and because the ticket service's request models use it too.
"""

from __future__ import annotations

import difflib
from typing import Any, Sequence, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from helpcenter.config.source import ConfigSource
from helpcenter.errors import UserError, UserErrors


class Options(BaseModel):
    """A section of `extra.helpcenter`: frozen, and an unknown key is an error (a typo would
    otherwise be silently ignored)."""
    model_config = ConfigDict(extra="forbid", frozen=True,
                              populate_by_name=True)


def validate(model: type[Options], data: Any, source: ConfigSource, prefix: Sequence[str | int],
             *, hint: str = "see README, section Configuration") -> Any:
    """`data` (found at `prefix` in the file) as a `model`, or every problem as a UserError."""
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        raise problems(exc, source, prefix, hint=hint, model=model) from None


def problems(exc: ValidationError, source: ConfigSource, prefix: Sequence[str | int], *,
             hint: str, model: type[BaseModel]) -> UserError:
    errors = []
    for error, location, message in explain(exc, source.data, prefix):
        errors.append(UserError(f"{dotted(location)}: {message}",
                                path=source.path, line=source.line_of(location),
                                hint=_hint(error, location, model, len(prefix)) or hint))
    return errors[0] if len(errors) == 1 else UserErrors(errors)


def explain(exc: ValidationError, data: Any, prefix: Sequence[str | int] = ()):
    """(pydantic's error, the location as written in the file, a message for a writer)."""
    for error in exc.errors(include_url=False):
        location = _in_file(data, [*prefix, *error["loc"]])
        yield error, location, _message(error, location)


def dotted(location: Sequence[str | int]) -> str:
    """`extra.helpcenter.tickets.form.fields[0].type`"""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _in_file(data: Any, location: list[str | int]) -> list[str | int]:
    """Pydantic's location with its own steps removed: the tag of a tagged union (`zendesk`
    in `targets.0.zendesk.email`) and validator names are not keys the writer wrote."""
    kept: list[str | int] = []
    node = data
    for index, part in enumerate(location):
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            is_last = index == len(location) - 1
            if not is_last and (node.get("type") == part or "[" in part or "-" in part
                                or part.startswith("function-")):
                continue  # a union's tag or a validator step
        kept.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return kept


def _message(error: dict[str, Any], location: list[str | int]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return f"unknown key `{location[-1]}`"
    if kind == "missing":
        return f"`{location[-1]}` is required" if location else "a key is required"
    if kind == "literal_error" or kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value!r} is not one of {expected}"
    if kind == "union_tag_invalid":
        return f"unknown type {error['ctx'].get('tag')!r}; one of {error['ctx'].get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"needs a `type`, one of {error['ctx'].get('expected_tags')}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, not {value!r}"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif "input" in error and not isinstance(value, (dict, list)):
        message = f"{message[0].lower()}{message[1:]}, not {value!r}"
    else:
        message = message[0].lower() + message[1:]
    return message


# Pydantic's wording names Python types; a writer of YAML thinks in YAML's.
_EXPECTED = {
    "model_type": "a mapping (indented `key: value` lines)",
    "model_attributes_type": "a mapping (indented `key: value` lines)",
    "dict_type": "a mapping (indented `key: value` lines)",
    "list_type": "a list (`[a, b]` or `- a` lines)",
    "tuple_type": "a list (`[a, b]` or `- a` lines)",
    "string_type": "text (quote it: YAML reads yes/no as booleans and 1.0 as a number)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _hint(error: dict[str, Any], location: list[str | int], model: type[BaseModel],
          depth: int) -> str | None:
    """For an unknown key: the closest key that section has."""
    if error["type"] != "extra_forbidden":
        return None
    keys = sorted({key for m in _models_at(model, location[depth:-1]) for key in known_keys(m)})
    close = difflib.get_close_matches(str(location[-1]), keys, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"the keys here are: {', '.join(keys)}" if keys else None


def known_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _models_at(model: type[BaseModel], location: Sequence[str | int]) -> list[type[BaseModel]]:
    """The config classes a location inside `model` can be (several for a union)."""
    current = [model]
    for part in location:
        if isinstance(part, int):
            continue
        following = []
        for m in current:
            field = m.model_fields.get(part) or next(
                (f for f in m.model_fields.values() if f.alias == part), None)
            if field is not None:
                following.extend(_models_in(field.annotation))
        current = following
    return current


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]
