"""Accessibility and mobile audits of the built fixture site: axe-core and lighthouse (npm).

`bash tools/test.sh` installs both into tests/audit/node_modules from the lock file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import CHROMIUM_ARGS, IN_CI, need_chromium

pytestmark = pytest.mark.browser

AUDIT = Path(__file__).parent / "audit" / "node_modules"
AXE = AUDIT / "axe-core" / "axe.min.js"
LIGHTHOUSE = AUDIT / ".bin" / "lighthouse"


def need(path: Path) -> Path:
    if path.exists():
        return path
    message = f"{path} is missing: run `bash tools/test.sh` (it runs npm ci in tests/audit)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


PAGES = ["en/", "en/orders/", "en/orders/returns/", "fr/orders/refunds/", "ar/orders/returns/",
         "ja/", "", "en/request/", "ja/request/", "ar/request/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(browser, built, site_url, path):
    axe = need(AXE).read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    if path:
        page.goto(site_url + path)
    else:
        # The root redirects when scripts run: audit what a visitor without JavaScript sees.
        html = (built[0] / "site/index.html").read_text(encoding="utf-8")
        page.set_content(re.sub(r"<script>.*?</script>", "", html, flags=re.S))
    result = run_axe(page, axe)
    context.close()
    assert_no_serious(result)


@pytest.mark.parametrize("locale, query", [("en", "return"), ("ja", "返品"), ("ar", "zzzz")])
def test_search_results_have_no_serious_violations(browser, site_url, locale, query):
    axe = need(AXE).read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site_url}{locale}/")
    page.locator("#hc-home-search-input").fill(query)
    page.locator("#hc-home-search-status").filter(has_text=query[:1]).or_(
        page.locator("#hc-home-search-results a").first).first.wait_for(timeout=10_000)
    result = run_axe(page, axe)
    context.close()
    assert_no_serious(result)


def run_axe(page, axe: str):
    return page.evaluate(axe + "\n;axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})")


def assert_no_serious(result) -> None:
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


LIGHTHOUSE_PAGES = ["en/", "en/orders/returns/", "ja/", "ja/orders/returns/", "ar/",
                    "ar/orders/returns/"]


@pytest.fixture(scope="module")
def lighthouse_reports(site_url, tmp_path_factory):
    chromium = need_chromium()
    tool = need(LIGHTHOUSE)
    reports = {}
    for path in LIGHTHOUSE_PAGES:
        out = tmp_path_factory.mktemp("lighthouse") / "report.json"
        proc = subprocess.run(
            [str(tool), site_url + path, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
             # Performance is a timing: tools/bench/lighthouse.py measures it, not a test.
             "--only-categories=accessibility,seo,best-practices",
             "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)],
            capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chromium},
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        reports[path] = json.loads(out.read_text(encoding="utf-8"))
    return reports


@pytest.mark.parametrize("path", LIGHTHOUSE_PAGES)
def test_lighthouse_mobile_audits(lighthouse_reports, path):
    """Home and article pages in en, ja and ar: 100 in every category but performance
    (tests/test_lighthouse_matrix.py audits every other page type)."""
    report = lighthouse_reports[path]
    scores = {name: cat["score"] for name, cat in report["categories"].items()}
    failing = {key: audit["title"] for key, audit in report["audits"].items()
               if audit.get("score") == 0 and audit.get("scoreDisplayMode") == "binary"}
    assert min(scores.values()) == 1, (scores, failing)
    for audit in ("viewport", "document-title", "html-has-lang", "meta-description",
                  "hreflang", "font-size"):
        assert report["audits"][audit]["score"] == 1, (audit, report["audits"][audit]["title"])
