"""Translation engines: DeepL through its official SDK, and a deterministic pseudo-localizer.

Both translate *tagged* segments (see `inline`): the markup is in `<x/>` and `<g>` tags that
must come back unchanged. An engine returns the translations and the characters it billed.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from typing import Callable, Protocol

import deepl
from deepl.api_data import MultilingualGlossaryDictionaryEntries
from deepl.util import convert_tsv_to_dict

from helpcenter.errors import UserError

MAX_TEXTS = 50                  # DeepL's limit per request
MAX_BYTES = 120 * 1024          # under DeepL's 128 KiB, counted as the SDK sends it (ASCII JSON)
_TAG = re.compile(r"(<[^>]+>|&[#\w]+;)")  # tags and XML escapes: never accented


class EngineError(UserError):
    """The engine stopped the run (quota, key, network): the finished segments are saved."""


@dataclass
class Batch:
    texts: list[str]
    billed: int


class Engine(Protocol):
    name: str

    def translate(self, texts: list[str], source: str, target: str,
                  context: str | None) -> Batch: ...


def batches(texts: list[str]) -> list[list[int]]:
    """Indexes of `texts` grouped into requests DeepL accepts (count and size)."""
    return [[index for _, index in group] for group in packs([texts])]


def packs(units: list[list[str]]) -> list[list[tuple[int, int]]]:
    """(unit, index) pairs of several units' texts grouped into requests DeepL accepts.

    Units (articles) share a request while they fit. A unit that fits one request on its own is
    never split across two; a larger one is split, its first part filling the request in
    progress and its last part left open to the next units.
    """
    groups: list[list[tuple[int, int]]] = [[]]
    size = 0
    for unit, texts in enumerate(units):
        costs = [len(json.dumps(text)) + 8 for text in texts]  # ensure_ascii: CJK is 6 bytes
        alone = len(texts) <= MAX_TEXTS and sum(costs) <= MAX_BYTES
        if alone and not _fits(len(groups[-1]) + len(texts), size + sum(costs)):
            groups.append([])
            size = 0
        for index, cost in enumerate(costs):
            if groups[-1] and not _fits(len(groups[-1]) + 1, size + cost):
                groups.append([])
                size = 0
            groups[-1].append((unit, index))
            size += cost
    return [g for g in groups if g]


def _fits(count: int, size: int) -> bool:
    return count <= MAX_TEXTS and size <= MAX_BYTES


class Pseudo:
    """Pseudo-localization for layout tests: accented, about 30% longer, bracketed, tags kept.

    Markup-neutral: the brackets (⟦ ⟧) and the padding (·) are no Markdown in any extension,
    unlike `[`, `~` or `*` (pymdownx.tilde reads `~~` as strikethrough), so a pseudo run
    measures the segmenter, not the padding."""

    name = "pseudo"
    ACCENTS = str.maketrans("aceinouyACEINOUY", "àçéîñöûýÀÇÉÎÑÖÛÝ")
    OPEN, CLOSE, PAD = "\u27e6", "\u27e7", "\u00b7"

    def translate(self, texts, source, target, context=None) -> Batch:
        return Batch([self._one(t) for t in texts], 0)

    def _one(self, tagged: str) -> str:
        parts = _TAG.split(tagged)
        out = []
        for part in parts:
            if _TAG.fullmatch(part) or not part.strip():
                out.append(part)
            else:
                pad = self.PAD * max(1, round(len(part.strip()) * 0.3))
                body = part.rstrip()  # the padding ends the words, before any space
                out.append(body.translate(self.ACCENTS) + pad + part[len(body):])
        return self.OPEN + "".join(out) + self.CLOSE


class DeepL:
    """DeepL with `tag_handling=xml`; the key from DEEPL_AUTH_KEY, the server from
    DEEPL_SERVER_URL (the variable DeepL's own SDK tests use)."""

    name = "deepl"

    GLOSSARY = "helpcenter"

    def __init__(self, formality: dict[str, str] | None = None):
        key = os.environ.get("DEEPL_AUTH_KEY")
        if not key:
            raise UserError("no DeepL key: DEEPL_AUTH_KEY is not set",
                            hint="export DEEPL_AUTH_KEY=... (and DEEPL_SERVER_URL for another "
                                 "server), or use --engine pseudo for drafts without DeepL")
        self.deepl = deepl
        self.client = deepl.DeepLClient(key, server_url=os.environ.get("DEEPL_SERVER_URL") or None)
        self.formality = formality or {}
        self.glossary_id: str | None = None
        self.glossary_targets: set[str] = set()

    def sync_glossary(self, source: str, dictionaries: dict[str, dict[str, str]]) -> list[str]:
        """Keep one DeepL multilingual glossary equal to `locales/glossary.yml`: created the
        first time, a dictionary replaced only when its entries changed. Returns what changed."""
        wanted = {t: e for t, e in dictionaries.items() if e}
        if not wanted:
            return []
        src = _deepl_source(source).lower()
        pairs = {t: MultilingualGlossaryDictionaryEntries(src, _deepl_source(t).lower(), e)
                 for t, e in wanted.items()}
        try:
            existing = next((g for g in self.client.list_multilingual_glossaries()
                             if g.name == self.GLOSSARY), None)
            changed = []
            if existing is None:
                existing = self.client.create_multilingual_glossary(self.GLOSSARY, list(pairs.values()))
                changed = sorted(pairs)
            else:
                for target, pair in pairs.items():
                    try:
                        current = self.client.get_multilingual_glossary_entries(
                            existing, src, _deepl_source(target).lower()).dictionaries[0].entries
                        current = convert_tsv_to_dict(current) if isinstance(current, str) else current
                    except self.deepl.GlossaryNotFoundException:
                        current = None
                    if current != wanted[target]:
                        self.client.replace_multilingual_glossary_dictionary(existing, pair)
                        changed.append(target)
        except self.deepl.DeepLException as exc:
            raise EngineError(f"DeepL glossary sync failed: {exc}",
                              hint="check locales/glossary.yml, then run translate again") from None
        self.glossary_id = existing.glossary_id
        self.glossary_targets = set(pairs)
        return changed

    def translate(self, texts, source, target, context=None) -> Batch:
        deepl = self.deepl
        options = {"formality": self.formality[target]} if target in self.formality else {}
        if self.glossary_id and target in self.glossary_targets:
            options["glossary"] = self.glossary_id
        try:
            results = self.client.translate_text(
                texts, source_lang=_deepl_source(source), target_lang=_deepl_target(target),
                tag_handling="xml", outline_detection=False, split_sentences="nonewlines",
                context=context, **options)
        except deepl.QuotaExceededException:
            raise EngineError("DeepL quota exceeded (456): the segments translated so far are "
                              "saved", hint="raise the quota or wait for it to reset, then run "
                                            "translate again: it continues where it stopped") from None
        except deepl.AuthorizationException:
            raise EngineError("DeepL refused the key (403)",
                              hint="check DEEPL_AUTH_KEY (keys ending in :fx are Free API keys)") from None
        except deepl.DeepLException as exc:
            raise EngineError(f"DeepL failed: {exc}", hint="run translate again to continue; "
                              "finished segments are saved") from None
        results = results if isinstance(results, list) else [results]
        return Batch([r.text for r in results], sum(int(r.billed_characters or 0) for r in results))


def _deepl_source(locale: str) -> str:
    return locale.split("-")[0].split("_")[0].upper()


def _deepl_target(locale: str) -> str:
    base = _deepl_source(locale)
    variants = {"EN": "EN-US", "PT": "PT-PT", "ZH": "ZH-HANS"}
    region = locale.replace("_", "-").split("-")[1:] if "-" in locale or "_" in locale else []
    if base in variants:
        if base == "ZH" and region and region[0].upper() in ("HANT", "TW", "HK"):
            return "ZH-HANT"
        if region:
            return f"{base}-{region[0].upper()}"
        return variants[base]
    return base


def build(name: str | None, formality: dict[str, str] | None = None) -> Engine:
    if name == "pseudo":
        return Pseudo()
    if name in (None, "deepl"):
        if name is None and not os.environ.get("DEEPL_AUTH_KEY"):
            raise UserError("no translation engine: DEEPL_AUTH_KEY is not set and no --engine "
                            "was given", hint="export DEEPL_AUTH_KEY=... to use DeepL, or pass "
                                              "--engine pseudo for pseudo-localized drafts")
        return DeepL(formality)
    raise UserError(f"unknown engine {name!r}", hint="use --engine deepl or --engine pseudo")


def notice_drafter(name: str | None, formality: dict[str, str] | None = None
                   ) -> Callable[[str, str, str], str] | None:
    """How a short plain text (an incident notice) gets its drafts, as `(text, source, target)
    -> text`: engine `name`, or with none deepl when DEEPL_AUTH_KEY is set; None for `none` or
    no key (the caller then shows the source text). The text goes as XML text: the engines
    translate tagged segments, so a `&` or `<` in a notice comes back as it was."""
    if name == "none" or (name is None and not os.environ.get("DEEPL_AUTH_KEY")):
        return None
    chosen = build(name, formality)

    def draft(text: str, source: str, target: str) -> str:
        batch = chosen.translate([html.escape(text, quote=False)], source, target, None)
        return html.unescape(batch.texts[0])
    return draft
