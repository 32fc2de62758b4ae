"""The `helpcenter` command line.

A `UserError` raised anywhere below a command is shown once, by `HelpCenterGroup`: its message,
file and line, and how to fix it, with exit code 1 and no traceback. Commands import their
stage inside the function: `helpcenter --help` and a typo in a command name then answer at
once, without loading MkDocs, Starlette or the DeepL SDK.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from helpcenter import __version__, atomic
from helpcenter.config import load_project
from helpcenter.errors import UserError
from helpcenter.terminal import json_text, printable
from helpcenter.vocabulary import SegmentState

out = Console()
err = Console(stderr=True)

def _remember_root(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    # ctx.meta is shared by every context of one invocation: the group reads it on failure.
    ctx.meta["helpcenter.root"] = value
    return value


root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The help center folder: it holds mkdocs.yml and content/.",
    callback=_remember_root,
)


class Failed(click.ClickException):
    """A UserError on its way out: shown by click's own error path, exit code 1."""
    exit_code = 1

    def __init__(self, error: UserError, root: Path | None):
        super().__init__(error.message)
        self.error, self.root = error, root

    def show(self, file=None) -> None:
        _show(self.error, self.root)


class HelpCenterGroup(click.Group):
    """Maps a UserError from any command (or sub-group) to its message, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise Failed(exc, ctx.meta.get("helpcenter.root")) from None


@click.group(cls=HelpCenterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helpcenter")
def cli() -> None:
    """A git-native, multilingual help center.

    Start with `init` (a new help center) or `import` (an existing MkDocs site).
    Articles live in content/<locale>/ as Markdown; mkdocs.yml lists the locales. `build` makes
    the static site in site/, `serve` previews it with the ticket service while you write,
    `api` runs the ticket service alone, `tickets` reads what customers sent and `report`
    shows what they searched for and did not find.
    """


@cli.command()
@root_option
@click.option("--locale", "locales", multiple=True, metavar="CODE",
              help="Build only this locale (repeatable). Default: every locale in mkdocs.yml.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site. Default: ROOT/site.")
@click.option("--strict", is_flag=True,
              help="Treat every warning (a broken link, missing UI strings) as an error.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Locales built at once. Default: one per CPU core.")
@click.option("--no-cache", is_flag=True,
              help="Render every page and run the search indexer again, whatever the cache in "
                   "build/cache/ says (it is rewritten). Default: a page whose inputs did not "
                   "change since the last build is reused as it is.")
def build(root: Path, locales: tuple[str, ...], site_dir: Path | None, strict: bool,
          jobs: int | None, no_cache: bool) -> None:
    """Build the help center: every locale, then the search index.

    Pages whose inputs (Markdown, catalogs, theme, navigation, config, versions) did not change
    since the last build of the same site are reused, not rendered again.
    """
    _run_build(root, list(locales), site_dir, strict, jobs, cache=not no_cache)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--locale", "locales", multiple=True, metavar="CODE",
              help="A locale of the help center (repeatable); the first is the source. "
                   "Default: en.")
@click.option("--name", default="Help Center", show_default=True, help="The site's name.")
def init(directory: Path, locales: tuple[str, ...], name: str) -> None:
    """Start a new help center in DIRECTORY: mkdocs.yml, a home page, one category, one article."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter import starter

    ctx = click.get_current_context()
    ctx.meta["helpcenter.root"] = directory
    started = starter.init(directory, list(locales), name)
    for file in started.files:
        out.print(f"  wrote {file.relative_to(started.root)}", highlight=False)
    shown = escape(str(directory))
    out.print(f"Started a help center in {started.root}.\n"
              f"  Preview it:  helpcenter serve --root {shown}\n"
              f"  Build it:    helpcenter build --root {shown}", highlight=False)


