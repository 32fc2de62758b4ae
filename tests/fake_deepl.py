"""A fake DeepL API on loopback, for driving the real ``deepl`` SDK in tests.

Real DeepL is unreachable from the test environment, and mocking the SDK would hide what we
most need to test: the wire format, the limits and the SDK's own retry and error mapping.
So the SDK talks HTTP to this server through ``deepl.DeepLClient(key, server_url=...)``.

Shapes, limits and error messages follow deepl 1.32.0's parsers and DeepL's own mock server
(DeepLcom/deepl-mock). Where the real service is lenient and the fake is strict (target ``ZH``,
JSON ``text`` as a bare string), the fake errs on the side of failing loudly.

Translation is a deterministic stand-in: ``"[DE] "`` is put before the first translatable
text, and letter case is swapped in text (never in markup when ``tag_handling`` is set, never
inside ``ignore_tags``). Glossary terms are replaced by their target term verbatim. A text
with nothing translatable in it (blank, or only markup) comes back unchanged.

    with FakeDeepL() as fake:
        client = deepl.DeepLClient(fake.auth_key, server_url=fake.url)
        client.translate_text("Hello", target_lang="DE").text  # "[DE] hELLO"

Or in pytest: import the ``fake_deepl`` fixture, or build one with ``serving()``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

__all__ = [
    "Call", "FakeDeepL", "TranslateCall", "fake_deepl", "fake_translate", "fast_sdk", "serving",
    "MAX_TEXTS", "MAX_REQUEST_BYTES",
]

MAX_TEXTS = 50
MAX_REQUEST_BYTES = 128 * 1024
# Glossaries may be up to 10 MiB; anything far beyond is a test bug, and reading it would only
# make the test slow.
_MAX_BODY_BYTES = 11 * 1024 * 1024
# A hung request must never outlive the test run.
_MAX_HANG_SECONDS = 60.0
# What DeepL Pro reports as the limit when no cost control is set.
_UNLIMITED = 1_000_000_000_000

_SOURCE = {
    "AR": "Arabic", "BG": "Bulgarian", "CS": "Czech", "DA": "Danish", "DE": "German",
    "EL": "Greek", "EN": "English", "ES": "Spanish", "ET": "Estonian", "FI": "Finnish",
    "FR": "French", "HE": "Hebrew", "HU": "Hungarian", "ID": "Indonesian", "IT": "Italian",
    "JA": "Japanese", "KO": "Korean", "LT": "Lithuanian", "LV": "Latvian",
    "NB": "Norwegian (Bokmål)", "NL": "Dutch", "PL": "Polish", "PT": "Portuguese",
    "RO": "Romanian", "RU": "Russian", "SK": "Slovak", "SL": "Slovenian", "SV": "Swedish",
    "TH": "Thai", "TR": "Turkish", "UK": "Ukrainian", "VI": "Vietnamese", "ZH": "Chinese",
}
# Base languages that only exist as targets through a regional variant.
_VARIANTS = {
    "EN": {"EN-GB": "English (British)", "EN-US": "English (American)"},
    "PT": {"PT-BR": "Portuguese (Brazilian)", "PT-PT": "Portuguese (European)"},
    "ZH": {"ZH-HANS": "Chinese (simplified)", "ZH-HANT": "Chinese (traditional)"},
}
_TARGET = {}
for _code, _name in _SOURCE.items():
    _TARGET.update(_VARIANTS.get(_code, {_code: _name}))
_FORMALITY_TARGETS = {"DE", "ES", "FR", "IT", "JA", "NL", "PL", "PT-BR", "PT-PT", "RU"}
_FORMALITIES = {"default", "more", "less", "prefer_more", "prefer_less"}
_GLOSSARY_LANGS = set(_SOURCE)
_MODEL_TYPES = {"quality_optimized", "latency_optimized", "prefer_quality_optimized"}
_HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
              "source", "track", "wbr"}

_MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>"
    r"|</?[A-Za-z_][^<>]*>"
    r"|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);",
    re.S,
)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z_][\w.:-]*)")


class _Reject(Exception):
    """An API error answer; raised anywhere below a handler."""

    def __init__(self, status: int, message: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.status, self.message, self.detail = status, message, detail


class _ParseFailed(Exception):
    pass


# ---- the stand-in translation -------------------------------------------------------------

def _swap_char(ch: str) -> str:
    # str.swapcase would turn "ß" into "SS": keep one character for one, so offsets and
    # lengths survive and the transform stays reversible.
    if ch.islower():
        up = ch.upper()
        return up if len(up) == 1 else ch
    if ch.isupper():
        low = ch.lower()
        return low if len(low) == 1 else ch
    return ch


def _swap(text: str) -> str:
    return "".join(_swap_char(ch) for ch in text)


def _glossary_pattern(entries: dict[str, str]) -> re.Pattern[str] | None:
    if not entries:
        return None
    parts = []
    # Longest first, so "credit card" wins over "card".
    for term in sorted(entries, key=len, reverse=True):
        left = r"(?<!\w)" if term[0].isalnum() or term[0] == "_" else ""
        right = r"(?!\w)" if term[-1].isalnum() or term[-1] == "_" else ""
        parts.append(left + re.escape(term) + right)
    return re.compile("|".join(parts))


def _translate_chunk(chunk: str, pattern: re.Pattern[str] | None, entries: dict[str, str]) -> str:
    if pattern is None:
        return _swap(chunk)
    out, pos = [], 0
    for m in pattern.finditer(chunk):
        out.append(_swap(chunk[pos:m.start()]))
        out.append(entries[m.group(0)])
        pos = m.end()
    out.append(_swap(chunk[pos:]))
    return "".join(out)


def _with_prefix(chunk: str, prefix: str) -> str:
    stripped = chunk.lstrip()
    return chunk[: len(chunk) - len(stripped)] + prefix + stripped


def fake_translate(
    text: str,
    target_lang: str,
    *,
    tag_handling: str | None = None,
    ignore_tags: Iterable[str] = (),
    glossary: dict[str, str] | None = None,
    strict: bool = False,
) -> str:
    """The fake's default translation of one text, for computing expected values in tests.

    ``strict`` parses the markup like ``tag_handling_version=v2`` and raises ``ValueError``
    on malformed XML.
    """
    try:
        return _translate(text, target_lang.upper(), tag_handling, set(ignore_tags),
                          glossary or {}, strict)
    except _ParseFailed as e:
        raise ValueError(str(e)) from None


def _translate(text: str, target: str, tag_handling: str | None, ignore: set[str],
               glossary: dict[str, str], strict: bool) -> str:
    prefix = f"[{target}] "
    pattern = _glossary_pattern(glossary)
    if not text.strip():
        return text  # DeepL hands back blank input unchanged
    if tag_handling not in ("xml", "html"):
        # Without tag handling, markup is just text: it gets mangled, as it would be for real.
        return _with_prefix(_translate_chunk(text, pattern, glossary), prefix)

    html = tag_handling == "html"
    out: list[str] = []
    stack: list[str] = []
    ignored_depth = 0
    prefixed = False
    pos = 0

    def text_chunk(chunk: str) -> None:
        nonlocal prefixed
        if not chunk:
            return
        if strict and ("<" in chunk or re.search(r"&(?![#\w]+;)", chunk)):
            raise _ParseFailed("Tag handling parsing failed")
        if ignored_depth:
            out.append(chunk)
            return
        done = _translate_chunk(chunk, pattern, glossary)
        if not prefixed and chunk.strip():
            done = _with_prefix(done, prefix)
            prefixed = True
        out.append(done)

    for m in _MARKUP.finditer(text):
        text_chunk(text[pos:m.start()])
        token = m.group(0)
        out.append(token)
        pos = m.end()
        if not token.startswith("<") or token.startswith(("<!", "<?")):
            continue
        name_match = _TAG_NAME.match(token)
        name = name_match.group(1) if name_match else ""
        if html:
            name = name.lower()
        if token.startswith("</"):
            if name in stack:
                if strict and stack[-1] != name:
                    raise _ParseFailed("Tag handling parsing failed")
                while stack:
                    top = stack.pop()
                    if top in ignore:
                        ignored_depth -= 1
                    if top == name:
                        break
            elif strict:
                raise _ParseFailed("Tag handling parsing failed")
        elif not token.endswith("/>") and not (html and name in _HTML_VOID):
            stack.append(name)
            if name in ignore:
                ignored_depth += 1
    text_chunk(text[pos:])
    if strict and stack:
        raise _ParseFailed("Tag handling parsing failed")
    return "".join(out)


def _detect(text: str) -> str:
    if re.search(r"[\u3040-\u30ff]", text):
        return "JA"
    if re.search(r"[\uac00-\ud7af]", text):
        return "KO"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "ZH"
    if re.search(r"[\u0600-\u06ff]", text):
        return "AR"
    if re.search(r"[\u0400-\u04ff]", text):
        return "RU"
    return "EN"


# ---- records and hooks ----------------------------------------------------------------------

@dataclass
class Call:
    """One request the fake received, as the tests see it."""

    method: str
    path: str
    endpoint: str  # the path with ids replaced: "/v3/glossaries/{id}/entries"
    status: int = 0
    auth_key: str | None = None
    texts: int = 0  # number of `text` values sent to /v2/translate
    characters: int = 0  # characters in those texts, whether billed or not
    billed: int = 0  # characters billed by this request
    source_lang: str | None = None
    target_lang: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    injected: str | None = None  # "fail" or "hang" when a test control shaped the answer
    body_bytes: int = 0


@dataclass
class TranslateCall:
    """What a transform hook receives; ``default()`` gives the fake's own translations."""

    texts: list[str]
    source_lang: str | None
    target_lang: str
    tag_handling: str | None
    ignore_tags: list[str]
    glossary: dict[str, str]
    params: dict[str, Any]
    strict: bool = False

    def default(self) -> list[str]:
        return [_translate(t, self.target_lang, self.tag_handling, set(self.ignore_tags),
                           self.glossary, self.strict) for t in self.texts]


