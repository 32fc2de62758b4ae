"""The kinds of value a request carries, as pydantic types: each checks a value and describes
it in the OpenAPI document at once, so the two cannot disagree.

`Text(300, required=True)` is a subject, `Text(20, OneOf(locales, "unknown_locale"))` a locale.
A check that fails raises the service's own code (invalid.py lists them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

from helpcenter.request_form import EMAIL_PATTERN

# Whitespace spelled out: Python's \s and JSON Schema's (ECMA) \s differ on exotic spaces, and
# the OpenAPI document carries these same patterns; each one means the same in both dialects.
SPACE = " \t\r\n"
NOT_BLANK = r"[^ \t\r\n]"
EMAIL = re.compile(EMAIL_PATTERN)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# What no text column holds: PostgreSQL refuses U+0000 in text, and a lone surrogate (JSON's
# "\ud800" spells one) is not Unicode at all, so neither database can encode it.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# An Idempotency-Key: printable ASCII (the draft's key is a Structured Fields string).
IDEMPOTENCY_KEY = re.compile(r"^[ -~]{1,200}$")


def absent(value: Any) -> bool:
    """Null means absent, and so does text that is only spaces."""
    return value is None or (isinstance(value, str) and not value.strip(SPACE))


class _Check:
    """A mark on a type (`Annotated[str, OneOf(...)]`): `_check` runs once the type is checked."""

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self._check, handler(source))


@dataclass(frozen=True)
class OneOf(_Check):
    """The value must be one of `values`, else the error is `code`; the document lists them."""
    values: tuple[str, ...]
    code: str

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "enum": list(self.values)}

    def _check(self, value):
        if value not in self.values:
            raise PydanticCustomError(self.code, "must be one of {values}",
                                      {"values": ", ".join(self.values)})
        return value


@dataclass(frozen=True)
class Matches(_Check):
    """The text must match `pattern` (the same in Python and ECMA), else the error is `code`."""
    pattern: re.Pattern
    code: str
    meaning: str

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "pattern": self.pattern.pattern}

    def _check(self, value):
        if not self.pattern.match(value):
            raise PydanticCustomError(self.code, "is not {meaning}", {"meaning": self.meaning})
        return value


EMAIL_ADDRESS = Matches(EMAIL, "invalid_email", "a valid address")


def Text(limit: int, *checks: Any, required: bool = False) -> Any:
    """A string of at most `limit` characters (counted as sent), kept stripped of `SPACE`;
    `checks` run on the stripped text. A required one is never blank: blank is absent."""
    bounds = Field(max_length=limit, min_length=1, pattern=NOT_BLANK) if required else Field(
        max_length=limit)
    return Annotated[(str, bounds, AfterValidator(_strip), *checks)]


def Truncated(limit: int) -> Any:
    """A string kept to its first `limit` characters (a long search is not an error)."""
    return Annotated[str, AfterValidator(lambda value: value[:limit])]


def Strings(items: int, chars: int) -> Any:
    """A list of at most `items` strings, each kept to `chars` characters."""
    return Annotated[list[Truncated(chars)], Field(max_length=items)]


def Count(maximum: int) -> Any:
    """A whole number from 0 to `maximum`."""
    return Annotated[int, Field(strict=True, ge=0, le=maximum), _Integral()]


def Number(code: str, minimum: float | None = None) -> Any:
    """A number, or its digits as text (form posts send text: `"12.5"` becomes 12.5)."""
    def number(value):
        if isinstance(value, str) and NUMBER.match(value):
            value = float(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PydanticCustomError(code, "must be a number")
        if minimum is not None and value < minimum:
            raise PydanticCustomError(code, "must be at least {minimum}", {"minimum": minimum})
        return value
    bound = {} if minimum is None else {"minimum": minimum}
    return Annotated[float, PlainValidator(number), WithJsonSchema({"anyOf": [
        {"type": "number", **bound}, {"type": "string", "pattern": NUMBER.pattern}]})]


def unstorable(data: Any) -> list[str]:
    """The fields of a JSON-shaped body whose text no database can store, in body order, named
    as invalid.py names fields: an item of a list on its list, a bad key on the object that
    holds it. Every string is seen, custom fields and context included; iterative, as a body
    may nest as deep as the JSON parser allows."""
    found: dict[str, None] = {}
    stack: list[tuple[str, Any, bool]] = [("", data, False)]  # (path, value, inside a list)
    while stack:
        path, value, listed = stack.pop()
        if isinstance(value, str):
            bad = UNSTORABLE.search(value) is not None
        elif isinstance(value, dict):
            bad = any(UNSTORABLE.search(str(key)) for key in value)
            if not bad:
                stack.extend((path if listed else f"{path}.{key}".lstrip("."), item, listed)
                             for key, item in reversed(value.items()))
        elif isinstance(value, list):
            bad = False
            stack.extend((path, item, True) for item in reversed(value))
        else:
            bad = False
        if bad:
            found.setdefault(path or "body")
    return list(found)


def _strip(value: str) -> str:
    return value.strip(SPACE)


class _Integral:
    """JSON has one number type: 3.0 is the integer 3 where an integer is expected."""

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_before_validator_function(self._whole, handler(source))

    @staticmethod
    def _whole(value):
        return int(value) if isinstance(value, float) and value.is_integer() else value
