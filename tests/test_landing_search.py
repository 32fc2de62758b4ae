"""Landing pages a writer gave text of their own are searchable; generated listings are not."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import MKDOCS_YML, PAGES, write_project
from helpcenter.site.build import build_site

INTRO = ("Everything about deployment: choosing a server, configuring the proxy and keeping "
         "the service running after upgrades.")


def test_a_landing_page_with_its_own_text_is_indexed_without_its_listing(tmp_path: Path):
    pages = {**PAGES,
             "en/deployment/index.md": f"# Deployment\n\n{INTRO}\n",
             "en/deployment/proxy.md": "# Proxy\n\nPut a proxy in front of the service.\n",
             "en/billing/index.md": "---\ntitle: Billing\n---\n# Billing\n",  # a title alone
             "en/setup/first-steps.md": "# First steps\n\nInstall the app.\n"}  # no index.md
    root = write_project(tmp_path / "help", pages, MKDOCS_YML)
    build_site(root, locales=["en", "fr"])
    site = root / "site"

    landing = (site / "en/deployment/index.html").read_text(encoding="utf-8")
    body = re.search(r'<div class="hc-intro" data-pagefind-body>(.*?)</div>', landing, re.S)
    assert body and INTRO in body.group(1)
    assert "proxy/" not in body.group(1)  # the article list stays outside what is indexed
    assert landing.count("data-pagefind-body") == 1
    for generated in ("en/billing/index.html", "en/setup/index.html", "fr/deployment/index.html"):
        assert "data-pagefind-body" not in (site / generated).read_text(encoding="utf-8"), generated

    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    own = [p for p in (site / "en").rglob("*.html")
           if "data-pagefind-body" in p.read_text(encoding="utf-8")]
    assert site / "en/deployment/index.html" in own
    assert entry["languages"]["en"]["page_count"] == len(own)
