"""A mistake in mkdocs.yml names the file, the line and the full key path, and exits 1.

Each case below writes one wrong `extra.helpcenter` value into the fixture project's config and
runs a command a writer would run. The line expected is the line of the marked text.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MKDOCS_YML, write_project
from helpcenter.cli import cli

CASES = [
    # (what is wrong, YAML under `extra.helpcenter:`, key path, marker on the expected line, message)
    ("a word where a number goes", "tickets:\n  rate_limit: {requests: lots}",
     "extra.helpcenter.tickets.rate_limit.requests", "requests: lots", "whole number"),
    ("a number where a mapping goes", "tickets:\n  attachments: 5",
     "extra.helpcenter.tickets.attachments", "attachments: 5", "mapping"),
    ("an unknown key, with a close one", "tickets:\n  honeypot_feld: trap",
     "extra.helpcenter.tickets.honeypot_feld", "honeypot_feld", "did you mean `honeypot_field`"),
    ("an unknown top-level key", "bannner:\n  text: Hello",
     "extra.helpcenter.bannner", "bannner:", "did you mean `banner`"),
    ("a bad field type", "tickets:\n  form:\n    fields:\n      - {name: order, type: txt}",
     "extra.helpcenter.tickets.form.fields[0].type", "type: txt", "'txt' is not one of"),
    ("a field without a name", "tickets:\n  form:\n    fields:\n      - {label: Order}",
     "extra.helpcenter.tickets.form.fields[0].name", "label: Order", "`name` is required"),
    ("a select without options", "tickets:\n  form:\n    fields:\n      - {name: device, type: select}",
     "extra.helpcenter.tickets.form.fields[0]", "name: device", "needs `options"),
    ("a bad policy", "translation:\n  policy: {fr: sometimes}",
     "extra.helpcenter.translation.policy.fr", "fr: sometimes", "'sometimes' is not one of"),
    ("a policy for an undeclared locale", "translation:\n  policy: {pt: reviewed}",
     "extra.helpcenter.translation.policy.pt", "pt: reviewed", "not a locale of this help center"),
    ("a bad formality", "translation:\n  formality: {fr: polite}",
     "extra.helpcenter.translation.formality.fr", "fr: polite", "'polite' is not one of"),
    ("an unknown target type", "tickets:\n  targets:\n    - {type: fax, url: x}",
     "extra.helpcenter.tickets.targets[0]", "type: fax", "unknown type 'fax'"),
    ("a target missing its option", "tickets:\n  targets:\n    - {type: zendesk, subdomain: acme, token_env: T}",
     "extra.helpcenter.tickets.targets[0].email", "type: zendesk", "`email` is required"),
    ("a target with an unknown option", "tickets:\n  targets:\n    - {type: webhook, url: 'https://x.example', secret_env: S, secret: abc}",
     "extra.helpcenter.tickets.targets[0].secret", "type: webhook", "did you mean `secret_env`"),
    ("a bad zendesk api", "tickets:\n  targets:\n    - {type: zendesk, subdomain: a, email: a@b.c, token_env: T, api: chat}",
     "extra.helpcenter.tickets.targets[0].api", "api: chat", "'chat' is not one of"),
    ("two targets with one name", "tickets:\n  targets:\n    - {type: webhook, url: 'https://a.example', secret_env: S}\n    - {type: webhook, url: 'https://b.example', secret_env: S}",
     "extra.helpcenter.tickets.targets", "targets:", "must be unique"),
    ("a bad time zone", "chat:\n  provider: crisp\n  script_url: 'https://c.example/l.js'\n  hours:\n    - {timezone: Europe/Pari, open: '08:00', close: '18:00'}",
     "extra.helpcenter.chat.hours[0].timezone", "Europe/Pari", "not a time zone"),
    ("an hour that is not a time", "chat:\n  hours:\n    - {timezone: Asia/Tokyo, open: 9am, close: '18:00'}",
     "extra.helpcenter.chat.hours[0].open", "open: 9am", "HH:MM"),
    ("closing before opening", "chat:\n  hours:\n    - {timezone: Asia/Tokyo, open: '18:00', close: '09:00'}",
     "extra.helpcenter.chat.hours[0]", "Asia/Tokyo", "must be after open"),
    ("a bad day", "chat:\n  hours:\n    - {timezone: Asia/Tokyo, days: [mon, funday], open: '09:00', close: '18:00'}",
     "extra.helpcenter.chat.hours[0].days[1]", "funday", "'funday' is not one of"),
    ("a chat vendor without its script", "chat:\n  provider: crisp",
     "extra.helpcenter.chat", "chat:", "needs `script_url`"),
    ("a proxy that is not a network", "tickets:\n  trusted_proxies: [10.0.0.0/8, office]",
     "extra.helpcenter.tickets.trusted_proxies", "office", "not an IP address or network"),
    ("a negative retention", "tickets:\n  events_retention_days: -3",
     "extra.helpcenter.tickets.events_retention_days", "events_retention_days", "greater than 0"),
    ("a captcha without its secret", "tickets:\n  captcha: {provider: turnstile}",
     "extra.helpcenter.tickets.captcha.secret_env", "provider: turnstile", "`secret_env` is required"),
    ("a bad captcha provider", "tickets:\n  captcha: {provider: recaptcha, secret_env: K}",
     "extra.helpcenter.tickets.captcha.provider", "recaptcha", "'recaptcha' is not one of"),
    ("a list where text goes", "api_url: [/api]",
     "extra.helpcenter.api_url", "api_url", "text"),
]


def _project(tmp_path: Path, snippet: str) -> tuple[Path, str]:
    block = "extra:\n  helpcenter:\n" + "".join(f"    {line}\n" for line in snippet.splitlines())
    config = MKDOCS_YML + block
    return write_project(tmp_path / "help", config=config), config


def _line_of(config: str, marker: str) -> int:
    start = config.index("extra:\n  helpcenter:")
    return config.count("\n", 0, config.index(marker, start)) + 1


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_wrong_value_names_file_line_and_key(tmp_path: Path, case):
    _, snippet, key, marker, message = case
    root, config = _project(tmp_path, snippet)
    result = CliRunner().invoke(cli, ["status", "--root", str(root)])
    shown = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert f"mkdocs.yml:{_line_of(config, marker)}: {key}" in shown, shown
    assert message in shown, shown


def test_every_mistake_is_reported_at_once(tmp_path: Path):
    root, _ = _project(tmp_path, "tickets:\n  rate_limit: {requests: lots}\n  attachments: 5")
    result = CliRunner().invoke(cli, ["status", "--root", str(root)])
    assert result.exit_code == 1
    assert "rate_limit.requests" in result.output and "tickets.attachments" in result.output


def test_the_real_command_shows_no_traceback(tmp_path: Path):
    root, config = _project(tmp_path, "tickets:\n  rate_limit: {requests: lots}")
    result = subprocess.run([sys.executable, "-m", "helpcenter", "api", "--root", str(root)],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
                            timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"mkdocs.yml:{_line_of(config, 'requests: lots')}: " in result.stderr


def test_unquoted_times_read_as_yaml_numbers_still_mean_the_time(tmp_path: Path):
    # YAML 1.1 reads 20:00 as the number 1200; the writer meant eight in the evening.
    from helpcenter.config import load_project

    root, _ = _project(tmp_path, "chat:\n  hours:\n    - {timezone: Asia/Tokyo, open: 9:30, close: 20:00}")
    hours = load_project(root).helpcenter.chat.hours[0]
    assert (hours.open, hours.close) == ("09:30", "20:00")


def test_a_target_whose_secret_is_not_set_stops_the_service_before_it_starts(tmp_path: Path):
    root, _ = _project(tmp_path, "tickets:\n  targets:\n    - {type: zammad, url: 'https://z.example', token_env: HC_TEST_UNSET_TOKEN}")
    env = {k: v for k, v in os.environ.items() if k != "HC_TEST_UNSET_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "helpcenter", "api", "--root", str(root),
                             "--port", "0"], capture_output=True, text=True, timeout=60,
                            env={**env, "COLUMNS": "200"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "HC_TEST_UNSET_TOKEN is not set" in result.stderr
