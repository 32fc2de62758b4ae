"""The README's configuration reference is the declaration's: it cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from helpcenter.config import reference
from helpcenter.config.helpcenter import HelpCenterConfig

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_carries_the_generated_reference():
    text = README.read_text(encoding="utf-8")
    assert reference.markdown() in text, (
        "README.md's configuration reference differs from the config declaration: "
        "run `.venv/bin/python tools/config_reference.py`")


def test_every_option_has_a_description():
    undocumented = [key for key, _, _, doc in reference.rows() if not doc]
    assert not undocumented, f"give these options a one-line docstring: {undocumented}"


def test_every_declared_key_is_in_the_reference():
    # Walk the declaration independently of the generator: a key it skipped would be missing.
    keys = {row[0] for row in reference.rows()}

    def walk(model, prefix):
        for name, field in model.model_fields.items():
            key = f"{prefix}.{field.alias or name}"
            yield key
            for sub in reference._models(field.annotation):
                if sub.__name__.endswith("Target"):
                    continue  # targets are listed per type
                yield from walk(sub, f"{key}[]" if reference._is_sequence(field.annotation) else key)

    missing = [k for k in walk(HelpCenterConfig, "extra.helpcenter") if k not in keys]
    assert not missing, missing