@cli.command("import")
@click.argument("sources", metavar="SRC...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@root_option
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the report as JSON to this file.")
@click.option("--verbose", "-v", is_flag=True,
              help="Name every page kept hand-written, with the reason.")
def import_site(sources: tuple[Path, ...], root: Path, report_file: Path | None,
                verbose: bool) -> None:
    """Make a help center in --root from the MkDocs project SRC (left untouched), adopting its
    translations (mkdocs-static-i18n, folder or suffix) as reviewed catalog entries.

    Several SRC: plain MkDocs projects of one language each (docs/en, docs/fr), the first the
    source."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter import importer

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("Reading", total=None)
        result = importer.run(list(sources), root, progress=lambda step, done, total: bar.update(
            task, description=step, completed=done, total=total or None))
    table = Table("locale", "pages", "in catalogs", "segments", "hand-written", "locale-only",
                  "assets", title=f"Imported {escape(', '.join(map(str, sources)))}")
    for stats in result.locales.values():
        adopted = "source" if stats.source else str(stats.adopted)
        table.add_row(stats.locale, str(stats.pages), adopted, str(stats.segments),
                      str(len(stats.hand_written)), str(len(stats.locale_only)), str(stats.assets))
    out.print(table)
    kept = [(s.locale, k) for s in result.locales.values() for k in s.hand_written]
    if verbose:
        for locale, k in kept:
            out.print(f"  {escape(k.file)}{f':{k.line}' if k.line else ''}: kept hand-written "
                      f"in content/{locale}/: {escape(k.reason)}", highlight=False)
    elif kept:
        out.print(f"{len(kept)} translated page(s) kept hand-written: --verbose or --report FILE "
                  f"says why", highlight=False)
    for note in result.notes:
        out.print(f"  note: {escape(note)}", highlight=False)
    if report_file:
        atomic.write_output(report_file, json.dumps(result.to_json(), ensure_ascii=False,
                                                    indent=2) + "\n")
    shown = escape(str(root))
    out.print(f"Imported into {result.root} in {result.seconds:.1f}s.\n"
              f"  Translations: helpcenter status --root {shown}\n"
              f"  Build it:     helpcenter build --root {shown}", highlight=False)


@cli.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the site is built. Default: ROOT/site.")
@click.option("--no-watch", is_flag=True, help="Do not watch files: no live preview, no rebuild.")
@click.option("--database", default=None, metavar="URL",
              help="Where the ticket service at /api stores tickets (as for `helpcenter api`).")
def serve(root: Path, host: str, port: int, site_dir: Path | None, no_watch: bool,
          database: str | None) -> None:
    """Build if needed, then serve the site with the ticket service at /api and a live preview.

    A saved article, translation or catalog re-renders only the pages it changes, in every
    locale that shows it, and open pages reload; search follows in the background. A change
    to mkdocs.yml or the theme rebuilds the site."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter import preview

    preview.serve(root, host=host, port=port, site_dir=site_dir, watch=not no_watch,
                  rebuild=lambda locales: _run_build(root, locales, site_dir, False, None,
                                                     exit_on_error=False),
                  log=out.print, database=database)


@cli.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--database", default=None, metavar="URL",
              help="sqlite:///path or postgresql://... Default: HELPCENTER_DATABASE_URL, then "
                   "extra.helpcenter.tickets.database, then sqlite:///var/helpcenter.sqlite3.")
@click.option("--redis", default=None, metavar="URL",
              help="Keep rate limits in Redis, shared by every instance (redis://host:6379/0).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes.")
@click.option("--worker-only", is_flag=True,
              help="Run only the outbox worker that forwards tickets to the help desk.")
def api(root: Path, host: str, port: int, database: str | None, redis: str | None,
        workers: int, worker_only: bool) -> None:
    """Run the ticket service: POST /api/tickets, /api/feedback, /api/events."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets import server

    if worker_only:
        _worker_only(root, database)
    else:
        server.run(root, host, port, database, redis, workers, factory="helpcenter.cli:api_app")


def api_app():
    """uvicorn factory of `helpcenter api`: the service, with the project's translation engine
    drafting incident notices (the ticket service stands below the translation layer)."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets import server

    root = Path(os.environ.get(server.ENV_ROOT, "."))
    project = load_project(root) if (root / "mkdocs.yml").is_file() else None
    return server.app_from_env(_drafter(project, None))