@dataclass
class _Injection:
    times: int
    endpoint: str | None
    status: int = 0
    retry_after: float | None = None
    message: str | None = None
    seconds: float = 0.0


@dataclass
class _Dictionary:
    source: str
    target: str
    entries: dict[str, str]


@dataclass
class _Glossary:
    glossary_id: str
    name: str
    owner: str
    created: str
    dictionaries: list[_Dictionary]

    def find(self, source: str, target: str) -> _Dictionary | None:
        return next((d for d in self.dictionaries
                     if d.source == source and d.target == target), None)

    def info(self) -> dict[str, Any]:
        return {
            "glossary_id": self.glossary_id,
            "name": self.name,
            "creation_time": self.created,
            "dictionaries": [_dictionary_info(d) for d in self.dictionaries],
        }


def _dictionary_info(d: _Dictionary) -> dict[str, Any]:
    # The API answers with lower-case codes; the SDK upper-cases them itself.
    return {"source_lang": d.source.lower(), "target_lang": d.target.lower(),
            "entry_count": len(d.entries)}


# ---- request parsing --------------------------------------------------------------------------

_ID_SEGMENT = re.compile(r"^/v3/glossaries/([^/]+)")


def _endpoint(path: str) -> str:
    return _ID_SEGMENT.sub("/v3/glossaries/{id}", path, count=1)


