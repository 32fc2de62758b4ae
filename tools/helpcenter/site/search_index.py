"""Search: one Pagefind run over the whole site, after every locale is built.

Pagefind keeps one index per `<html lang>`, so each locale searches only its own pages. It runs
once, not from a MkDocs hook: `on_post_build` fires once per locale. The bundle is written
beside the live one and swapped in, so a failed run leaves the previous search working.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpcenter.errors import UserError

BUNDLE = "pagefind"


@dataclass
class IndexReport:
    pages: int
    languages: int
    extended: bool
    output: str


def index_site(site_dir: Path) -> IndexReport:
    staging = site_dir / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(staging),
         # Heading permalinks (¶) would show up in every excerpt.
         "--exclude-selectors", ".headerlink"],
        capture_output=True, text=True,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise UserError(f"Pagefind could not index the site:\n{output.strip()}", path=site_dir,
                        hint="reinstall the pinned pagefind and pagefind-bin-extended packages")
    live, old = site_dir / BUNDLE, site_dir / f".{BUNDLE}-old"
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    staging.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    return IndexReport(
        pages=_number(r"Indexed (\d+) pages?", output),
        languages=_number(r"Indexed (\d+) languages?", output),
        extended="Extended" in output,
        output=output,
    )


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0
