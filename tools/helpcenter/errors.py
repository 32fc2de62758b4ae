"""Errors a user can cause, and how they are shown.

A `UserError` names the file (and line, where known) and says how to fix the problem.
The CLI prints it without a traceback and exits non-zero; anything else is our bug.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    def __init__(self, message: str, *, path: Path | str | None = None,
                 line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def location(self, root: Path | None = None) -> str:
        if self.path is None:
            return ""
        shown = self.path
        if root is not None:
            try:
                shown = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{shown}:{self.line}" if self.line else str(shown)

    def render(self, root: Path | None = None) -> str:
        where = self.location(root)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class UserErrors(UserError):
    """Several user errors found in one pass, reported together so a writer fixes them all at once."""

    def __init__(self, errors: list[UserError]):
        super().__init__(f"{len(errors)} problem(s) found")
        self.errors = errors

    def render(self, root: Path | None = None) -> str:
        return "\n".join(e.render(root) for e in self.errors)
