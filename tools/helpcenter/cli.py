"""The `helpcenter` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from helpcenter import __version__
from helpcenter.errors import UserError

out = Console()
err = Console(stderr=True)

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The help center folder: it holds mkdocs.yml and content/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helpcenter")
def cli() -> None:
    """A git-native, multilingual help center.

    Articles live in content/<locale>/ as Markdown; mkdocs.yml lists the locales. `build` makes
    the static site in site/, `serve` previews it while you write.
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
def build(root: Path, locales: tuple[str, ...], site_dir: Path | None, strict: bool,
          jobs: int | None) -> None:
    """Build the help center: every locale, then the search index."""
    _run_build(root, list(locales), site_dir, strict, jobs)


@cli.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the site is built. Default: ROOT/site.")
@click.option("--no-watch", is_flag=True, help="Do not rebuild when files change.")
def serve(root: Path, host: str, port: int, site_dir: Path | None, no_watch: bool) -> None:
    """Build if needed, serve the site, and rebuild when content changes."""
    from helpcenter.site import serve as serving

    try:
        serving.serve(root, host=host, port=port, site_dir=site_dir, watch=not no_watch,
                      rebuild=lambda locales: _run_build(root, locales, site_dir, False, None,
                                                         exit_on_error=False),
                      log=out.print)
    except UserError as exc:
        _fail(exc, root)


def _run_build(root: Path, locales: list[str], site_dir: Path | None, strict: bool,
               jobs: int | None, exit_on_error: bool = True) -> bool:
    from helpcenter.site.build import build_site

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("Starting", total=None)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            report = build_site(root, locales=locales or None, site_dir=site_dir, strict=strict,
                                jobs=jobs, progress=progress)
    except UserError as exc:
        _fail(exc, root, exit_on_error)
        return False
    for warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(warning)}", highlight=False)
    idx = report.index
    out.print(
        f"Built {report.pages} pages in {len(report.locales)} locale(s) in "
        f"{report.seconds:.1f}s → {report.site_dir}"
        + (f"; search indexed {idx.pages} pages in {idx.languages} language(s)" if idx else ""),
        highlight=False,
    )
    return True


def _fail(exc: UserError, root: Path, exit_now: bool = True) -> None:
    err.print(f"[bold red]error[/bold red] {escape(exc.render(root.resolve()))}", highlight=False)
    if exit_now:
        sys.exit(1)


def main() -> None:
    cli()