def _drafter(project, engine: str | None):
    """How incident notices get their drafts (engines.notice_drafter: deepl when DEEPL_AUTH_KEY
    is set, else none), with the project's formality."""
    if engine == "none":
        return None  # list, resolve: nothing drafts, so the DeepL SDK is not loaded
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.translation import engines

    return engines.notice_drafter(engine, project.helpcenter.translation.formality
                                  if project else None)


def _worker_only(root: Path, database: str | None) -> None:
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets import outbox, settings as ticket_settings
    from helpcenter.tickets.store import Store

    settings = ticket_settings.from_project(root, {"database": database})
    store = Store.open(settings.database)
    if not settings.targets:
        raise UserError("no forwarding targets are configured",
                        hint="add extra.helpcenter.tickets.targets to mkdocs.yml")
    try:
        outbox.run_forever(store, settings, on_start=lambda: out.print(
            f"Forwarding tickets to {', '.join(settings.target_names)} (Ctrl+C to stop)"))
    except KeyboardInterrupt:
        out.print("Stopped.")


@cli.command()
@root_option
@click.option("--locale", "locales", multiple=True, metavar="CODE",
              help="Translate into this locale only (repeatable). Default: every target locale.")
@click.option("--article", "only", multiple=True, metavar="PATH",
              help="Only this source page, e.g. orders/track-your-order.md (repeatable).")
@click.option("--engine", type=click.Choice(["deepl", "pseudo"]), default=None,
              help="deepl (DEEPL_AUTH_KEY, DEEPL_SERVER_URL) or pseudo. Default: deepl when "
                   "DEEPL_AUTH_KEY is set.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent, and its characters.")
def translate(root: Path, locales: tuple[str, ...], only: tuple[str, ...], engine: str | None,
              dry_run: bool) -> None:
    """Machine drafts into locales/<locale>/*.po for new and changed segments only."""

    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.translation import engines, translate as translating

    project = load_project(root)
    _warn_unknown_syntax(project)
    formality = project.helpcenter.translation.formality
    chosen = None if dry_run else engines.build(engine, formality)
    with _progress() as progress:
        report = translating.translate(
            project, chosen, locales=list(locales) or None, only=list(only) or None,
            dry_run=dry_run, progress=progress)
    table = Table("locale", "segments", "characters", "billed", "flagged",
                  title="Would send (dry run)" if dry_run else "Translated")
    for locale, stats in report.locales.items():
        table.add_row(locale, str(stats.segments), str(stats.characters), str(stats.billed),
                      str(stats.flagged))
    out.print(table)
    if not dry_run:
        out.print(f"{report.requests} request(s) to {chosen.name}")
        if report.glossary_changed:
            out.print(f"DeepL glossary updated for: {', '.join(report.glossary_changed)}")


def _warn_unknown_syntax(project) -> None:
    """Extensions whose syntax the segmenter does not know: their markup is sent as text."""
    # lazy: loaded only by the commands that segment articles (start-up time)
    from helpcenter.translation.dialect import Dialect

    for name in Dialect.of(project).unknown:
        err.print(f"[yellow]warning[/yellow] {escape(project.config_file.name)}: markdown_extensions "
                  f"names {escape(name)}, whose syntax helpcenter does not know: it is translated "
                  "as plain Markdown. Keep it out of translation with "
                  "extra.helpcenter.translation.protect (inline or lines patterns).",
                  highlight=False)


@cli.command()
@root_option
@click.option("--check", is_flag=True,
              help="Write nothing; list what is out of date and exit 1 if anything is (for CI).")
