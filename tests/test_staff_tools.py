"""Staff tools (`tickets`, `report`, `events`) cannot be turned against the staff who run them.

What a customer typed reaches a support person's terminal, spreadsheet and browser: it is shown,
never obeyed. A file the staff name is written as a regular file or refused. A report over any
period stays small. Every odd input (a text file as the database, a 23-digit id, a retention of
a billion days) is a clear error, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
from collections import Counter
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO

sys.path.insert(0, str(REPO / "tools" / "bench"))

from seed_events import project_names, seed  # noqa: E402

from helpcenter.cli import cli  # noqa: E402
from helpcenter.tickets.store import NewTicket, Store  # noqa: E402

# What a terminal would obey: C0 controls but newline, DEL, C1 controls, bidi controls.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                         "\u202a-\u202e\u2066-\u2069]")
HOSTILE = ("Refund\x1b[2J\x1b[H\x1b]0;you have been pwned\x07 \x1b[31mred\x1b[0m\r"
           "overwritten\x08\x08\x9b1m\u202egpj.exe\u202c\nsecond line")


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "400"}, **kwargs)


def add_ticket(database: str, **fields) -> str:
    store = Store.open(database)
    ticket = NewTicket(**{"name": "Eve", "email": "eve@example.com", "subject": "Hello",
                          "message": "Hi", "locale": "en", **fields})
    try:
        return asyncio.run(store.create_ticket(ticket, [])).reference
    finally:
        store.close()


def test_customer_text_is_shown_never_obeyed_by_the_terminal(database_url, tmp_path):
    reference = add_ticket(database_url, subject=HOSTILE, name="\x1b]52;c;cm0gLXJmIH4=\x07Eve",
                           email="eve\x1b[8m@example.com", fields={"order": "\x9b2J"})
    common = ["--root", tmp_path, "--database", database_url]

    listed = run("tickets", "list", *common)
    assert listed.exit_code == 0, listed.output
    assert not RAW_CONTROL.search(listed.output)
    row = next(line for line in listed.output.splitlines() if reference in line)
    # One ticket is one row, every control visible where it was.
    assert "Refund\\x1b[2J\\x1b[H\\x1b]0;you have been pwned\\x07" in row
    assert "\\u202egpj.exe\\u202c⏎second line" in row and "eve\\x1b[8m@example.com" in row

    for command in (["tickets", "show", reference], ["tickets", "export"]):
        result = run(*command, *common)
        assert result.exit_code == 0, result.output
        assert not RAW_CONTROL.search(result.output), command
        data = json.loads(result.output)  # and the JSON is still exact
        ticket = data if isinstance(data, dict) else data[0]
        assert ticket["subject"] == HOSTILE and ticket["fields"] == {"order": "\x9b2J"}
        assert ticket["name"].startswith("\x1b]52;")

    # CSV to a pipe or a file stays byte-exact: it is data for another program.
    exported = run("tickets", "export", "--format", "csv", *common)
    cells = next(csv.DictReader(io.StringIO(exported.output)))
    assert cells["subject"] == HOSTILE


def test_csv_cells_never_start_a_spreadsheet_formula(database_url, tmp_path):
    formulas = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0",
                "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]
    for subject in formulas:
        add_ticket(database_url, subject=subject, name=subject)
    exported = run("tickets", "export", "--format", "csv", "--root", tmp_path,
                   "--database", database_url)
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    # OWASP: a leading ' makes the cell text; the rest of the cell is what the customer typed.
    assert [r["subject"] for r in rows] == ["'" + f for f in formulas]
    assert [r["name"] for r in rows] == ["'" + f for f in formulas]
    assert rows[0]["email"] == "eve@example.com"


def test_terminal_csv_export_shows_controls_escaped(monkeypatch):
    from helpcenter import cli as cli_module

    assert cli_module._csv_cell(HOSTILE, on_terminal=False) == HOSTILE
    shown = cli_module._csv_cell(HOSTILE, on_terminal=True)
    assert not RAW_CONTROL.search(shown) and "\\x1b[2J" in shown


@pytest.fixture
def small_database(tmp_path):
    database = f"sqlite:///{tmp_path}/t.sqlite3"
    seed(database, events=20, locales=["en"], articles=["orders/returns.md"])
    return database


def report_to(project, database, output):
    return run("report", "--root", project, "--database", database, "--format", "json",
               "--output", output)


def test_report_output_is_a_regular_file_or_refused(project, small_database, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    to_null = tmp_path / "null-link"
    to_null.symlink_to("/dev/null")
    kept = tmp_path / "kept.json"
    kept.write_text("mine\n")
    to_file = tmp_path / "file-link"
    to_file.symlink_to(kept)
    folder = tmp_path / "folder"
    folder.mkdir()
    refused = [fifo, to_null, to_file, folder]
    if os.geteuid() == 0:  # as root, a rename over /dev/full would replace the device node
        refused.append(Path("/dev/full"))
    for target in refused:
        result = report_to(project, small_database, target)
        assert result.exit_code in (1, 2), (target, result.output)
        assert str(target) in result.stderr and "Traceback" not in result.output
        assert "not replacing it" in result.stderr or "is a directory" in result.stderr
    assert fifo.is_fifo() and to_null.is_symlink() and to_file.is_symlink()
    assert kept.read_text() == "mine\n" and folder.is_dir()
    assert Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()

    written = report_to(project, small_database, kept)  # a regular file is replaced, atomically
    assert written.exit_code == 0, written.output
    assert json.loads(kept.read_text())["period"]["until"]


def test_an_unwritable_output_is_a_clear_error(project, small_database, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for target in (a_file / "report.json", Path("/proc/report.json")):
        result = report_to(project, small_database, target)
        assert result.exit_code == 1, (target, result.output)
        assert f"cannot write {target}" in result.stderr and "Traceback" not in result.output


def test_the_embedded_json_cannot_end_its_script_element(project, tmp_path):
    database = f"sqlite:///{tmp_path}/t.sqlite3"
    store = Store.open(database)
    hostile = ["<!--<script>", "</script><script>alert(1)</script>", "a & b > c",
               "</SCRIPT >", "<![CDATA[", "\u2028"]

    async def searches():
        for query in hostile:
            await store.add_event("en", "search", query, 0, "/en/", None)

    asyncio.run(searches())
    store.close()
    output = tmp_path / "report.html"
    result = run("report", "--root", project, "--database", database, "--output", output)
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    start = page.index('<script type="application/json" id="report-data">') + len(
        '<script type="application/json" id="report-data">')
    embedded = page[start:page.index("</script>", start)]
    # Without a "<" the HTML parser cannot leave the element or change its state within it.
    assert not re.search("[<>&]", embedded)
    data = json.loads(embedded)
    assert {q["query"] for q in data["searches"]["en"]["zero"]} >= set(hostile) - {"\u2028"}
    plain = json.loads(run("report", "--root", project, "--database", database,
                           "--format", "json").stdout)
    assert {**data, "generated_at": None} == {**plain, "generated_at": None}


def test_odd_input_gets_a_clear_error_not_a_traceback(project, database_url, tmp_path):
    add_ticket(database_url)
    common = ["--root", project, "--database", database_url]
    cases = {
        ("tickets", "show", "99999999999999999999999"): (1, "no ticket '99999999999999999999999'"),
        ("tickets", "show", "9223372036854775808"): (1, "no ticket"),
        ("tickets", "show", "²"): (1, "no ticket"),
        ("tickets", "release", "99999999999999999999999"): (1, "no ticket"),
        ("tickets", "list", "--limit", "-1"): (2, "--limit"),
        ("tickets", "list", "--limit", "99999999999999999999999"): (2, "--limit"),
        ("events", "prune", "--days", "1e12"): (2, "--days"),
        ("events", "prune", "--days", "99999999999"): (2, "--days"),
        ("events", "prune", "--days", "-3"): (2, "--days"),
        ("report", "--since", "9999-12-31"): (1, "after today"),
        ("report", "--since", "0000-01-01"): (2, "--since"),
    }
    for args, (code, message) in cases.items():
        result = run(*args, *common)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
    assert run("tickets", "show", "1", *common).exit_code == 0
    assert run("events", "prune", "--days", "36600", "--dry-run", *common).exit_code == 0


def test_a_file_that_is_not_a_database_is_named(project, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    for url in (f"sqlite:///{text}", "sqlite:////etc/passwd", f"sqlite:///{tmp_path}"):
        for args in (["tickets", "list"], ["tickets", "show", "1"], ["tickets", "export"],
                     ["report", "--format", "json"], ["events", "prune", "--days", "30"]):
            result = run(*args, "--root", project, "--database", url)
            assert result.exit_code == 1, (url, args, result.output)
            assert ("not a SQLite database" in result.stderr  # the report checks for a file
                    or "no ticket database at" in result.stderr), (url, args, result.stderr)
            assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text.read_text() == "not a database\n" * 100


def report_json(project, database, since):
    result = run("report", "--root", project, "--database", database, "--format", "json",
                 "--since", since)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_report_over_ten_years_or_since_year_one_stays_small(project, database_url):
    locales, articles = project_names(project)
    expected = seed(database_url, events=3000, locales=locales, articles=articles, days=3650,
                    seed=3)
    data = report_json(project, database_url, expected["period"]["since"])
    assert data["interval"] == "month" and data["period"]["days"] == 3650
    for code, want in expected["searches"].items():
        got = data["searches"][code]
        assert len(got["per_day"]) <= 121  # ten years of months, not 3,650 days
        assert got["total"] == want["total"] and got["zero_results"] == want["zero_results"]
        months = Counter()
        for day, n in want["per_day"].items():
            months[day[:7]] += n
        assert {p["date"][:7]: p["searches"] for p in got["per_day"] if p["searches"]} == months
        for query in got["top"]:
            assert len(query["per_day"]) == len(got["per_day"])
            assert sum(query["per_day"]) == query["count"]
    assert sum(p["tickets"] for p in data["tickets"]["per_day"]) == data["tickets"]["total"]
    output = project / "report.html"
    drawn = run("report", "--root", project, "--database", database_url, "--output", output,
                "--since", expected["period"]["since"])
    assert drawn.exit_code == 0, drawn.output
    page = output.read_text(encoding="utf-8")
    assert "<h3>Searches a month</h3>" in page and "(3,650 days, UTC; a point a month)" in page
    assert len(page) < 1_000_000

    everything = report_json(project, database_url, "0001-01-01")
    first = date.fromisoformat(expected["period"]["since"])
    since = date.fromisoformat(everything["period"]["since"])
    assert first - timedelta(days=14) <= since < first  # the first day anything was recorded
    assert everything["interval"] == "month" and len(everything["tickets"]["per_day"]) <= 122
    store = Store.open(database_url)
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM events WHERE type = 'search'")
        searches = cur.fetchone()[0]
    assert sum(s["total"] for s in everything["searches"].values()) == searches


def test_the_points_are_days_then_weeks_months_and_years():
    from helpcenter.report.figures import Timeline

    today = date(2026, 12, 2)
    for days, interval, points in [(1, "day", 1), (92, "day", 92), (93, "week", 14),
                                   (731, "week", 105), (732, "month", 25),
                                   (20 * 366, "month", 242), (20 * 366 + 1, "year", 21)]:
        timeline = Timeline.of(today - timedelta(days=days - 1), today)
        assert (timeline.interval, len(timeline.starts)) == (interval, points), days
        assert timeline.starts[0] == (today - timedelta(days=days - 1)).isoformat()
    assert len(Timeline.of(date(1, 1, 1), today).starts) == 2026


def test_a_retention_past_a_century_in_the_config_is_named(project, small_database):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  helpcenter:\n    tickets:\n"
                      "      events_retention_days: 99999999999\n", encoding="utf-8")
    result = run("events", "prune", "--root", project, "--database", small_database)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "events_retention_days: 99999999999 is not a number of days" in result.stderr
