"""`helpcenter report` and `helpcenter events prune`, on databases filled by the generator in
tools/bench/seed_events.py, whose figures are known: the report must show exactly those."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from conftest import REPO

sys.path.insert(0, str(REPO / "tools" / "bench"))

from seed_events import project_names, seed  # noqa: E402

from babel.dates import format_date  # noqa: E402
from babel.numbers import format_decimal, format_percent  # noqa: E402

from helpcenter.cli import cli  # noqa: E402
from helpcenter.report.render import html  # noqa: E402
from helpcenter.tickets.store import Store  # noqa: E402

EVENTS = 6000


@pytest.fixture
def seeded(project, database_url):
    locales, articles = project_names(project)
    figures = seed(database_url, events=EVENTS, locales=locales, articles=articles, days=14,
                   seed=7)
    return project, database_url, figures


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def report_json(project, database, *extra):
    result = run("report", "--root", project, "--database", database, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_report_shows_exactly_the_generated_figures(seeded):
    project, database, expected = seeded
    assert expected["outside_period"] > 0  # the period filter has something to leave out
    data = report_json(project, database, "--since", expected["period"]["since"])
    assert data["period"] == {**expected["period"], "days": 14}

    for code, want in expected["searches"].items():
        got = data["searches"][code]
        assert (got["total"], got["zero_results"]) == (want["total"], want["zero_results"])
        assert {d["date"]: d["searches"] for d in got["per_day"] if d["searches"]} == want["per_day"]
        assert {d["date"]: d["zero_results"] for d in got["per_day"]
                if d["zero_results"]} == want["zero_per_day"]
        # Spellings ("REFUND", "  refund ") are one query, shown without the extra spaces.
        assert {q["query"].casefold(): q["count"] for q in got["top"]} == want["queries"]
        assert {q["query"].casefold(): q["zero_results"] for q in got["zero"]} == want["zero_queries"]
        counts = [q["count"] for q in got["top"]]
        assert counts == sorted(counts, reverse=True)
        assert all(q["trend"]["previous"] + q["trend"]["recent"] == q["count"] for q in got["top"])

    for code, want in expected["deflection"].items():
        got = data["deflection"]["by_locale"][code]
        assert {k: got[k] for k in want} == want
        assert got["rate"] == round(want["deflections"] / want["form_opens"], 4)

    votes = data["articles"]
    assert (votes["votes"], votes["not_helpful"]) == (expected["votes"]["total"],
                                                     expected["votes"]["not_helpful"])
    for entry in votes["least_helpful"]:
        want = expected["votes"]["pages"][f"{entry['locale']} {entry['page']}"]
        assert [entry["helpful"], entry["not_helpful"]] == want
        assert entry["article"] in ("orders/returns.md", "orders/refunds.md")
        assert entry["title"] in ("Return an item", "Refund timing")
    ranked = [e["not_helpful"] for e in votes["least_helpful"]]
    assert ranked == sorted(ranked, reverse=True) and ranked

    tickets = data["tickets"]
    want = expected["tickets"]
    assert {k: v for k, v in tickets["by_locale"].items() if v} == want["by_locale"]
    assert tickets["by_channel"] == want["by_channel"]
    assert tickets["by_category"] == want["by_category"]
    assert tickets["time_to_ticket"]["median_ms"] == want["median_ms"]
    assert {c: w["median_ms"] for c, w in tickets["time_to_ticket"]["by_locale"].items()
            if w["median_ms"] is not None} == want["median_ms_by_locale"]

    # Views per article, where the translation is not reviewed: the fixture's fr has a
    # hand-written returns.md (reviewed) and nothing for refunds.md (missing).
    fr = data["translation"]["fr"]
    assert fr["views"] == sum(expected["views"]["fr"].values())
    assert fr["most_viewed_not_reviewed"] == [
        {"article": "orders/refunds.md", "title": "Refund timing", "state": "missing",
         "views": expected["views"]["fr"]["orders/refunds.md"]}]
    assert "en" not in data["translation"]  # the source is not a translation


def test_requests_held_in_quarantine_are_not_counted_as_tickets(seeded):
    project, database, expected = seeded
    before = report_json(project, database, "--since", expected["period"]["since"])["tickets"]
    store = Store.open(database)
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute(store.db.begin())
        cur.execute(store.db.sql(
            "INSERT INTO tickets (reference, created_at, name, email, subject, message, locale, "
            "fields, context, quarantine) VALUES ('HC-BOT00001', ?, 'x', 'x@example.com', 's', "
            "'m', 'en', '{}', '{\"searches\": [\"a\", \"b\"]}', 'too_fast')"),
            (datetime.now(timezone.utc).isoformat(timespec="seconds"),))
        cur.execute("COMMIT")
    after = report_json(project, database, "--since", expected["period"]["since"])["tickets"]
    assert after["total"] == before["total"] and after["by_locale"] == before["by_locale"]


def test_locale_and_since_narrow_the_report(seeded):
    project, database, expected = seeded
    since = (datetime.now(timezone.utc).date() - timedelta(days=3)).isoformat()
    data = report_json(project, database, "--locale", "ja", "--since", since)
    assert data["locales"] == ["ja"] and list(data["searches"]) == ["ja"]
    want = sum(n for day, n in expected["searches"]["ja"]["per_day"].items() if day >= since)
    assert data["searches"]["ja"]["total"] == want
    assert set(data["tickets"]["by_locale"]) == {"ja"}


def test_bad_input_gets_a_clear_error(project, tmp_path):
    missing = run("report", "--root", project, "--database", f"sqlite:///{tmp_path}/none.sqlite3")
    assert missing.exit_code == 1 and "no ticket database at" in missing.stderr
    assert "Traceback" not in missing.output
    database = f"sqlite:///{tmp_path}/t.sqlite3"
    seed(database, events=10, locales=["en"], articles=["orders/returns.md"])
    unknown = run("report", "--root", project, "--database", database, "--locale", "xx")
    assert unknown.exit_code == 1 and "--locale xx: not a locale" in unknown.stderr
    future = run("report", "--root", project, "--database", database, "--since", "2999-01-01")
    assert future.exit_code == 1 and "after today" in future.stderr
    bad_date = run("report", "--root", project, "--database", database, "--since", "last week")
    assert bad_date.exit_code == 2 and "--since" in bad_date.stderr


def test_the_html_report_is_one_self_contained_file(seeded, tmp_path):
    project, database, expected = seeded
    output = tmp_path / "out" / "report.html"
    result = run("report", "--root", project, "--database", database, "--output", output,
                 "--since", expected["period"]["since"])
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from elsewhere
    assert "<script src" not in page and "<link" not in page
    assert page.count("<svg") > 20 and 'role="img"' in page
    # The embedded data is the JSON format's, and the headline figures are on the page.
    embedded = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)'
                                    r"</script>", page, re.S).group(1))
    total = sum(s["total"] for s in expected["searches"].values())
    assert sum(s["total"] for s in embedded["searches"].values()) == total
    assert f"<b>{total:,}</b>searches" in page


def test_the_html_report_writes_figures_and_dates_as_the_source_language_does(seeded):
    """CLDR through Babel: a French help center's report reads "1 234", "12,5 %" and
    "22 nov. 2026", not "1,234", "12.5%" and "2026-11-22"."""
    project, database, expected = seeded
    data = report_json(project, database, "--since", expected["period"]["since"])
    total = sum(s["total"] for s in data["searches"].values())
    zero = sum(s["zero_results"] for s in data["searches"].values())
    since = datetime.fromisoformat(expected["period"]["since"]).date()
    english = html(data, {}, {}, "en")
    french = html(data, {}, {}, "fr")
    assert f"<b>{total:,}</b>searches" in english
    assert f"<b>{format_decimal(total, locale='fr')}</b>searches" in french
    assert "\u202f" in format_decimal(total, locale="fr")  # a narrow space groups the thousands
    assert f"<b>{format_percent(zero / total, '#,##0.0%', locale='fr')}</b>found nothing" in french
    assert f"{format_date(since, 'medium', locale='fr')} to " in french
    assert f"{since.isoformat()} to " not in french
    assert format_date(since, "medium", locale="ja") in html(data, {}, {}, "ja")


@pytest.mark.browser
def test_the_html_report_reads_well_in_chromium(seeded, tmp_path, browser):
    """No request leaves the file, every chart is labelled, axe finds nothing serious, and it
    fits a phone."""
    project, database, expected = seeded
    output = tmp_path / "report.html"
    run("report", "--root", project, "--database", database, "--output", output,
        "--since", expected["period"]["since"])
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(output.as_uri())
    assert requests == [output.as_uri()]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    labels = page.eval_on_selector_all("svg", "els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and all(labels)
    page.add_script_tag(path=str(REPO / "tests" / "audit" / "node_modules" / "axe-core" /
                                 "axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["nodes"][0]["html"][:120]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()


def count_older(store, table, cutoff):
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute(store.db.sql(f"SELECT COUNT(*) FROM {table} WHERE created_at < ?"), (cutoff,))
        return cur.fetchone()[0]


def test_prune_deletes_old_events_and_feedback_only(project, database_url):
    from helpcenter.tickets import retention
    from helpcenter.tickets.store import Database, Store

    locales, articles = project_names(project)
    seed(database_url, events=2000, locales=locales, articles=articles, days=10, seed=3)
    store = Store(Database(database_url))
    cutoff = retention.cutoff(10)

    def older(table):
        return count_older(store, table, cutoff)

    before = {t: store.count(t) for t in ("events", "feedback", "tickets")}
    old = {t: older(t) for t in ("events", "feedback")}
    assert old["events"] > 0 and old["feedback"] > 0

    dry = run("events", "prune", "--root", project, "--database", database_url, "--days", 10,
              "--dry-run")
    assert dry.exit_code == 0 and f"Would delete {old['events']:,} event(s)" in dry.stdout
    assert store.count("events") == before["events"]

    retention.BATCH, saved = 100, retention.BATCH  # several batches, as on a big database
    try:
        done = run("events", "prune", "--root", project, "--database", database_url,
                   "--days", 10)
    finally:
        retention.BATCH = saved
    assert done.exit_code == 0 and f"Deleted {old['events']:,} event(s)" in done.stdout
    assert older("events") == older("feedback") == 0
    assert store.count("events") == before["events"] - old["events"]
    assert store.count("feedback") == before["feedback"] - old["feedback"]
    assert store.count("tickets") == before["tickets"]  # tickets are the help desk's to keep


def test_prune_takes_its_period_from_the_config_or_asks(project, tmp_path):
    database = f"sqlite:///{tmp_path}/t.sqlite3"
    seed(database, events=50, locales=["en"], articles=["orders/returns.md"])
    default = run("events", "prune", "--root", project, "--database", database)
    assert default.exit_code == 0 and "(kept 400" in default.stdout  # on by default
    config = project / "mkdocs.yml"
    text = config.read_text()
    for days in ("null", "90"):
        config.write_text(text + "extra:\n  helpcenter:\n    tickets:\n"
                          f"      events_retention_days: {days}\n", encoding="utf-8")
        if days == "null":  # kept for ever: prune asks how long
            asked = run("events", "prune", "--root", project, "--database", database)
            assert asked.exit_code == 1 and "events_retention_days" in asked.stderr
    configured = run("events", "prune", "--root", project, "--database", database)
    assert configured.exit_code == 0 and "(kept 90 days)" in configured.stdout


def test_a_running_service_applies_the_retention_period_itself(project, database_url):
    import time

    from starlette.testclient import TestClient

    from helpcenter.tickets import retention
    from helpcenter.tickets.app import create_app
    from helpcenter.tickets.settings import Settings
    from helpcenter.tickets.store import Database, Store

    locales, articles = project_names(project)
    seed(database_url, events=1000, locales=locales, articles=articles, days=10, seed=5)
    store = Store(Database(database_url))
    cutoff = retention.cutoff(10)

    def old_events():
        return count_older(store, "events", cutoff)

    assert old_events() > 0
    settings = Settings(database=database_url, locales=locales, events_retention_days=10)
    with TestClient(create_app(settings, worker=False)) as client:
        deadline = time.monotonic() + 20
        while old_events() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert old_events() == 0
        assert client.get("/api/health").status_code == 200


def test_a_trend_compares_halves_of_equal_length():
    from helpcenter.report.figures import _trend

    assert _trend([1, 2, 3, 4]) == {"previous": 3, "recent": 7}
    assert _trend([1, 100, 5]) == {"previous": 1, "recent": 5}  # the middle day is neither
    assert _trend([7]) == {"previous": 0, "recent": 0}