def catalogs(root: Path, check: bool) -> None:
    """Sync catalogs and templates with the articles, translating nothing.

    Brings every locales/<locale>/*.po and locales/templates/*.pot in line with content/ and
    mkdocs.yml, as `translate` does before it sends anything: a new segment gets an empty
    entry, a changed one keeps its old translation as a fuzzy suggestion, a removed one
    becomes obsolete, a removed article's template goes. No engine: it needs no DeepL key and
    sends nothing. Run it after editing articles, before translators pull the catalogs into
    Weblate, Crowdin or Poedit; a file whose content did not change is not written.
    """
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.translation import translate as translating

    project = load_project(root)
    _warn_unknown_syntax(project)
    with _progress() as progress:
        report = translating.translate(project, None, dry_run=check, progress=progress)
    verb = "to write" if check else "written"
    table = Table("", f"files {verb}", "removed", "entries added", "changed", "obsoleted",
                  "to translate", title="Out of date" if check else "Synced")
    for locale in project.codes[1:]:
        files, stats = report.files[locale], report.locales[locale]
        table.add_row(locale, str(len(files.written)), str(len(files.removed)),
                      str(files.added), str(files.changed), str(files.obsoleted),
                      str(stats.segments))
    templates = report.files[translating.TEMPLATES]
    table.add_row("templates", str(len(templates.written)), str(len(templates.removed)),
                  "-", "-", "-", "-")
    out.print(table)
    if report.up_to_date:
        out.print("Every catalog and template is up to date.")
        return
    if check:
        for path in sorted(p for c in report.files.values() for p in c.written + c.removed):
            out.print(f"  {escape(path.relative_to(project.root).as_posix())}", highlight=False)
        err.print("[bold red]error[/bold red] catalogs or templates are out of date: run "
                  "helpcenter catalogs, then commit locales/")
        sys.exit(1)
    pending = sum(s.segments for s in report.locales.values())
    if pending:
        out.print(f"{pending} segment(s) wait for a translation: helpcenter translate drafts "
                  "them, or translators fill them in.")


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Exit 1 when a locale has fewer than PCT % of its segments reviewed (a CI gate).")
def status(root: Path, fmt: str, fail_under: float | None) -> None:
    """Translation progress per locale: pages and segments reviewed, drafted, outdated, missing."""


    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.translation.status import PAGE_STATES, status as compute

    report = compute(load_project(root))
    if fmt == "json":
        click.echo(json.dumps([{"locale": r.locale, "pages": r.pages, "segments": r.segments,
                                 "words": r.words, "reviewed_percent": round(r.reviewed_percent, 1)}
                                for r in report], ensure_ascii=False, indent=2))
    else:
        table = Table("locale", "pages reviewed", "machine", "outdated", "missing",
                      "segments reviewed", "words reviewed", "% reviewed")
        for r in report:
            table.add_row(r.locale, *(str(r.pages[k]) for k in PAGE_STATES),
                          f"{r.segments.get(SegmentState.REVIEWED, 0)}/{sum(r.segments.values())}",
                          f"{r.words.get(SegmentState.REVIEWED, 0)}/{sum(r.words.values())}",
                          f"{r.reviewed_percent:.1f}")
        out.print(table)
    below = [r.locale for r in report if fail_under is not None and r.reviewed_percent < fail_under]
    if below:
        err.print(f"[bold red]error[/bold red] under {fail_under:g}% reviewed: {', '.join(below)}")
        sys.exit(1)


@cli.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Loopback address to listen on (127.0.0.1, ::1 or localhost).")
@click.option("--port", default=8002, show_default=True, type=click.IntRange(0, 65535))
@click.option("--accept", "accept_locale", metavar="LOCALE", default=None,
              help="Accept every draft of the PATH articles in LOCALE, without the web page.")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
