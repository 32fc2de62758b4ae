"""Text a customer typed, made safe to print on a staff member's terminal.

A ticket's subject, a search query or a file name can hold bytes a terminal obeys instead of
showing: ESC sequences (clear the screen, recolour, set the window title, on some terminals
write a file or answer back), BEL, backspace and CR (overwrite what was printed), C1 controls
(U+0080–U+009F: U+009B is a one-character CSI) and bidi controls (U+202E before
`fdp.exe` shows `invoiceexe.pdf`). `printable()` shows each of them as the
escape a programmer would write (`\\x1b`, `\\x9b`, `\\u202e`), so staff see that the text held
one and nothing runs. Every staff command prints customer text through it; JSON stays exact
through `json_text()`, which writes the same characters as JSON escapes.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 (tab and newline handled apart), DEL, C1; the bidi embeddings, overrides, isolates and
# marks; line and paragraph separators, which some terminals and editors treat as newlines.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\r\n|\n")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: Any, *, one_line: bool = False) -> str:
    """TEXT with every control character shown as its escape; with `one_line`, line breaks
    shown as ⏎ and tabs as spaces, so one record stays one row of a listing."""
    text = "" if text is None else str(text)
    if one_line:
        text = _LINE_BREAK.sub("⏎", text).replace("\t", " ")
    return _UNSAFE.sub(_escape, text)


def json_text(data: Any, indent: int | None = 2) -> str:
    """DATA as JSON that parses back to exactly DATA and prints no control character: the ones
    json.dumps writes raw under ensure_ascii=False (DEL, C1, bidi) become \\uXXXX escapes too.
    They can only occur inside strings, where an escape means the same character."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
