"""Rewrite the README's configuration reference from the config declaration.

    .venv/bin/python tools/config_reference.py        # after adding or changing an option

tests/test_config_reference.py fails while the README's copy differs from the declaration.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpcenter import atomic
from helpcenter.config import reference

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if reference.START not in text or reference.END not in text:
        print(f"{README}: the markers {reference.START!r} … {reference.END!r} are missing",
              file=sys.stderr)
        return 1
    head, rest = text.split(reference.START, 1)
    _, tail = rest.split(reference.END, 1)
    atomic.write_text(README, head + reference.markdown() + tail)
    print(f"{README.name}: configuration reference rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