def review(root: Path, host: str, port: int, accept_locale: str | None,
           paths: tuple[str, ...]) -> None:
    """Review machine drafts on a local page, or accept in bulk with --accept LOCALE PATH..."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.translation import review as reviewing

    project = load_project(root)
    if accept_locale:
        if accept_locale not in project.codes[1:]:
            raise UserError(f"unknown target locale {accept_locale!r}",
                            hint=f"use one of {', '.join(project.codes[1:])}")
        if not paths:
            raise UserError("--accept needs article paths, e.g. orders/track-your-order.md")
        accepted, skipped = reviewing.accept(project, accept_locale, list(paths))
        out.print(f"Accepted {accepted} segment(s) in {accept_locale}"
                  + (f"; {skipped} flagged segment(s) left for a person" if skipped else ""))
        return
    reviewing.check_loopback(host)
    # lazy: loaded only by the command that needs it (start-up time)
    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    out.print(f"Review at http://{shown}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(reviewing.create_app(project), host=host, port=port, log_level="warning",
                proxy_headers=False)  # nothing stands in front of it: no header speaks for it


@cli.group()
def tickets() -> None:
    """Read the tickets customers sent, release quarantined ones, re-queue failed deliveries."""


database_option = click.option("--database", default=None, metavar="URL",
                               help="Default: as for `helpcenter api`.")


def _store(root: Path, database: str | None):
    return _settings_and_store(root, database)[1]


def _settings_and_store(root: Path, database: str | None):
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets import settings as ticket_settings
    from helpcenter.tickets.store import Store

    settings = ticket_settings.from_project(root, {"database": database})
    return settings, Store.open(settings.database)


@tickets.command("list")
@root_option
@database_option
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many, newest last.")
@click.option("--quarantine", is_flag=True,
              help="The requests held as looking automated (not forwarded) instead; "
                   "`helpcenter tickets release REF` forwards one.")
@click.option("--incident", type=click.IntRange(min=1), default=None, metavar="ID",
              help="Only the tickets sent while this incident was open (in its category).")
def tickets_list(root: Path, database: str | None, limit: int, quarantine: bool,
                 incident: int | None) -> None:
    """One line per ticket."""

    store = _store(root, database)
    if incident is not None:
        rows = [t for t in store.tickets(quarantined=quarantine)
                if incident in t["context"].get("incidents", [])]
        total, rows = len(rows), rows[-limit:]
    else:
        total = store.count("tickets", quarantined=quarantine)
        rows = store.tickets(limit=limit, offset=max(0, total - limit), quarantined=quarantine)
    table = Table("id", "reference", "created", "locale", "email", "subject",
                  "why held" if quarantine else "forwarded")
    for t in rows:
        table.add_row(str(t["id"]), _cell(t["reference"]), _cell(t["created_at"][:19]),
                      _cell(t["locale"]), _cell(t["email"]), _cell(t["subject"]),
                      t["quarantine"] if quarantine else
                      ", ".join(f"{d['target']}: {d['status']}" for d in t["deliveries"]) or "-")
    out.print(table)
    out.print(f"{len(rows)} of {total} {'quarantined request' if quarantine else 'ticket'}(s)")


@cli.group()
def incident() -> None:
    """Live incident notices: on every page and the request form within seconds, no rebuild.

    Open one when something is broken (`incident open "Card payments fail"`), update it as
    you learn more, resolve it when it is over. Each locale's text is drafted by the
    translation engine unless you give it (--text fr="…"); tickets sent meanwhile carry it.
    """


_text_option = click.option(
    "--text", "texts", multiple=True, metavar="LOCALE=TEXT",
    help="The text in another locale, written by a person (repeatable): never a machine draft.")
_engine_option = click.option(
    "--engine", type=click.Choice(["deepl", "pseudo", "none"]), default=None,
    help="What drafts the other locales. Default: deepl when DEEPL_AUTH_KEY is set, else none "
         "(pages show the source text).")


def _incidents(root: Path, database: str | None, engine: str | None = "none"):
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets.incidents import Incidents

    settings, store = _settings_and_store(root, database)
    project = load_project(root) if (root / "mkdocs.yml").is_file() else None
    return Incidents(store, settings.locales, max_length=settings.incidents.max_length,
                     categories=settings.categories, drafter=_drafter(project, engine),
                     warn=lambda text: err.print(f"[yellow]warning[/yellow] {escape(text)}",
                                                 highlight=False))


def _locale_texts(texts: tuple[str, ...]) -> dict[str, str]:
    given = {}
    for item in texts:
        locale, sep, text = item.partition("=")
        if not sep or not locale.strip():
            raise UserError(f"--text {printable(item)[:60]!r}: expected LOCALE=TEXT",
                            hint='e.g. --text fr="Les paiements par carte échouent"')
        given[locale.strip()] = text
    return given


def _shown_incident(verb: str, found) -> None:
    drafted = f"; drafted by the engine: {', '.join(found.machine)}" if found.machine else ""
    out.print(f"{verb} incident {found.id} ({found.severity}"
              f"{', ' + _cell(found.category) if found.category else ''}) in "
              f"{', '.join(found.texts)}{drafted}", highlight=False)


@incident.command("open")
@click.argument("text")
@click.option("--severity", type=click.Choice(["minor", "major"]), default="minor",
              show_default=True)
@click.option("--category", default=None, help="The ticket category it concerns. Default: all.")
@_text_option
@_engine_option
@root_option
@database_option
def incident_open(text: str, severity: str, category: str | None, texts: tuple[str, ...],
                  engine: str | None, root: Path, database: str | None) -> None:
    """Show TEXT (in the source locale) on every page until it is resolved."""
    found = _incidents(root, database, engine).open(
        text, severity=severity, category=category, texts=_locale_texts(texts))
    _shown_incident("Opened", found)


@incident.command("update")
@click.argument("ident", metavar="ID")
@click.argument("text", required=False)
@click.option("--severity", type=click.Choice(["minor", "major"]), default=None)
@_text_option
@_engine_option
@root_option
@database_option
def incident_update(ident: str, text: str | None, severity: str | None, texts: tuple[str, ...],
                    engine: str | None, root: Path, database: str | None) -> None:
    """A new TEXT (the other locales drafted again), other locales' texts or the severity."""
    found = _incidents(root, database, engine).update(
        ident, text, severity=severity, texts=_locale_texts(texts))
    _shown_incident("Updated", found)


