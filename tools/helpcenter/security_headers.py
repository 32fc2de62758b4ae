"""The headers every response of `helpcenter serve` and `helpcenter api` carries.

One policy for both servers, so that the preview shows what production does: no MIME sniffing,
no framing, the origin only as a referrer, and a Content-Security-Policy. The API's responses
(JSON, and the two pages a browser without JavaScript gets) need nothing but themselves, so
their policy allows nothing; the site's is derived from the config, so it follows a change of
chat vendor or ticket endpoint without a second list:

- scripts: the site's own files and the chat vendor's (`extra.helpcenter.chat`: the origin of
  `script_url` and of chatwoot's `base_url`, and for a built-in vendor the hosts its own CSP
  page lists), no inline script (the theme has none) and no eval, except WebAssembly
  (Pagefind's search);
- connections and form posts: the site itself, `site_url`, the ticket endpoint (`api_url`) and
  the chat vendor;
- styles inline as well (Material and Markdown's `attr_list` write `style` attributes), images,
  media and frames from any HTTPS source, as articles embed them.

A static host serving site/ should send the same headers: README, section Security, says how.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from helpcenter.config import HelpCenterConfig

API_PREFIX = "/api"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# JSON and two plain pages: nothing to load, nothing may frame them or post from them elsewhere.
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# What each built-in vendor's widget loads and calls beyond its script, by directive, from the
# vendor's CSP documentation (2026-12): docs.crisp.chat "Crisp Domain Names", Intercom "Using
# Intercom with Content Security Policy", Zendesk "Content Security Policy (CSP) support".
# Chatwoot is self-hosted or app.chatwoot.com: its `base_url` says where.
_CRISP = "https://*.crisp.chat"
VENDOR_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "crisp": {
        "script-src": (_CRISP,), "style-src": (_CRISP,), "font-src": (_CRISP,),
        "img-src": (_CRISP,), "media-src": (_CRISP,), "frame-src": (_CRISP,),
        "worker-src": ("blob:", _CRISP), "connect-src": (_CRISP, "wss://*.relay.crisp.chat"),
    },
    "intercom": {
        "script-src": ("https://app.intercom.io", "https://widget.intercom.io",
                       "https://js.intercomcdn.com"),
        "connect-src": ("https://*.intercom.io", "wss://*.intercom.io",
                        "https://*.intercom-messenger.com", "wss://*.intercom-messenger.com",
                        "https://*.intercomcdn.com", "https://*.intercomcdn.eu",
                        "https://uploads.intercomusercontent.com"),
        "font-src": ("https://js.intercomcdn.com", "https://fonts.intercomcdn.com"),
        "media-src": ("https://js.intercomcdn.com",), "img-src": ("blob:",),
        "form-action": ("https://intercom.help", "https://*.intercom.io"),
    },
    "zendesk": {
        "script-src": ("https://static.zdassets.com", "https://ekr.zdassets.com"),
        "connect-src": ("https://*.zdassets.com", "https://*.zendesk.com", "wss://*.zendesk.com",
                        "https://api.smooch.io", "wss://api.smooch.io", "https://media.smooch.io",
                        "https://zendesk-eu.my.sentry.io", "https://*.twilio.com",
                        "wss://voice-js.roaming.twilio.com"),
        "img-src": ("blob:",), "media-src": ("https://static.zdassets.com",),
    },
}


def site_csp(helpcenter: HelpCenterConfig, site_url: str) -> str:
    """The Content-Security-Policy of the site's pages, from the config."""
    chat = _chat_origins(helpcenter.chat)
    sockets = [f"wss://{o.split('://', 1)[1]}" for o in chat if o.startswith("https://")]
    endpoint = [o for o in [_origin(helpcenter.api_url)] if o]
    site = [o for o in [_origin(site_url)] if o]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'", *chat],
        "style-src": ["'self'", "'unsafe-inline'", *chat],
        "img-src": ["'self'", "data:", "https:", *chat],
        "font-src": ["'self'", "data:", *chat],
        "media-src": ["'self'", "https:"],
        "frame-src": ["'self'", "https:", *chat],
        "worker-src": ["'self'"],
        "connect-src": ["'self'", *site, *endpoint, *chat, *sockets],
        "form-action": ["'self'", *site, *endpoint],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for name, sources in VENDOR_SOURCES.get(helpcenter.chat.provider, {}).items():
        directives[name] += sources
    return "; ".join(f"{name} {' '.join(dict.fromkeys(sources))}"
                     for name, sources in directives.items())


@dataclass(frozen=True)
class Policy:
    """The headers of a server: the site's CSP off the API's paths, the API's under them.
    Without a config, the site's policy is the one of a help center with none."""
    site: str = field(default_factory=lambda: site_csp(HelpCenterConfig(), ""))
    api: str = API_CSP
    common: dict[str, str] = field(default_factory=lambda: dict(COMMON))

    @classmethod
    def for_site(cls, helpcenter: HelpCenterConfig, site_url: str) -> "Policy":
        return cls(site=site_csp(helpcenter, site_url))

    def headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        headers = {**self.common,
                   "Content-Security-Policy": self.api if _under_api(path) else self.site}
        return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


def _under_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


Scope = dict[str, Any]
Message = dict[str, Any]
App = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
               Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware: the policy's headers on every HTTP response, a crash's 500 included.

    A header the response sets itself wins. If the app fails before it answered, the 500 is sent
    here, with the headers, and the exception goes on to be logged.
    """

    def __init__(self, app: App, policy: Policy | None = None):
        self.app, self.policy = app, policy or Policy()
        # Two sets of headers, encoded once: this runs on every request.
        self._headers = {api: self.policy.headers_for(API_PREFIX if api else "/")
                         for api in (False, True)}

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers[_under_api(scope.get("path", ""))]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _merged(message.get("headers", []), extra)}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await send_with_headers({"type": "http.response.start", "status": 500,
                                         "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise


def _merged(headers: Iterable[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]):
    headers = list(headers)
    present = {name.lower() for name, _ in headers}
    return headers + [(name, value) for name, value in extra if name not in present]


def _origin(url: Any) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL; None for a path or anything else."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def _chat_origins(chat) -> list[str]:
    # The vendor's script, and where its adapter is told to find the rest (chatwoot's base_url).
    wanted = [chat.script_url, chat.settings.get("base_url")] if chat.provider != "none" else []
    return [o for o in (_origin(url) for url in wanted) if o]
