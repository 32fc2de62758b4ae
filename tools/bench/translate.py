#!/usr/bin/env python3
"""Benchmark: what `helpcenter translate` sends to DeepL, against the fake DeepL on loopback.

On a copy of the demo it measures, through the real deepl SDK and tests/fake_deepl.py:

  requests per 1,000 segments     a full first run (target: 25 or fewer)
  billed ratio after an edit      characters billed after editing one paragraph of one article,
                                  divided by that paragraph's characters x locales (target 1.00)
  no-change run                   wall time and requests of a run with nothing changed
                                  (target: under 1 s, zero requests)

and, for comparison, what a naive script that re-translates whole files would send.

    .venv/bin/python tools/bench/translate.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "tests")]

ARTICLE = "troubleshooting/robot-vacuum-not-charging.md"  # translated by hand in no locale


def main() -> None:
    from fake_deepl import FakeDeepL

    from helpcenter.config import load_project
    from helpcenter.translation import engines
    from helpcenter.translation.markdown import parse
    from helpcenter.translation.translate import translate

    with tempfile.TemporaryDirectory() as work, FakeDeepL() as fake:
        root = Path(work) / "demo"
        root.mkdir()
        for part in ("mkdocs.yml", "content", "locales", "theme"):
            source = REPO / part
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
        os.environ.update(DEEPL_SERVER_URL=fake.url, DEEPL_AUTH_KEY=fake.auth_key,
                          NO_PROXY="127.0.0.1,localhost")
        project = load_project(root)
        locales = len(project.codes) - 1

        started = time.perf_counter()
        first = translate(project, engines.build("deepl"))
        full_seconds = time.perf_counter() - started
        segments = sum(s.segments for s in first.locales.values())
        full_billed = fake.billed_characters
        print(f"first run      {segments} segments in {first.requests} requests "
              f"({1000 * first.requests / segments:.1f} per 1,000 segments), "
              f"{full_billed} characters billed, {full_seconds:.2f} s")

        page = root / "content/en" / ARTICLE
        text = page.read_text(encoding="utf-8")
        paragraph = next(s.text for s in parse(text).segments if s.kind == "paragraph")
        edited = paragraph.replace("the", "the the", 1) if "the" in paragraph else paragraph + " Now."
        page.write_text(text.replace(paragraph, edited, 1), encoding="utf-8")
        fake.reset()
        second = translate(project, engines.build("deepl"))
        ratio = fake.billed_characters / (len(edited) * locales)
        naive_billed = len(parse(page.read_text(encoding="utf-8")).render()) * locales
        print(f"one-paragraph edit   {fake.billed_characters} characters billed in "
              f"{second.requests} request(s); ratio to the paragraph x {locales} locales: "
              f"{ratio:.2f} (naive whole-file re-translation: {naive_billed} characters, "
              f"x{naive_billed / max(1, fake.billed_characters):.0f})")

        fake.reset()
        started = time.perf_counter()
        third = translate(project, engines.build("deepl"))
        print(f"no-change run  {time.perf_counter() - started:.2f} s, {third.requests} requests, "
              f"{fake.billed_characters} characters")


if __name__ == "__main__":
    main()