@incident.command("resolve")
@click.argument("ident", metavar="ID")
@root_option
@database_option
def incident_resolve(ident: str, root: Path, database: str | None) -> None:
    """Take the notice off every page."""
    found = _incidents(root, database).resolve(ident)
    out.print(f"Resolved incident {found.id} at {found.resolved_at[:19]} UTC")


@incident.command("list")
@click.option("--all", "everything", is_flag=True, help="Resolved incidents too.")
@click.option("--history", "history", type=click.IntRange(min=1), default=None, metavar="ID",
              help="Every open, update and resolve of one incident, with who did it.")
@root_option
@database_option
def incident_list(everything: bool, history: int | None, root: Path,
                  database: str | None) -> None:
    """The open incidents (with --all, the resolved ones too)."""
    incidents = _incidents(root, database)
    if history is not None:
        table = Table("at", "who", "what", "severity", "texts", "machine")
        for row in incidents.history(history):
            table.add_row(row["at"][:19], row["actor"], row["action"], row["severity"],
                          _cell(" | ".join(f"{k}: {v}" for k, v in row["texts"].items())),
                          ", ".join(row["machine"]) or "-")
        out.print(table)
        return
    table = Table("id", "severity", "category", "started", "resolved", "text", "machine",
                  "source")
    shown = incidents.list(everything)
    for found in shown:
        table.add_row(str(found.id), found.severity, _cell(found.category or "all"),
                      found.started_at[:19], (found.resolved_at or "-")[:19],
                      _cell(found.texts.get(incidents.source, "")),
                      ", ".join(found.machine) or "-", _cell(found.source or "staff"))
    out.print(table)
    out.print(f"{len(shown)} {'incident' if everything else 'open incident'}(s)")


