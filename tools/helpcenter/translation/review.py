"""`helpcenter review`: a local page to review drafts segment by segment, and bulk accept.

Pick a locale and an article; each segment shows its source, the draft (editable) and its
state, beside a rendered preview of the translated article. Accepting clears `fuzzy`, which is
exactly what a PO editor does, so both ways of reviewing stay interchangeable. Keyboard: Tab
moves between drafts, Ctrl+Enter accepts the current one, saves and moves to the next, Ctrl+S
saves.

The page writes catalogs and has no login, so it trusts nobody but the translator's own tab:
it listens on loopback only (the `review` command refuses another address); a request whose
Host is not the address it serves is refused (421), so a DNS-rebinding page cannot read or
write through it; a request that writes needs the token this run generated and embedded in the
page, and an Origin (or, without one, a Referer) that is the page's own (else 403, nothing
written). A draft that adds markup its source lacks (`qa.added_markup`) is shown flagged, with
why, is never accepted, and shows escaped in the preview, which runs no script at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import markdown
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from helpcenter.config import Project
from helpcenter.content import articles, frontmatter
from helpcenter.errors import UserError
from helpcenter.translation import catalog, qa, site_strings, structure
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse
from helpcenter.translation.snippets import Snippets
from helpcenter.vocabulary import SegmentState

STYLE = """body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2a30}header{background:#0b5f73;
color:#fff;padding:.6rem 1rem}header a{color:#fff}main{display:grid;grid-template-columns:minmax(0,1fr)
minmax(0,1fr);gap:1rem;padding:1rem}main.single{display:block}@media(max-width:60em){main{
grid-template-columns:minmax(0,1fr)}}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px
solid #d5dde0;padding:.4rem;vertical-align:top;text-align:start;overflow-wrap:anywhere}textarea{
width:100%;box-sizing:border-box;font:inherit;min-height:4em}.state{font-size:.8rem;padding:.1rem .4rem;
border-radius:1rem;background:#eef2f3;overflow-wrap:normal}.state-reviewed{background:#d7f0df}
.state-flagged,.state-fuzzy{background:#fde2cf}iframe{width:100%;height:80vh;border:1px solid #d5dde0}
button{font:inherit;padding:.4rem 1rem}td:first-child{width:42%}td:nth-child(2){width:46%}
:focus-visible{outline:3px solid #d9591c}.hc-visually-hidden{position:absolute;width:1px;height:1px;
overflow:hidden;clip-path:inset(50%)}"""

# Progressive enhancement of the review form: it posts as it is without scripts. With them, a
# save is a fetch of the same POST, after which the states come from the server's page and the
# preview reloads, while the focus stays with the translator (a reload would drop it on <body>).
SCRIPT = """(function(){var form=document.querySelector('form.hc-review');if(!form)return;
var status=document.getElementById('hc-status'),preview=document.querySelector('iframe'),latest=0;
function save(message){var n=++latest,body=new URLSearchParams(new FormData(form));
status.textContent='Saving\u2026';fetch(location.href,{method:'POST',body:body,
headers:{'X-Review-Token':form.elements['hc-token'].value}}).then(function(r){
if(!r.ok)throw new Error(r.status+' '+r.statusText);return r.text();}).then(function(text){
if(n!==latest)return;var fresh=new DOMParser().parseFromString(text,'text/html');
fresh.querySelectorAll('.state').forEach(function(s){var mine=document.getElementById(s.id);
if(mine){mine.className=s.className;mine.textContent=s.textContent;}});
preview.contentWindow.location.reload();status.textContent=message;}).catch(function(e){
status.textContent='Not saved ('+e.message+'): is helpcenter review still running?';});}
form.addEventListener('submit',function(e){e.preventDefault();save('Saved.');});
document.addEventListener('keydown',function(e){var t=e.target;if(!(e.ctrlKey||e.metaKey))return;
if(e.key==='s'){e.preventDefault();save('Saved.');}
else if(e.key==='Enter'&&t.tagName==='TEXTAREA'){e.preventDefault();var row=t.closest('tr'),
next=row.nextElementSibling;row.querySelector('input[name=accept]').checked=true;
if(next)next.querySelector('textarea').focus();save(t.labels[0].textContent+' accepted.');}});})();"""

TOKEN_FIELD, TOKEN_HEADER = "hc-token", "X-Review-Token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_LOOPBACK_NAMES = {"127.0.0.1": ("localhost",), "::1": ("localhost",)}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The review page runs its own script and style only, and is framed by nobody; the preview runs
# no script at all (a draft is text to look at), and only the review page frames it.
PAGE_CSP = (f"default-src 'none'; script-src {_sha256(SCRIPT)}; style-src {_sha256(STYLE)}; "
            "connect-src 'self'; frame-src 'self'; form-action 'self'; img-src 'self' data:; "
            "base-uri 'none'; frame-ancestors 'none'")
PREVIEW_CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def create_app(project: Project, token: str | None = None) -> Starlette:
    """The review app; `token` is the secret a writing request must send back (default: a new
    random one, so each run of `helpcenter review` has its own)."""
    token = token or secrets.token_urlsafe(32)

    def content():
        return articles.scan(project)

    async def index(request: Request) -> Response:
        data = content()
        rows = []
        snippets = [s.unit for s in _snippets(project, data)]
        sources = {}
        for path in [*data.source_pages, *snippets, site_strings.PATH]:
            try:
                sources[path] = _source(project, data, path)
            except UserError:
                pass  # no banner or label: the site catalog has nothing to publish
        for locale in project.codes[1:]:
            for path in [*sorted(data.source_pages, key=str), *snippets, site_strings.PATH]:
                if path in data.source_pages and data.page(locale, path):
                    continue  # hand-written: reviewed in git, not here
                po = catalog.load(catalog.catalog_path(project.locales_dir, locale, path))
                refused = _refused(project, sources[path], po) if path in sources else {}
                states: dict[str, int] = {}
                for entry in po:
                    if not entry.obsolete:
                        state = SegmentState.FLAGGED if entry.msgctxt in refused else catalog.state(entry)
                        states[state] = states.get(state, 0) + 1
                if not states:
                    continue
                summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
                rows.append(f'<tr><td>{locale}</td><td><a href="/review/{locale}/{quote(str(path))}">'
                            f"{html.escape(str(path))}</a></td><td>{summary}</td></tr>")
        body = ("<table><thead><tr><th>Locale</th><th>Article</th><th>Segments</th></tr></thead>"
                f"<tbody>{''.join(rows) or '<tr><td colspan=3>No catalogs yet: run helpcenter translate.</td></tr>'}"
                "</tbody></table>")
        return _page("Review translations", body, single=True)

    def load(locale: str, path: str):
        """(source, catalog path, catalog) of a review URL, or UserError → 404."""
        article = PurePosixPath(path)
        if locale not in project.codes[1:]:
            raise UserError(f"unknown locale {locale!r}")
        source = _source(project, content(), article)
        po_path = catalog.catalog_path(project.locales_dir, locale, article)
        return source, po_path, catalog.load(po_path)

    async def article(request: Request) -> Response:
        locale, path = request.path_params["locale"], request.path_params["path"]
        page, _, po = load(locale, path)
        refused = _refused(project, page, po)
        rows = []
        for i, entry in enumerate(e for e in po if not e.obsolete):
            state = catalog.state(entry)
            key = html.escape(entry.msgctxt)  # a catalog is text anyone may have edited
            note = ""
            if entry.previous_msgid:
                note = f'<p><small>Previous source: {html.escape(entry.previous_msgid)}</small></p>'
            why = [line for line in (entry.tcomment or "").splitlines() if line.startswith("qa: ")]
            if entry.msgctxt in refused:  # a PO editor may have written it: flagged all the same
                state = SegmentState.FLAGGED
                why = [w for w in why if not w.startswith("qa: " + qa.MARKUP)]
                why.append(f"qa: {refused[entry.msgctxt]}: it is not published; keep only the "
                           "source's markup")
            if state == SegmentState.FLAGGED:  # why: the checks' `qa:` comments
                note += "".join(f"<p><small>{html.escape(line)}</small></p>" for line in why)
            rows.append(
                f'<tr><td lang="{project.source.code}">{html.escape(entry.msgid)}{note}</td>'
                f'<td><label class="hc-visually-hidden" for="s{i}">Translation {i + 1}</label>'
                f'<textarea id="s{i}" name="t.{key}" lang="{locale}" '
                f'dir="{project.locale(locale).direction}" aria-keyshortcuts="Control+Enter">'
                f'{html.escape(entry.msgstr)}</textarea></td>'
                f'<td><span class="state state-{state}" id="state.{key}">{state}</span><br>'
                f'<label><input type="checkbox" name="accept" value="{key}"'
                f'{" checked" if state == SegmentState.REVIEWED else ""}> accept'
                f'<span class="hc-visually-hidden"> translation {i + 1}</span></label></td></tr>')
        form = ('<form method="post" class="hc-review">'
                f'<input type="hidden" name="{TOKEN_FIELD}" value="{token}">'
                "<p>Keyboard: Tab moves between drafts, "
                "<kbd>Ctrl</kbd>+<kbd>Enter</kbd> accepts a draft, saves and moves to the next, "
                "<kbd>Ctrl</kbd>+<kbd>S</kbd> saves.</p><table><thead><tr><th>Source</th>"
                f"<th>Translation</th><th>State</th></tr></thead><tbody>{''.join(rows)}</tbody>"
                '</table><p><button type="submit">Save</button> <span id="hc-status" '
                'role="status"></span></p></form>')
        preview = (f'<iframe title="Preview" src="/preview/{locale}/{quote(path)}"></iframe>')
        return _page(f"{locale}: {page.title}", f"<section>{form}</section><section>{preview}</section>",
                     script=SCRIPT)

    async def save(request: Request) -> Response:
        locale, path = request.path_params["locale"], request.path_params["path"]
        form = await request.form()
        sent = request.headers.get(TOKEN_HEADER) or form.get(TOKEN_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), token.encode()):
            return PlainTextResponse("Refused: this request did not come from the review page "
                                     "(its token is missing or wrong). Reload the page.", 403)
        source, po_path, po = load(locale, path)  # after the await: no other save runs in between
        accepted = set(form.getlist("accept"))
        touched = set(accepted)  # what this save changes: checked before it counts
        for entry in po:
            if entry.obsolete:
                continue
            edited = form.get(f"t.{entry.msgctxt}")
            # A form sends every line break as CRLF: an untouched wrapped draft is not an edit.
            edited = edited.replace("\r\n", "\n") if isinstance(edited, str) else entry.msgstr
            if edited != entry.msgstr:
                touched.add(entry.msgctxt)
                entry.msgstr = edited
                entry.flags = [f for f in entry.flags if f != catalog.QA_FLAG]
                if catalog.FUZZY_FLAG not in entry.flags:
                    entry.flags.append(catalog.FUZZY_FLAG)  # an edit is not yet a review
            if entry.msgctxt in accepted and entry.msgstr:
                _accept(entry)
        doc = parse(source.text, dialect=Dialect.of(project))
        refused = _flag_markup(po, touched, doc)  # markup its source lacks: flagged, not reviewed
        if path != str(site_strings.PATH):  # an edit that breaks the page is flagged, not reviewed
            structure.flag_broken(po, doc, project.markdown_extensions, base=project.root,
                                  keys=touched - refused)
        catalog.save(po, po_path)
        return RedirectResponse(request.url.path, status_code=303)

    async def preview(request: Request) -> Response:
        locale, path = request.path_params["locale"], request.path_params["path"]
        page, _, po = load(locale, path)
        drafts = {e.msgctxt: e.msgstr for e in po if not e.obsolete and e.msgstr
                  and catalog.state(e) != SegmentState.FLAGGED}
        doc = parse(page.text, dialect=Dialect.of(project))
        kinds = {s.key: s.kind for s in doc.segments}
        typed = {e.msgctxt: e.msgstr for e in po if not e.obsolete and e.msgstr}
        for key in qa.page_markup_problems(doc, typed):  # shown as typed, as text: never run
            front_matter = kinds[key].startswith("front-matter:")  # the title is escaped below
            drafts[key] = typed[key] if front_matter else qa.escaped(typed[key])
        text = doc.render(drafts)
        names = [ext.name for ext in project.markdown_extensions]
        configs = {ext.name: ext.options for ext in project.markdown_extensions if ext.options}
        meta, text, _ = frontmatter.split(text, page.path)
        title = html.escape(str(meta.get("title", page.title)))
        body = f"<h1>{title}</h1>" + markdown.markdown(text, extensions=names, extension_configs=configs)
        direction = project.locale(locale).direction
        return HTMLResponse(f'<!doctype html><html lang="{locale}" dir="{direction}"><meta charset="utf-8">'
                            f"<title>{title}</title><style>body{{font:16px/1.6 system-ui,sans-serif;"
                            f"margin:1rem;overflow-wrap:anywhere}}</style>{body}",
                            headers={"Content-Security-Policy": PREVIEW_CSP,
                                     "X-Frame-Options": "SAMEORIGIN"})

    async def not_found(request: Request, exc: UserError) -> Response:
        return HTMLResponse(html.escape(exc.message), status_code=404)

    app = Starlette(exception_handlers={UserError: not_found}, routes=[
        Route("/", index),
        Route("/review/{locale}/{path:path}", article, methods=["GET"]),
        Route("/review/{locale}/{path:path}", save, methods=["POST"]),
        Route("/preview/{locale}/{path:path}", preview),
    ])
    app.add_middleware(_SameOrigin)
    return app


class _SameOrigin:
    """Only the translator's own tab: a Host that is the address served (else 421: another
    name pointing at loopback is DNS rebinding), and for a request that writes, an Origin, or
    without one a Referer, of that same address (else 403: a page of another site posting).
    Every answer says it is not to be framed or sniffed, and leaks no URL to other sites."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "").lower()
        refusal = None
        if host not in _served_hosts(scope.get("server")):
            refusal = PlainTextResponse(f"Refused: {host!r} is not the address helpcenter review "
                                        "serves; open it at the address it printed.", 421)
        elif scope["method"] not in _SAFE_METHODS and not _same_origin(request, host):
            refusal = PlainTextResponse("Refused: a request that writes must come from the "
                                        "review page itself.", 403)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                names = {name.lower() for name, _ in headers}
                for name, value in ((b"x-content-type-options", b"nosniff"),
                                    (b"referrer-policy", b"same-origin"),
                                    (b"x-frame-options", b"DENY"),
                                    (b"content-security-policy", PAGE_CSP.encode()),
                                    (b"cache-control", b"no-store")):
                    if name not in names:
                        headers.append((name, value))
            await send(message)

        await (self.app if refusal is None else refusal)(scope, receive, send_with_headers)


def check_loopback(host: str) -> None:
    """The review page writes catalogs and has no login: it listens on loopback only."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UserError(f"--host {host}: helpcenter review listens on loopback only (anyone who "
                        "reaches it can change the catalogs)",
                        hint="use 127.0.0.1, ::1 or localhost; to review on another machine, "
                             "run it there, or forward a port over SSH (ssh -L 8002:127.0.0.1:8002)")


def _served_hosts(server: tuple[str, int | None] | None) -> set[str]:
    """The Host values that name the address this server listens on."""
    if not server:
        return set()
    address, port = server
    names = [address, *_LOOPBACK_NAMES.get(address, ())]
    shown = [f"[{n}]" if ":" in n else n for n in names]
    hosts = {f"{n}:{port}".lower() for n in shown}
    if port in (80, None):
        hosts |= {n.lower() for n in shown}
    return hosts


def _same_origin(request: Request, host: str) -> bool:
    own = f"{request.url.scheme}://{host}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    referer = request.headers.get("referer", "").lower()
    return referer == own or referer.startswith(own + "/")


def _refused(project: Project, source: _Source, po) -> dict[str, str]:
    """{key: problem} of the entries whose translation adds markup its source lacks."""
    drafts = {e.msgctxt: e.msgstr for e in po if not e.obsolete and e.msgstr}
    return qa.page_markup_problems(parse(source.text, dialect=Dialect.of(project)), drafts)


def _flag_markup(po, keys, doc=None) -> set[str]:
    """Flag those of `keys` whose translation adds markup to its source segment (of `doc`,
    else its msgid): the QA flag and a `qa: markup:` comment, as `translate` writes them; clear
    that comment where it no longer applies. Returns the keys flagged."""
    entries = {e.msgctxt: e for e in po if not e.obsolete and e.msgctxt in keys}
    drafts = {k: e.msgstr for k, e in entries.items() if e.msgstr}
    refused = (qa.page_markup_problems(doc, drafts) if doc is not None else
               qa.markup_problems(drafts, {k: e.msgid for k, e in entries.items()}))
    for key, entry in entries.items():
        lines = [line for line in (entry.tcomment or "").splitlines()
                 if not line.startswith("qa: " + qa.MARKUP)]
        if key in refused:
            lines.append("qa: " + refused[key])
            entry.flags = [f for f in entry.flags if f not in (catalog.FUZZY_FLAG, catalog.QA_FLAG)]
            entry.flags[:0] = [catalog.FUZZY_FLAG, catalog.QA_FLAG]
        entry.tcomment = "\n".join(lines) or None
    return set(refused)


@dataclass
class _Source:
    title: str
    text: str
    path: Path  # named in errors


def _source(project: Project, content, article: PurePosixPath) -> _Source:
    """What a catalog translates: an article, or the strings of mkdocs.yml."""
    if article == site_strings.PATH:
        doc = site_strings.document(project)
        if doc is None:
            raise UserError("mkdocs.yml has no banner or form label to translate")
        return _Source(site_strings.TITLE, doc.render(), project.config_file)
    snippet = next((s for s in _snippets(project, content) if s.unit == article), None)
    if snippet is not None:  # only a file a page includes: a URL names no other file
        return _Source(snippet.file.name, snippet.file.read_text(encoding="utf-8"), snippet.file)
    page = content.source_pages.get(article)
    if page is None:
        raise UserError(f"no source page {str(article)!r}")
    return _Source(page.title, page.file.read_text(encoding="utf-8"), page.file)


def _snippets(project: Project, content) -> list:
    """The snippet files the source pages include: reviewed like articles."""
    return Snippets(project.root, Dialect.of(project)).of_pages(content.source_pages.values())


def accept(project: Project, locale: str, paths: list[str]) -> tuple[int, int]:
    """Bulk accept: every draft of these articles becomes reviewed, except flagged ones.
    Returns (accepted, skipped as flagged)."""
    accepted = skipped = 0
    for path in paths:
        po_path = catalog.catalog_path(project.locales_dir, locale, PurePosixPath(path))
        if not po_path.is_file():
            raise UserError(f"no catalog for {path} in {locale}", path=po_path,
                            hint="run `helpcenter translate` first, or check the article path")
        po = catalog.load(po_path)
        refused = _flag_markup(po, {e.msgctxt for e in po})
        for entry in po:
            if entry.obsolete or not entry.msgstr:
                continue
            if catalog.state(entry) == SegmentState.FLAGGED or entry.msgctxt in refused:
                skipped += 1
            elif catalog.state(entry) != SegmentState.REVIEWED:
                _accept(entry)
                accepted += 1
        catalog.save(po, po_path)
    return accepted, skipped


def _accept(entry) -> None:
    entry.flags = [f for f in entry.flags if f not in (catalog.FUZZY_FLAG, catalog.QA_FLAG)]
    entry.previous_msgid = entry.previous_msgctxt = None


def _page(title: str, body: str, single: bool = False, script: str = "") -> HTMLResponse:
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
                        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
                        f'<header><a href="/">Review</a> · {html.escape(title)}</header>'
                        f'<main{" class=single" if single else ""}>{body}</main>'
                        f"{f'<script>{script}</script>' if script else ''}</body></html>")
