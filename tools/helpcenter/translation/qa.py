"""Quality checks on a machine draft, beyond its markup: numbers, glossary terms, length.

A draft that fails is kept for a person but flagged, so the build shows the source text there.
URLs and code travel inside tags (see `inline`), so a lost URL is already a tag mismatch.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:[.,:\u00a0\u202f ]\d+)*")
_CJK = ("ja", "zh", "ko")


def problems(source: str, draft: str, target: str, keep: list[str] = ()) -> list[str]:
    found = []
    missing = _numbers(source) - _numbers(draft)
    if missing:
        found.append("numbers missing: " + ", ".join(sorted(missing)))
    for term in keep:
        if term in source and term not in draft:
            found.append(f"do-not-translate term changed: {term}")
    if len(source) >= 20:
        ratio = len(draft) / len(source)
        low = 0.15 if target.split("-")[0] in _CJK else 0.3
        if not low <= ratio <= 4.0:
            found.append(f"length {ratio:.1f}x the source's")
    return found


def _numbers(text: str) -> set[str]:
    # 1,500 and 1 500 and 1.500 are the same number written for different readers: compare digits.
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(text)}
