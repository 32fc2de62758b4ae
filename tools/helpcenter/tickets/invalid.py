"""A refused request (422): its errors, field by field, each with a stable code.

Each error is `{code, message}`: the code is stable (the form and the no-JavaScript pages
localize by it: `form.error.<code>`), the message is English for API clients. A field is named
by its path in the JSON body: `email`, `fields.order_number`, `context.chat.transcript`.
Pydantic's error types become these codes here and nowhere else (`CODES`).
"""

from __future__ import annotations

from itertools import takewhile

from pydantic import ValidationError

# Pydantic's error types as the service's codes.
CODES = {
    "missing": "required",
    "string_type": "type", "bool_type": "type", "int_type": "type", "list_type": "type",
    "model_type": "type", "greater_than_equal": "type", "less_than_equal": "type",
    "string_too_long": "too_long",
    "too_long": "too_many",          # a list with more items than allowed
    "extra_forbidden": "unknown_field",
}
# The codes the request models' own checks raise (values.py: OneOf, Matches, Number). Anything
# else pydantic might report is `invalid`, so no pydantic name ever reaches a client.
OWN_CODES = {"type", "invalid_email", "unknown_locale", "unknown_category", "unknown_channel",
             "unknown_type", "not_a_number", "not_an_option"}
MESSAGES = {
    "required": "is required",
    "too_long": "is longer than {max_length} characters",
    "too_many": "has more than {max_length} items",
    "unknown_field": "is not a form field",
}


class Invalid(Exception):
    """A request the service refuses: `errors` is `{field: {code, message}}`."""

    def __init__(self, errors: dict[str, dict[str, str]]):
        super().__init__("invalid request")
        self.errors = errors

    @classmethod
    def one(cls, key: str, code: str, message: str) -> Invalid:
        """One field's error, for the checks that are not the models' (body, captcha, files)."""
        return cls({key: {"code": code, "message": message}})

    @classmethod
    def unstorable(cls, keys: list[str]) -> Invalid:
        """Fields holding text no database stores (values.unstorable): U+0000, lone surrogates."""
        return cls({key: {"code": "invalid_character",
                          "message": f"{key} contains a character that cannot be stored "
                                     f"(U+0000 or a lone surrogate)"} for key in keys})

    @classmethod
    def from_validation(cls, exc: ValidationError) -> Invalid:
        """Pydantic's errors as the service's: one per field, the first found; an item of a
        list is reported on its list."""
        found: dict[str, dict[str, str]] = {}
        for item in exc.errors(include_url=False):
            path = takewhile(lambda part: not isinstance(part, int), item["loc"])
            key = ".".join(str(part) for part in path) or "body"
            kind = item["type"]
            if kind in OWN_CODES:
                code, message = kind, f"{key} {item['msg']}"
            else:
                code = CODES.get(kind, "invalid")
                message = (f"{key} {MESSAGES[code].format(**item.get('ctx', {}))}"
                           if code in MESSAGES else f"{key}: {item['msg']}")
            found.setdefault(key, {"code": code, "message": message})
        return cls(found)
