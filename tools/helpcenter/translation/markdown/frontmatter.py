"""Front matter: the values of the given YAML keys, edited in place in their own quoting style.

The YAML is never loaded and dumped again: that would reorder keys and lose comments and
quoting. Only the span of a value is replaced.
"""

from __future__ import annotations

import json
import re

import yaml

from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.encoders import one_line
from helpcenter.translation.markdown.lines import Line


_META = re.compile(r"[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"(?:[ ]{4}|\t)\s*\S")


class FrontMatter(Emitter):
    def front_matter(self, keys: tuple[str, ...]) -> list[Line]:
        """Segments for the given keys of the YAML front matter; returns the body's lines."""
        lines = self.lines
        if not re.match(r"-{3}[ \t]*$", lines[0].text) or not lines[0].eol:
            return self._multimarkdown_meta(keys)
        close = next((n for n in range(1, len(lines))
                      if re.match(r"(?:-{3}|\.{3})[ \t]*$", lines[n].text)), None)
        if close is None:
            return lines
        yaml_lines = lines[1:close]
        for n, line in enumerate(yaml_lines):
            m = re.match(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+|$)", line.text)
            if m and m.group(1) in keys:
                self._yaml_value(m.group(1), line, m.end(), yaml_lines[n + 1:])
        return lines[close + 1:]

    def _multimarkdown_meta(self, keys: tuple[str, ...]) -> list[Line]:
        """MkDocs' other front matter (its meta.get_data): `key: value` lines at the very top,
        up to a blank line or a line that is neither one nor its indented continuation. The
        page never shows them; a one-line value of a given key is a segment."""
        lines, n, key = self.lines, 0, None
        while n < len(lines) and not lines[n].blank:
            m = _META.match(lines[n].text)
            if m:
                key = m.group("key").lower()
                value = m.group("value").rstrip()
                more = n + 1 < len(lines) and _META_MORE.match(lines[n + 1].text)
                if key in keys and value and not more:
                    at = lines[n].start + m.start("value")
                    self.emit(f"front-matter:{key}", [(at, at + len(value))], lines[n].no,
                              lambda t, _: one_line(t), text=value, nested=False)
            elif not (key and _META_MORE.match(lines[n].text)):
                break
            n += 1
        return lines[n:]

    def _yaml_value(self, key: str, line: Line, at: int, after: list[Line]) -> None:
        """The value of `key:`, edited in place in its own quoting style."""
        kind = f"front-matter:{key}"
        raw = line.text[at:]
        start = line.start + at
        continued = bool(after) and not after[0].blank and after[0].indent() > 0
        if raw[:1] in "|>" and re.match(r"[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$", raw):
            self._yaml_block(kind, after)
        elif continued:
            return  # a scalar that spans lines: kept as is (a known limitation)
        elif raw[:1] == '"':
            m = re.match(r'"(?:[^"\\]|\\.)*"', raw)
            if m and re.match(r"[ \t]*(?:#.*)?$", raw[m.end():]):
                value = _yaml_scalar(m.group())
                if isinstance(value, str):
                    self.emit(kind, [(start, start + m.end())], line.no,
                              lambda t, _: json.dumps(one_line(t), ensure_ascii=False),
                              text=value, nested=False)
        elif raw[:1] == "'":
            m = re.match(r"'(?:[^']|'')*'", raw)
            if m and re.match(r"[ \t]*(?:#.*)?$", raw[m.end():]):
                value = m.group()[1:-1].replace("''", "'")
                self.emit(kind, [(start, start + m.end())], line.no,
                          lambda t, _: "'" + one_line(t).replace("'", "''") + "'",
                          text=value, nested=False)
        elif raw.strip() and raw[:1] not in "[{&*!%@`#":
            plain = re.split(r"[ \t]#", raw, maxsplit=1)[0].rstrip(" \t")
            value = _yaml_scalar(plain)
            if isinstance(value, str) and value == plain:
                self.emit(kind, [(start, start + len(plain))], line.no, _yaml_plain,
                          text=value, nested=False)

    def _yaml_block(self, kind: str, after: list[Line]) -> None:
        """A `|` or `>` block scalar: its indented lines, re-indented on the way back."""
        body = []
        for other in after:
            if not other.blank and other.indent() == 0:
                break
            body.append(other)
        while body and body[-1].blank:
            body.pop()
        while body and body[0].blank:
            body.pop(0)
        if not body:
            return
        width = min(b.indent() for b in body if not b.blank)
        lines = [b.dedent(width) for b in body]
        indent = self.source[body[0].begin:lines[0].start]
        eol = body[0].eol or "\n"

        def encode(t: str, source: str) -> str:
            rows = t.replace("\r\n", "\n").strip("\n").split("\n")
            return rows[0] + "".join(eol + (indent + row if row.strip() else "")
                                     for row in rows[1:])
        self.emit(kind, [(b.start, b.end) for b in lines], body[0].no, encode,
                  text="\n".join(b.text for b in lines), nested=False)


def _yaml_scalar(raw: str):
    try:
        return yaml.safe_load("k: " + raw)["k"]
    except (yaml.YAMLError, TypeError, KeyError):
        return None


def _yaml_plain(t: str, source: str) -> str:
    """A plain YAML value stays plain when it reads back as itself; else it is quoted."""
    t = one_line(t)
    if t and _yaml_scalar(t) == t and not t.startswith(("'", '"')):
        return t
    return json.dumps(t, ensure_ascii=False)