@tickets.command("show")
@click.argument("ticket")
@root_option
@database_option
def tickets_show(ticket: str, root: Path, database: str | None) -> None:
    """One ticket, by id or reference, with its context and deliveries."""
    found = _store(root, database).ticket(ticket)
    if not found:
        raise UserError(f"no ticket '{printable(ticket)}'",
                        hint="`helpcenter tickets list` shows them")

    click.echo(json_text(found))


@tickets.command("export")
@root_option
@database_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
def tickets_export(root: Path, database: str | None, fmt: str) -> None:
    """Every ticket with its id, reference, fields and context, to standard output."""

    rows = _store(root, database).tickets()
    if fmt == "json":
        click.echo(json_text(rows))
        return
    columns = ["id", "reference", "created_at", "locale", "category", "name", "email",
               "subject", "message", "fields", "context"]
    on_terminal = sys.stdout.isatty()  # piped or redirected, the export stays byte-exact
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        row = {**row, "fields": json.dumps(row["fields"], ensure_ascii=False),
               "context": json.dumps(row["context"], ensure_ascii=False)}
        writer.writerow({k: _csv_cell(v, on_terminal) for k, v in row.items()})


def _cell(value) -> str:
    """A table cell of text a customer typed: one line, no control character, no markup."""
    return escape(printable(value, one_line=True))


