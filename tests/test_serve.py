"""Integration: `helpcenter serve` builds, serves on loopback and rebuilds after an edit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(predicate, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_serve_builds_serves_and_rebuilds_on_change(project: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpcenter", "serve", "--root", str(project), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"},
    )
    try:
        lines: list[str] = []
        while True:
            line = proc.stdout.readline()
            assert line, "serve exited:\n" + "".join(lines)
            lines.append(line)
            if "Serving" in line:
                break
        port = re.search(r"http://localhost:(\d+)/", line).group(1)
        base = f"http://127.0.0.1:{port}/"

        status, html = fetch(base + "fr/orders/returns/")
        assert status == 200 and "Retourner un article" in html
        status, html = fetch(base + "fr/no-such-page/")
        assert status == 404 and '<html dir="ltr" lang="fr"' in html
        version = fetch(base + "__helpcenter/version")[1]
        # An open page waits on the version (a long poll): the answer comes with the change,
        # and by then the page is written.
        waited: list[str] = []

        def long_poll() -> None:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                answer = fetch(base + f"__helpcenter/version?since={version}")[1]
                if answer != version:
                    waited.append(answer)
                    return

        poll = threading.Thread(target=long_poll)
        poll.start()
        time.sleep(1.0)
        assert not waited, "the long poll answered with no change"

        page = project / "content/fr/orders/returns.md"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "Retourner un article", "Renvoyer un article"), encoding="utf-8")
        poll.join(timeout=90)
        assert waited and waited[0] != version
        assert "Renvoyer un article" in fetch(base + "fr/orders/returns/")[1]
        # Only that page and what lists it were rendered, not the site.
        while not (line := proc.stdout.readline()).startswith("Updated"):
            assert line, "serve exited"
        assert int(re.search(r"Updated (\d+) file", line).group(1)) < 30, line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_serve_mounts_the_ticket_service_under_api(project: Path, tmp_path: Path):
    import json

    proc = subprocess.Popen(
        [sys.executable, "-m", "helpcenter", "serve", "--root", str(project), "--port", "0",
         "--no-watch", "--database", f"sqlite:///{tmp_path}/t.sqlite3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"})
    try:
        line = ""
        while "Serving" not in line:
            line = proc.stdout.readline()
            assert line, "serve exited"
        base = "http://127.0.0.1:" + re.search(r"localhost:(\d+)/", line).group(1)
        request = urllib.request.Request(
            base + "/api/tickets", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"name": "A", "email": "a@example.com", "subject": "Hi",
                             "message": "Help", "locale": "fr"}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
            assert json.loads(response.read())["reference"].startswith("HC-")
        assert fetch(base + "/fr/orders/returns/")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_the_reload_long_poll_lets_a_bounded_number_of_pages_wait(tmp_path: Path, monkeypatch):
    # A page looping on the version endpoint (any site the browser has open may call the
    # loopback preview) must not hold every connection: past the cap a request is told to
    # come back, and the pages already waiting still get the change.
    import asyncio

    import httpx
    from starlette.applications import Starlette

    from helpcenter import preview

    (tmp_path / "index.html").write_text("<html><body>Hi</body></html>", encoding="utf-8")
    monkeypatch.setattr(preview, "MAX_WAITING", 2)
    state = preview._State()
    app = Starlette(routes=preview.site_routes(tmp_path, state))

    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://preview") as client:
            url = f"{preview.VERSION_PATH}?since=0"
            waiting = [asyncio.create_task(client.get(url)) for _ in range(2)]
            await asyncio.sleep(0.3)
            refused = await client.get(url)
            state.version = 1
            answers = await asyncio.gather(*waiting)
            after = await client.get(url)   # the waiters are gone: the next may wait again
            return refused, answers, after

    refused, answers, after = asyncio.run(run())
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert [a.text for a in answers] == ["1", "1"]
    assert after.status_code == 200 and after.text == "1"
    # The reload script backs off on such an answer instead of reloading the page.
    assert "if(!r.ok)throw" in preview._RELOAD_SCRIPT


def test_the_preview_keeps_nothing_and_a_built_site_is_revalidated(tmp_path):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from helpcenter import preview

    (tmp_path / "index.html").write_text("<html><body>Hi</body></html>", encoding="utf-8")
    (tmp_path / "app.js").write_text("1", encoding="utf-8")
    (tmp_path / "404.html").write_text("<html><body>Gone</body></html>", encoding="utf-8")
    for state, wanted in ((preview._State(), "no-store"), (None, "no-cache")):
        client = TestClient(Starlette(routes=preview.site_routes(tmp_path, state)))
        for path in ("/", "/app.js", "/missing/"):
            assert client.get(path).headers["cache-control"] == wanted, (state, path)
