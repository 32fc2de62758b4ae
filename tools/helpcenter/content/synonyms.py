"""Search synonyms per locale: `locales/<locale>/search.yml`, a file writers edit.

    refund: [money back, reimbursement]
    password: [passcode, login code]

A term the articles use, and what customers type instead. The search box applies them to the
query in the browser: a query holding one of the alternatives also searches with the term in
its place, and the results of both are merged. Words are matched without case.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpcenter.errors import UserError

FILE = "search.yml"
Synonyms = tuple[tuple[str, tuple[str, ...]], ...]
_HINT = "write one term per line with the words customers use for it: `refund: [money back, reimbursement]`"


def load(locales_dir: Path, locale: str) -> Synonyms:
    path = locales_dir / locale / FILE
    if not path.is_file():
        return ()
    text = path.read_text(encoding="utf-8")
    try:
        data, root = yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"malformed search synonyms: {getattr(exc, 'problem', exc)}", path=path,
                        line=mark.line + 1 if mark else None, hint=_HINT) from None
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise UserError("search synonyms must be a mapping of terms", path=path, line=1, hint=_HINT)
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in root.value}
    found = []
    for term, alternatives in data.items():
        alternatives = [alternatives] if isinstance(alternatives, (str, int, float)) else alternatives
        if (not isinstance(term, (str, int, float)) or not isinstance(alternatives, list)
                or not all(isinstance(a, (str, int, float)) for a in alternatives)):
            raise UserError(f"search synonyms: {term!r} must map to a list of words", path=path,
                            line=lines.get(str(term)), hint=_HINT)
        words = tuple(w for w in (" ".join(str(a).lower().split()) for a in alternatives) if w)
        if words:
            found.append((" ".join(str(term).lower().split()), words))
    return tuple(found)
