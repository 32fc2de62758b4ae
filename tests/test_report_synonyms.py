"""`helpcenter report`: each search that found nothing says which line of
locales/<locale>/search.yml would have helped, so the fix is one file edit (issue 13)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from click.testing import CliRunner

from helpcenter.cli import cli
from helpcenter.content import synonyms
from helpcenter.report.synonym_hints import _yaml
from helpcenter.tickets.store import Store

NOW = datetime.now(timezone.utc)


def _at(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def seed(database: str, searches: list[tuple[str, str, int]],
         visits: list[tuple[str, list[str]]]) -> None:
    """SEARCHES: (locale, query, results); VISITS: (locale, searches) of tickets."""
    store = Store.open(database)
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute(store.db.begin())
        for i, (locale, query, results) in enumerate(searches):
            cur.execute(store.db.sql("INSERT INTO events (created_at, locale, type, query, "
                                     "results) VALUES (?, ?, 'search', ?, ?)"),
                        (_at(i + 5), locale, query, results))
        for i, (locale, typed) in enumerate(visits):
            cur.execute(store.db.sql(
                "INSERT INTO tickets (reference, created_at, name, email, subject, message, "
                "locale, fields, context) VALUES (?, ?, 'A', 'a@example.com', 's', 'm', ?, '{}', ?)"),
                (f"HC-T{i}", _at(i + 1), locale, json.dumps({"searches": typed})))
        cur.execute("COMMIT")


def zero_hints(project, database) -> dict[str, dict[str, dict | None]]:
    result = CliRunner().invoke(cli, ["report", "--root", str(project), "--database", database,
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {code: {q["query"]: q["synonym"] for q in figures["zero"]}
            for code, figures in data["searches"].items()}


def test_each_search_that_found_nothing_names_the_line_that_would_help(project, database_url):
    (project / "locales/en").mkdir(parents=True)
    (project / "locales/en/search.yml").write_text("refund: [money back]\n", encoding="utf-8")
    seed(database_url, [
        ("en", "money back", 0),          # search.yml maps it now: searched before the line
        ("en", "reimbursement", 0),       # then the same visits found with "refund timing"
        ("en", "refund timing", 4),
        ("en", "zebrakorn", 0),           # a typo of a word on the refunds page
        ("en", "xyzzy", 0),               # nothing to suggest
        ("fr", "remboursement", 0),       # a French visit rephrased it
        ("fr", "retourner", 2),
        ("ja", "返金", 0),                # no near spellings for Japanese
    ], visits=[
        ("en", ["reimbursement", "refund timing"]),
        ("en", ["Reimbursement ", "refund  timing"]),
        ("en", ["xyzzy", "money back"]),  # the later search found nothing either: no hint
        ("fr", ["remboursement", "retourner"]),
        ("ja", ["返金", "返品"]),          # 返品 never found anything: no hint
    ])
    hints = zero_hints(project, database_url)
    en = hints["en"]
    assert en["money back"] == {"kind": "covered", "term": "refund",
                                "line": "refund: [money back]", "term_finds": False}
    assert en["reimbursement"] == {"kind": "rephrased", "term": "refund timing",
                                   "line": "refund timing: [reimbursement]", "visits": 2}
    assert en["zebrakorn"] == {"kind": "spelling", "term": "zebracorn",
                               "line": "zebracorn: [zebrakorn]"}
    assert en["xyzzy"] is None
    assert hints["fr"]["remboursement"]["line"] == "retourner: [remboursement]"
    assert hints["ja"]["返金"] is None


def test_the_suggested_line_works_when_pasted_into_search_yml(project, database_url):
    seed(database_url, [("en", "refund: how long?", 0), ("en", "refund timing", 1)],
         visits=[("en", ["refund: how long?", "refund timing"])])
    line = zero_hints(project, database_url)["en"]["refund: how long?"]["line"]
    (project / "locales/en").mkdir(parents=True)
    (project / "locales/en/search.yml").write_text(line + "\n", encoding="utf-8")
    assert synonyms.load(project / "locales", "en") == (("refund timing", ("refund: how long?",)),)


@pytest.mark.parametrize("text", ["yes", "null", "1.5", "a: b", "[x]", "#tag", "a, b", 'say "hi"',
                                  "back\\slash", "- dash", "plain words", "返金"])
def test_a_suggested_word_reads_back_as_itself(text):
    assert yaml.safe_load(f"term: [{_yaml(text)}]") == {"term": [text]}


def test_the_html_report_shows_the_line_next_to_the_query(project, database_url, tmp_path):
    seed(database_url, [("en", "zebrakorn", 0)], visits=[])
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--root", str(project), "--database",
                                      database_url, "--output", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "locales/en/search.yml" in html
    assert "<code>zebracorn: [zebrakorn]</code>" in html
