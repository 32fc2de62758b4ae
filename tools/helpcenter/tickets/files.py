"""An attachment as it is kept: its type read from its bytes, and a name safe to store and show.

The Content-Type a request declares is the browser's guess from the file's extension, or
whatever a script wrote, so it is never believed. The first bytes say what the file is (the
signatures of the WHATWG MIME Sniffing standard); that detected type is what is stored and what
the help desks get, and it must be one of `attachments.types`: a PNG labelled image/jpeg is
kept as the PNG it is, an HTML page labelled image/png is refused. A file holding HTML markup
(`<script`, `<html`, `<iframe`, `<svg` …) is refused whatever it begins with: an image or a
PDF with a page inside (a polyglot) runs as that page wherever it is opened as one. A type
this module has no signature for (an allowed `application/vnd.…`) is taken as declared, as
nothing can check it, but the markup rule still applies.

The name a help desk shows and an agent saves is reduced to a safe base name (`safe_name`), and
its extension is made to agree with the detected type (`named`): `invoice.pdf.html` holding a
PNG is kept as `invoice.pdf.html.png`, so no desktop opens it as a page.

No dependency: the allowed types are a handful of formats with fixed, public signatures;
libmagic (python-magic) needs a system library and names thousands of types we refuse anyway.
"""

from __future__ import annotations

import re
import unicodedata

from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.store import Attachment

TEXT = "text/plain"
FALLBACK_NAME = "attachment"
MAX_NAME_BYTES = 200  # UTF-8 bytes: file systems allow 255, help desks add their own prefixes
# Signatures, each matched at the start of the file (the brands of WebP, AVIF and HEIC too).
SIGNATURES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (kind, re.compile(pattern, re.DOTALL)) for kind, pattern in (
        ("image/png", rb"\x89PNG\r\n\x1a\n"),
        ("image/jpeg", rb"\xff\xd8\xff"),
        ("image/gif", rb"GIF8[79]a"),
        ("image/webp", rb"RIFF.{4}WEBPVP"),
        ("image/tiff", rb"II\*\x00|MM\x00\*"),
        ("image/avif", rb".{4}ftypavi[fs]"),
        ("image/heic", rb".{4}ftyp(heic|heix|mif1|msf1)"),
        ("application/pdf", rb"%PDF-"),
    ))
KNOWN = {kind for kind, _ in SIGNATURES} | {TEXT}
# Text types a browser runs: text declared as one of them is kept as text/plain.
ACTIVE_TEXT = ("text/html", "text/xml", "text/javascript", "text/css")
EXTENSIONS = {
    "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",), "image/webp": (".webp",), "image/tiff": (".tif", ".tiff"),
    "image/avif": (".avif",), "image/heic": (".heic", ".heif"), "application/pdf": (".pdf",),
    # Text: the extensions of logs, exports and settings a customer sends, none of which a
    # browser or a desktop runs.
    TEXT: (".txt", ".text", ".log", ".csv", ".tsv", ".md", ".json", ".yaml", ".yml", ".ini",
           ".cfg", ".conf", ".out", ".err"),
}
# Markup that makes a page of whatever holds it: long and distinctive enough never to turn up
# by chance in compressed image data (a shorter tag such as `<a` is in most large JPEGs).
MARKUP = re.compile(rb"<(script|html|iframe|object|embed|frameset|body|svg|meta|!doctype\s+html)"
                    rb"[\s>/]", re.IGNORECASE)
# WHATWG's "sniff for HTML" (and XML) on what text begins with.
LEADING_MARKUP = re.compile(
    rb"[\t\n\x0c\r ]*(<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|"
    rb"b|body|br|p|!--)[ >]|<\?xml)", re.IGNORECASE)
# WHATWG's binary data bytes: a file with one of them is not text.
BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Taken out of names: controls (and lone surrogates, which a form's charset can spell), and
# the bidirectional overrides and isolates that make `gpj.exe` read as `exe.jpg`.
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                       "\ufeff\ud800-\udfff]")
# What Windows forbids in a name, and the separators of every system.
FORBIDDEN = re.compile(r'[<>:"|?*/\\]')
RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.IGNORECASE)
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def attachment(filename: str | None, declared: str | None, data: bytes,
               allowed: list[str]) -> Attachment:
    """The attachment to store, typed by its bytes and safely named; `Invalid` when its type
    is not allowed or it holds markup."""
    name = safe_name(filename or "")
    kind = sniff(data)
    declared = (declared or "").split(";")[0].strip().lower()
    if kind is None and declared in allowed and declared not in KNOWN:
        kind = declared  # a type we cannot check: the markup rule below still applies
    if kind == TEXT and declared.startswith("text/") and declared in allowed \
            and declared not in ACTIVE_TEXT:
        kind = declared  # text/csv and the like, where allowed: its bytes are text
    if kind is None or kind not in allowed:
        what = f"its content is {kind}" if kind else "its content is of no allowed type"
        raise Invalid.one("attachments", "type_not_allowed",
                          f"{name}: {what} (allowed: {', '.join(allowed)})")
    text = kind.startswith("text/")
    content = _as_utf8(data) if text else data
    if MARKUP.search(content) or (text and LEADING_MARKUP.match(content)):
        raise Invalid.one("attachments", "type_not_allowed",
                          f"{name}: it holds HTML markup, which is never accepted")
    return Attachment(named(name, kind), kind, data)


def sniff(data: bytes) -> str | None:
    """The type `data` is by its first bytes: a signature's type, text/plain for text (no
    binary data bytes, in UTF-8, a legacy charset or UTF-16 with its BOM), else None."""
    for kind, signature in SIGNATURES:
        if signature.match(data):
            return kind
    return TEXT if data and not BINARY.search(_as_utf8(data)) else None


def safe_name(filename: str, fallback: str = FALLBACK_NAME) -> str:
    """A base name to store and show: no folders (`../`, `C:\\`), no control characters or
    bidirectional overrides, nothing Windows forbids, no leading dots, at most
    `MAX_NAME_BYTES` with the extension kept; `fallback` when nothing is left."""
    name = unicodedata.normalize("NFC", INVISIBLE.sub("", filename))
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(FORBIDDEN.sub("_", name).split()).lstrip(". ").rstrip(". ")
    if RESERVED.match(name):
        name = "_" + name
    match = EXTENSION.search(name)
    extension = match.group(0) if match and match.start() > 0 else ""
    # No more characters than bytes allowed, before trimming a byte count char by char.
    stem = name[:len(name) - len(extension)][:MAX_NAME_BYTES]
    while stem and len((stem + extension).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    return (stem or fallback) + extension


def named(name: str, kind: str) -> str:
    """`name` with an extension that agrees with `kind`: kept when it does, else the type's
    own added (`photo.html` holding a PNG becomes `photo.html.png`)."""
    extensions = EXTENSIONS.get(kind) or (EXTENSIONS[TEXT] if kind.startswith("text/") else None)
    if not extensions:
        return name
    if name.lower().endswith(extensions):
        return name
    grown = name + extensions[0]
    while len(grown.encode("utf-8")) > MAX_NAME_BYTES:  # room for the extension
        name = name[:-1]
        grown = name + extensions[0]
    return grown


def _as_utf8(data: bytes) -> bytes:
    """Text after its byte order mark, as UTF-8 when the mark says UTF-16 (undecodable as
    that: kept as sent, so its NULs count as binary)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding).encode("utf-8", errors="replace")
            except UnicodeDecodeError:
                return data
    return data