def _csv_cell(value, on_terminal: bool):
    """A CSV cell a spreadsheet shows as text (OWASP's CSV injection advice): a cell that
    starts with = + - @, a tab or a CR would be read as a formula, so it gets a leading '.
    The text stays exact otherwise; on a terminal its control characters are shown escaped."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    return printable(value) if on_terminal else value


@tickets.command("release")
@click.argument("ticket")
@root_option
@database_option
def tickets_release(ticket: str, root: Path, database: str | None) -> None:
    """Move a quarantined request (id or reference) into the normal flow: it is forwarded
    to every target like any ticket."""
    settings, store = _settings_and_store(root, database)
    reference = store.release(ticket, settings.target_names)
    if reference is None:
        known = store.ticket(ticket) is not None
        raise UserError(f"{ticket!r} is not in quarantine" if known else f"no ticket {ticket!r}",
                        hint="`helpcenter tickets list --quarantine` shows the held requests")
    targets = ", ".join(settings.target_names)
    out.print(f"Released {reference}: " + (f"queued for {targets}; a running worker sends it now."
                                          if targets else "no targets are configured."))


@tickets.command("retry")
@root_option
@database_option
@click.option("--target", default=None, help="Only this target's dead letters.")
def tickets_retry(root: Path, database: str | None, target: str | None) -> None:
    """Re-queue deliveries that failed for good (dead letters)."""
    count = _store(root, database).requeue_dead(target)
    out.print(f"Re-queued {count} delivery(ies); a running worker sends them now.")


@cli.command()
@root_option
@database_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="First day of the period (YYYY-MM-DD, UTC). Default: 30 days ago.")
@click.option("--locale", "locales", multiple=True, metavar="CODE",
              help="Only this locale (repeatable). Default: every locale.")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html",
              show_default=True, help="html: one self-contained page with charts; json: for "
                                      "pipelines (fields in the README).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it. Default: report.html for html, standard output for json.")
def report(root: Path, database: str | None, since, locales: tuple[str, ...], fmt: str,
           output: Path | None) -> None:
    """What customers search for, don't find and ask about, per locale.

    Reads the ticket service's database (searches, votes, form openings, tickets) and the
    translation catalogs. It shows counts and comments, never who asked.
    """

    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.report import gather
    from helpcenter.report.render import html

    today = datetime.now(timezone.utc).date()
    first: date = since.date() if since else today - timedelta(days=29)
    if first > today:
        raise UserError(f"--since {first}: after today ({today})")
    with err.status("Reading events and catalogs"):
        data, project = gather(root, database, first, list(locales), today)
    if fmt == "json":
        text = json_text(data) + "\n"
    else:
        text = html(data, {loc.code: loc.name for loc in project.locales},
                    {loc.code: loc.direction for loc in project.locales}, project.source.code)
        output = output or Path("report.html")
    if output is None:
        click.echo(text, nl=False)
        return
    atomic.write_output(output, text)
    err.print(f"Report for {data['period']['since']} to {today} → {_cell(output)}",
              highlight=False)


MAX_DAYS = 100 * 366  # a retention period past this reaches before year 1: a mistake


@cli.group()
def events() -> None:
    """Manage the events the help center records (searches, views, deflections)."""


@events.command("prune")
@root_option
@database_option
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=None,
              help="Delete events and feedback older than this many days. "
                   "Default: extra.helpcenter.tickets.events_retention_days.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def events_prune(root: Path, database: str | None, days: int | None, dry_run: bool) -> None:
    """Delete events and feedback older than the retention period."""
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.tickets import retention
    from helpcenter.tickets import settings as ticket_settings

    settings = ticket_settings.from_project(root, {"database": database})
    days = days or settings.events_retention_days
    if days and not 1 <= days <= MAX_DAYS:
        raise UserError(f"extra.helpcenter.tickets.events_retention_days: {days} is not a "
                        f"number of days from 1 to {MAX_DAYS:,}", path=root / "mkdocs.yml")
    if not days:
        raise UserError("how many days of events to keep?",
                        hint="pass --days N, or set extra.helpcenter.tickets."
                             "events_retention_days in mkdocs.yml")
    older_than = retention.cutoff(days)
    with err.status("Pruning") as spinner:
        counts = retention.prune(
            _store(root, database), older_than, dry_run=dry_run,
            progress=lambda table, n: spinner.update(f"Pruning {table}: {n:,} deleted"))
    verb = "Would delete" if dry_run else "Deleted"
    out.print(f"{verb} {counts['events']:,} event(s) and {counts['feedback']:,} feedback "
              f"vote(s) from before {older_than[:10]} (kept {days} days).", highlight=False)


def _run_build(root: Path, locales: list[str], site_dir: Path | None, strict: bool,
               jobs: int | None, exit_on_error: bool = True, cache: bool = True) -> bool:
    # lazy: loaded only by the command that needs it (start-up time)
    from helpcenter.site.build import build_site

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("Starting", total=None)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            report = build_site(root, locales=locales or None, site_dir=site_dir, strict=strict,
                                jobs=jobs, progress=progress, cache=cache)
    except UserError as exc:
        if exit_on_error:
            raise
        _show(exc, root)  # the preview keeps running: the writer fixes the file and saves
        return False
    for warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(warning)}", highlight=False)
    idx = report.index
    out.print(
        f"Built {report.pages} pages in {len(report.locales)} locale(s) in "
        f"{report.seconds:.1f}s → {report.site_dir} ({report.rendered} rendered, "
        f"{report.reused} unchanged)"
        + (f"; search indexed {idx.pages} pages in {idx.languages} language(s)" if idx
           else "; search index unchanged"),
        highlight=False,
    )
    return True


@contextmanager
def _progress():
    """A progress bar on stderr while a stage runs: yields its `progress(step, done, total)`."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("Reading", total=None)
        yield lambda step, done, total: bar.update(task, description=step, completed=done,
                                                   total=total or None)


def _show(exc: UserError, root: Path | None) -> None:
    where = root.resolve() if root is not None else None
    err.print(f"[bold red]error[/bold red] {escape(printable(exc.render(where)))}",
              highlight=False)


def main() -> None:
    cli()