def _params(handler: BaseHTTPRequestHandler, body: bytes, query: str) -> tuple[dict, bool]:
    """Query and body merged, lists kept for repeated form fields. Returns (params, is_json).

    The body is read for GET too: the SDK sends ``type=target`` for /v2/languages as a form
    body on a GET request.
    """
    params: dict[str, Any] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        params[key] = values if len(values) > 1 else values[0]
    ctype = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not body:
        return params, False
    if ctype == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _Reject(400, "Invalid request: could not parse JSON body") from None
        if not isinstance(data, dict):
            raise _Reject(400, "Invalid request: expected a JSON object")
        params.update(data)
        return params, True
    if ctype in ("application/x-www-form-urlencoded", ""):
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise _Reject(400, "Invalid request: body is not UTF-8") from None
        for key, values in form.items():
            # Form fields repeat (text=a&text=b); list-valued params need every value.
            params[key] = values if len(values) > 1 or key in _LIST_PARAMS else values[0]
        return params, False
    raise _Reject(415, f"Unsupported content type {ctype!r}")


_LIST_PARAMS = {"text", "ignore_tags", "non_splitting_tags", "splitting_tags", "glossary_ids"}


def _as_bool(params: dict, name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("0", "1", "true", "false"):
        return value.lower() in ("1", "true")
    raise _Reject(400, f"Value for '{name}' not supported.")


def _tag_list(params: dict, name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise _Reject(400, f"Value for '{name}' not supported.")
    return [tag.strip() for v in values for tag in v.split(",") if tag.strip()]


def _str_param(params: dict, name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is not None and not isinstance(value, str):
        raise _Reject(400, f"Value for '{name}' not supported.")
    return value


def _parse_entries(entries: Any, fmt: Any) -> dict[str, str]:
    if fmt not in ("tsv", "csv"):
        raise _Reject(400, "Value for 'entries_format' not supported.")
    if not isinstance(entries, str) or not entries.strip():
        raise _Reject(400, "Missing or invalid argument: entries")
    result: dict[str, str] = {}
    if fmt == "tsv":
        rows = []
        for index, line in enumerate(entries.splitlines()):
            if not line.strip():
                continue
            if "\t" not in line:
                raise _Reject(400, "Invalid glossary entries provided",
                              f"Key with the index {index} misses tab separator")
            rows.append(line.split("\t", 1))
    else:
        rows = [row[:2] for row in csv.reader(io.StringIO(entries)) if row]
        if any(len(row) < 2 for row in rows):
            raise _Reject(400, "Invalid glossary entries provided", "CSV row without target")
    for index, (source, target) in enumerate(rows):
        source, target = source.strip(), target.strip()
        if not source or not target:
            raise _Reject(400, "Invalid glossary entries provided",
                          f"Key with the index {index} is empty")
        if source in result:
            raise _Reject(400, "Invalid glossary entries provided",
                          f"Key with the index {index} duplicates an earlier key")
        result[source] = target
    return result


def _glossary_pair(source: Any, target: Any) -> tuple[str, str]:
    if not isinstance(source, str) or not isinstance(target, str):
        raise _Reject(400, "Missing or invalid argument: source_lang/target_lang")
    source, target = source.upper(), target.upper()
    if source not in _GLOSSARY_LANGS or target not in _GLOSSARY_LANGS or source == target:
        raise _Reject(400, "Unsupported glossary source and target language pair")
    return source, target


def _dictionary(spec: Any) -> _Dictionary:
    if not isinstance(spec, dict):
        raise _Reject(400, "Missing or invalid argument: dictionaries")
    source, target = _glossary_pair(spec.get("source_lang"), spec.get("target_lang"))
    return _Dictionary(source, target,
                       _parse_entries(spec.get("entries"), spec.get("entries_format")))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# ---- the server -----------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    # The SDK keeps connections alive through a requests.Session.
    protocol_version = "HTTP/1.1"
    server_version = "FakeDeepL/1.0"
    # Idle keep-alive connections would otherwise pin a thread until the client goes away.
    timeout = 10

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; with Nagle and delayed ACKs each keep-alive
        # request would then stall ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        self.server.fake._handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request log is FakeDeepL.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class FakeDeepL:
    """A threaded fake DeepL API on 127.0.0.1.

    Test controls (Python only, never HTTP):

    - ``billed_characters``: total billed since start or ``reset()``; ``requests``: list of
      :class:`Call`; ``translate_calls()``: the /v2/translate subset.
    - ``fail_next(status, times=1, retry_after=None)``: answer the next requests with an error.
    - ``hang_next(seconds)``: stall the next request, then answer it normally (it is billed,
      as a request the client gave up on may well be).
    - ``quota``: character limit; a translation that would pass it is answered 456 and not
      billed. ``None`` means unlimited.
    - ``transform``: ``fn(TranslateCall) -> list[str] | None``, called for every accepted
      translation request; ``None`` from it means "use the default".
    - ``glossaries``: the stored v3 glossaries, ``{id: _Glossary}``.
    - ``errors``: exceptions raised inside the fake (or the hook); each was answered 500.
    """

    def __init__(
        self,
        *,
        auth_keys: Iterable[str] = ("fake-deepl-key",),
        port: int = 0,
        quota: int | None = None,
        transform: Callable[[TranslateCall], list[str] | None] | None = None,
        max_texts: int = MAX_TEXTS,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ):
        self.auth_keys: set[str] = set(auth_keys)
        if not self.auth_keys:
            raise ValueError("at least one auth key is needed")
        self.auth_key = next(iter(auth_keys))
        self.quota = quota
        self.transform = transform
        self.max_texts = max_texts
        self.max_request_bytes = max_request_bytes
        self._port = port
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle

    def start(self) -> FakeDeepL:
        if self._server is not None:
            return self
        self._stopping.clear()
        # Loopback only: the fake must never be reachable from outside the test machine.
        self._server = _Server(("127.0.0.1", self._port), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fake-deepl", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes hung requests
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeDeepL:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeDeepL is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        # No trailing path: the SDK urljoin()s "v2/translate" onto it, which drops any path.
        return f"http://127.0.0.1:{self.port}"

    def client(self, auth_key: str | None = None, **kwargs: Any):
        """A real ``deepl.DeepLClient`` pointed at this fake."""
        import deepl

        return deepl.DeepLClient(auth_key or self.auth_key, server_url=self.url, **kwargs)

    # -- test controls

    def reset(self) -> None:
        """Forget billing, the request log, pending failures and hangs, and all glossaries."""
        with self._lock:
            self.billed_characters = 0
            self.requests: list[Call] = []
            self.errors: list[BaseException] = []
            self.glossaries: dict[str, _Glossary] = {}
            self._fails: list[_Injection] = []
            self._hangs: list[_Injection] = []

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None,
                  *, endpoint: str | None = None, message: str | None = None) -> None:
        """Answer the next ``times`` requests (to ``endpoint``, e.g. "/v2/translate", if
        given) with ``status``. Typical: 429, 500, 503, 456. Nothing is billed."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._fails.append(_Injection(times, endpoint, status=status,
                                          retry_after=retry_after, message=message))

    def hang_next(self, seconds: float, times: int = 1, *, endpoint: str | None = None) -> None:
        """Stall the next ``times`` requests for ``seconds`` before answering them.

        The SDK's per-attempt timeout is ``max(backoff, deepl.http_client.min_connection_timeout)``
        (10 s by default): lower that (see ``fast_sdk``) to see a timeout quickly.
        """
        if not 0 <= seconds <= _MAX_HANG_SECONDS:
            raise ValueError(f"seconds must be within [0, {_MAX_HANG_SECONDS}]")
        with self._lock:
            self._hangs.append(_Injection(times, endpoint, seconds=seconds))

    def translate_calls(self) -> list[Call]:
        with self._lock:
            return [c for c in self.requests if c.endpoint == "/v2/translate"]

    # -- request handling

    def _take(self, queue: list[_Injection], endpoint: str) -> _Injection | None:
        with self._lock:
            for inj in queue:
                if inj.endpoint is None or inj.endpoint == endpoint:
                    inj.times -= 1
                    if inj.times <= 0:
                        queue.remove(inj)
                    return inj
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = split.path.rstrip("/") or "/"
        call = Call(method=handler.command, path=path, endpoint=_endpoint(path))
        with self._lock:
            self.requests.append(call)

        length = int(handler.headers.get("Content-Length") or 0)
        call.body_bytes = length
        if length > _MAX_BODY_BYTES:
            # Too big to be worth reading: answer and drop the connection.
            handler.close_connection = True
            self._send(handler, call, 413, {"message": "Request Entity Too Large"})
            return
        body = handler.rfile.read(length) if length else b""

        hang = self._take(self._hangs, call.endpoint)
        if hang is not None:
            call.injected = "hang"
            self._stopping.wait(hang.seconds)
        fail = self._take(self._fails, call.endpoint)
        if fail is not None:
            call.injected = "fail"
            headers = {}
            if fail.retry_after is not None:
                headers["Retry-After"] = f"{fail.retry_after:g}"
            message = fail.message or _DEFAULT_MESSAGES.get(fail.status, "Injected failure")
            self._send(handler, call, fail.status, {"message": message}, headers)
            return

        try:
            if call.endpoint == "/v2/translate" and length > self.max_request_bytes:
                raise _Reject(413, "Request Entity Too Large",
                              f"The request body exceeds {self.max_request_bytes} bytes")
            call.auth_key = self._auth(handler)
            params, is_json = _params(handler, body, split.query)
            call.params = params
            status, payload = self._route(handler.command, path, params, is_json, call)
        except _Reject as e:
            payload = {"message": e.message} if e.message is not None else None
            if e.detail is not None and payload is not None:
                payload["detail"] = e.detail
            self._send(handler, call, e.status, payload)
            return
        except Exception as e:  # a bug in the fake or in a test's transform hook
            # Answer rather than drop the connection (which the SDK would retry), and keep
            # the exception where the test can find it.
            with self._lock:
                self.errors.append(e)
            self._send(handler, call, 500, {"message": f"FakeDeepL error: {e!r}"})
            return
        self._send(handler, call, status, payload)

    def _auth(self, handler: BaseHTTPRequestHandler) -> str:
        header = handler.headers.get("Authorization") or ""
        scheme, _, key = header.partition(" ")
        if scheme != "DeepL-Auth-Key" or key.strip() not in self.auth_keys:
            raise _Reject(403, "Authorization failure, check auth_key")
        return key.strip()

    def _send(self, handler: BaseHTTPRequestHandler, call: Call, status: int,
              payload: Any, headers: dict[str, str] | None = None) -> None:
        call.status = status
        try:
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            if status == 204 or payload is None:
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            # The client gave up (e.g. its timeout fired during hang_next): nothing to tell it.
            handler.close_connection = True

    def _route(self, method: str, path: str, params: dict, is_json: bool,
               call: Call) -> tuple[int, Any]:
        key = call.auth_key or ""
        if path == "/v2/translate":
            self._method(method, "POST", "GET")
            return 200, self._translate(params, is_json, call)
        if path == "/v2/usage":
            self._method(method, "GET", "POST")
            limit = self.quota if self.quota is not None else _UNLIMITED
            return 200, {"character_count": self.billed_characters, "character_limit": limit}
        if path == "/v2/languages":
            self._method(method, "GET", "POST")
            kind = _str_param(params, "type") or "source"
            if kind not in ("source", "target"):
                raise _Reject(400, "Parameter 'type' is invalid. "
                                   "'source' and 'target' are valid values.")
            if kind == "source":
                return 200, [{"language": c, "name": n} for c, n in _SOURCE.items()]
            return 200, [{"language": c, "name": n, "supports_formality": c in _FORMALITY_TARGETS}
                         for c, n in _TARGET.items()]
        if path == "/v2/glossary-language-pairs":
            self._method(method, "GET")
            langs = sorted(_GLOSSARY_LANGS)
            return 200, {"supported_languages": [
                {"source_lang": s.lower(), "target_lang": t.lower()}
                for s in langs for t in langs if s != t]}
        if path == "/v3/glossaries":
            if method == "GET":
                with self._lock:
                    mine = [g.info() for g in self.glossaries.values() if g.owner == key]
                return 200, {"glossaries": mine}
            self._method(method, "POST")
            return 201, self._create_glossary(params, is_json, key)
        m = re.fullmatch(r"/v3/glossaries/([^/]+)(/entries|/dictionaries)?", path)
        if m:
            return self._glossary_route(method, m.group(1), m.group(2), params, is_json, key)
        raise _Reject(404, "Not found")

    @staticmethod
    def _method(method: str, *allowed: str) -> None:
        if method not in allowed:
            raise _Reject(405, "Method not allowed")

    # -- /v2/translate

    def _translate(self, params: dict, is_json: bool, call: Call) -> dict[str, Any]:
        texts = params.get("text")
        if texts is None or texts == []:
            raise _Reject(400, "Parameter 'text' not specified.")
        if not is_json and isinstance(texts, str):
            texts = [texts]
        # In JSON the API takes `text` as an array only; be strict so raw callers notice.
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise _Reject(400, "Value for 'text' not supported.")
        call.texts = len(texts)
        call.characters = sum(len(t) for t in texts)
        call.params = {k: v for k, v in params.items()}
        if len(texts) > self.max_texts:
            raise _Reject(413, "Request Entity Too Large",
                          f"Too many texts: at most {self.max_texts} per request")

        target = _str_param(params, "target_lang")
        if not target:
            raise _Reject(400, "Parameter 'target_lang' not specified.")
        target = target.upper()
        call.target_lang = target
        if target not in _TARGET:
            base = target.split("-")[0]
            if base in _VARIANTS:
                variants = '" or "'.join(_VARIANTS[base])
                raise _Reject(400, "Value for 'target_lang' not supported.",
                              f'target_lang="{target}" needs a variant: "{variants}"')
            raise _Reject(400, "Value for 'target_lang' not supported.")
        source = _str_param(params, "source_lang")
        if source:
            source = source.upper()
            call.source_lang = source
            if source not in _SOURCE:
                raise _Reject(400, "Value for 'source_lang' not supported.")

        formality = _str_param(params, "formality")
        if formality is not None:
            formality = formality.lower()
            if formality not in _FORMALITIES:
                raise _Reject(400, "Value for 'formality' not supported.")
            if formality in ("more", "less") and target not in _FORMALITY_TARGETS:
                raise _Reject(400, "'formality' is not supported for given 'target_lang'.")

        tag_handling = _str_param(params, "tag_handling")
        if tag_handling is not None and tag_handling not in ("xml", "html"):
            raise _Reject(400, "Value for 'tag_handling' not supported.")
        version = _str_param(params, "tag_handling_version")
        if version is not None and version not in ("v1", "v2"):
            raise _Reject(400, "Value for 'tag_handling_version' not supported.")
        split = params.get("split_sentences")
        if split is not None and str(split) not in ("0", "1", "nonewlines"):
            raise _Reject(400, "Value for 'split_sentences' not supported.")
        for name in ("preserve_formatting", "outline_detection", "show_billed_characters"):
            _as_bool(params, name)
        ignore = _tag_list(params, "ignore_tags")
        for name in ("non_splitting_tags", "splitting_tags"):
            _tag_list(params, name)
        context = params.get("context")
        if context is not None and not isinstance(context, str):
            raise _Reject(400, "Value for 'context' not supported.")
        model_type = _str_param(params, "model_type")
        if model_type is not None and model_type not in _MODEL_TYPES:
            raise _Reject(400, "Value for 'model_type' not supported.")

        entries = self._glossary_for(params, source, target, call.auth_key or "")

        hook_call = TranslateCall(texts=list(texts), source_lang=source, target_lang=target,
                                  tag_handling=tag_handling, ignore_tags=ignore,
                                  glossary=entries, params=call.params,
                                  strict=tag_handling == "xml" and version == "v2")
        try:
            translated = (self.transform(hook_call) if self.transform else None)
            if translated is None:
                translated = hook_call.default()
        except _ParseFailed as e:
            raise _Reject(400, str(e)) from None
        if len(translated) != len(texts):
            raise ValueError("transform hook must return one translation per text")

        # Billing counts source characters only: `context` is free, as DeepL documents.
        billed = [len(t) for t in texts]
        with self._lock:
            if self.quota is not None and self.billed_characters + sum(billed) > self.quota:
                raise _Reject(456, "Quota for this billing period has been exceeded.")
            self.billed_characters += sum(billed)
        call.billed = sum(billed)

        show_billed = _as_bool(params, "show_billed_characters")
        out = []
        for original, text, count in zip(texts, translated, billed):
            item: dict[str, Any] = {
                "detected_source_language": source.split("-")[0] if source else _detect(original),
                "text": text,
            }
            # Like the API: only on request. The SDK always asks, and crashes without it.
            if show_billed:
                item["billed_characters"] = count
            if model_type is not None:
                item["model_type_used"] = ("latency_optimized" if model_type == "latency_optimized"
                                           else "quality_optimized")
            out.append(item)
        return {"translations": out}

    def _glossary_for(self, params: dict, source: str | None, target: str,
                      key: str) -> dict[str, str]:
        glossary_id = _str_param(params, "glossary_id")
        ids = [glossary_id] if glossary_id else []
        extra = params.get("glossary_ids")
        if extra:
            extra = extra if isinstance(extra, list) else str(extra).split(",")
            ids += [str(i) for i in extra]
        if not ids:
            return {}
        if source is None:
            raise _Reject(400, "Use of a glossary requires the source_lang parameter "
                               "to be specified")
        merged: dict[str, str] = {}
        for gid in ids:
            if not _is_uuid(gid):
                raise _Reject(400, "Value for 'glossary_id' not supported.")
            with self._lock:
                glossary = self._owned(gid, key, 400)  # translate answers 400, as DeepL does
                dictionary = glossary.find(source, target.split("-")[0])
                if dictionary is None:
                    raise _Reject(400, "Glossary does not contain a dictionary for the "
                                       "given source_lang and target_lang")
                for term, translation in dictionary.entries.items():
                    merged.setdefault(term, translation)  # earlier glossaries win
        return merged

    def _owned(self, gid: str, key: str, status: int) -> "_Glossary":
        """The caller's glossary (the lock is held); another account's is as good as absent."""
        glossary = self.glossaries.get(gid)
        if glossary is None or glossary.owner != key:
            raise _Reject(status, "Glossary not found")
        return glossary

    # -- /v3/glossaries

    def _create_glossary(self, params: dict, is_json: bool, key: str) -> dict[str, Any]:
        if not is_json:
            raise _Reject(400, "Invalid request: expected a JSON body")
        name = params.get("name")
        if not isinstance(name, str) or not name:
            raise _Reject(400, "Missing or invalid argument: name")
        specs = params.get("dictionaries")
        if not isinstance(specs, list) or not specs:
            raise _Reject(400, "Glossary dictionaries must be provided")
        dictionaries: list[_Dictionary] = []
        for spec in specs:
            d = _dictionary(spec)
            if any(x.source == d.source and x.target == d.target for x in dictionaries):
                raise _Reject(400, "Duplicate dictionary for a language pair")
            dictionaries.append(d)
        now = datetime.now(timezone.utc)
        glossary = _Glossary(
            glossary_id=str(uuid.uuid4()), name=name, owner=key,
            created=now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            dictionaries=dictionaries)
        with self._lock:
            self.glossaries[glossary.glossary_id] = glossary
            return glossary.info()

    def _glossary_route(self, method: str, gid: str, sub: str | None, params: dict,
                        is_json: bool, key: str) -> tuple[int, Any]:
        if not _is_uuid(gid):
            raise _Reject(400, "Invalid glossary id")
        with self._lock:
            glossary = self._owned(gid, key, 404)
            if sub is None:
                if method == "GET":
                    return 200, glossary.info()
                if method == "DELETE":
                    del self.glossaries[gid]
                    return 204, None
                self._method(method, "PATCH")
                return 200, self._patch_glossary(glossary, params, is_json)
            if sub == "/entries":
                self._method(method, "GET")
                source, target = _glossary_pair(_str_param(params, "source_lang"),
                                                _str_param(params, "target_lang"))
                d = glossary.find(source, target)
                if d is None:
                    raise _Reject(404, "Dictionary not found")
                tsv = "\n".join(f"{s}\t{t}" for s, t in d.entries.items())
                return 200, {"dictionaries": [{
                    "source_lang": source.lower(), "target_lang": target.lower(),
                    "entries": tsv, "entries_format": "tsv"}]}
            # /dictionaries
            if method == "PUT":
                if not is_json:
                    raise _Reject(400, "Invalid request: expected a JSON body")
                new = _dictionary(params)
                glossary.dictionaries = [d for d in glossary.dictionaries
                                         if (d.source, d.target) != (new.source, new.target)]
                glossary.dictionaries.append(new)
                return 200, _dictionary_info(new)
            self._method(method, "DELETE")
            source, target = _glossary_pair(_str_param(params, "source_lang"),
                                            _str_param(params, "target_lang"))
            d = glossary.find(source, target)
            if d is None:
                raise _Reject(404, "Dictionary not found")
            glossary.dictionaries.remove(d)
            return 204, None

    @staticmethod
    def _patch_glossary(glossary: _Glossary, params: dict, is_json: bool) -> dict[str, Any]:
        # PATCH merges: given entries overwrite or join the pair's dictionary, others stay.
        if not is_json:
            raise _Reject(400, "Invalid request: expected a JSON body")
        name = params.get("name")
        specs = params.get("dictionaries")
        if name is None and not specs:
            raise _Reject(400, "Missing or invalid argument: name or dictionaries")
        if name is not None and (not isinstance(name, str) or not name):
            raise _Reject(400, "Missing or invalid argument: name")
        if specs is not None and not isinstance(specs, list):
            raise _Reject(400, "Missing or invalid argument: dictionaries")
        updates = [_dictionary(spec) for spec in specs or []]
        if name is not None:
            glossary.name = name
        for new in updates:
            existing = glossary.find(new.source, new.target)
            if existing is None:
                glossary.dictionaries.append(new)
            else:
                existing.entries.update(new.entries)
        return glossary.info()


_DEFAULT_MESSAGES = {
    429: "Too many requests",
    456: "Quota for this billing period has been exceeded.",
    500: "Internal server error",
    503: "Service unavailable",
}


# ---- pytest helpers -------------------------------------------------------------------------

def serving(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Iterator[FakeDeepL]:
    """Run a FakeDeepL with DEEPL_SERVER_URL and DEEPL_AUTH_KEY pointing at it.

    For a fixture of one's own: ``yield from serving(monkeypatch, quota=1000)``.
    """
    with FakeDeepL(**kwargs) as fake:
        monkeypatch.setenv("DEEPL_SERVER_URL", fake.url)
        monkeypatch.setenv("DEEPL_AUTH_KEY", fake.auth_key)
        # requests honours proxy variables; a proxy must never see loopback test traffic.
        for var in ("NO_PROXY", "no_proxy"):
            current = [v for v in os.environ.get(var, "").split(",") if v]
            monkeypatch.setenv(var, ",".join(["127.0.0.1", "localhost", *current]))
        yield fake


@pytest.fixture
def fake_deepl(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDeepL]:
    """A running FakeDeepL with the environment pointing at it (import it to use it)."""
    yield from serving(monkeypatch)


def fast_sdk(monkeypatch: pytest.MonkeyPatch, *, retries: int = 2, backoff: float = 0.01,
             timeout: float | None = None) -> None:
    """Make the SDK's retry loop quick for a test.

    The SDK sleeps ``1 s * 1.6**n`` (±23 % jitter) between attempts, retries 5 times by
    default, and never waits less than ``min_connection_timeout`` (10 s) for an answer; all
    three are module globals, so patch them for the test's duration only.
    """
    import deepl

    monkeypatch.setattr(deepl.http_client, "max_network_retries", retries)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", backoff)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_MAX", max(backoff, 0.05))
    if timeout is not None:
        monkeypatch.setattr(deepl.http_client, "min_connection_timeout", timeout)
