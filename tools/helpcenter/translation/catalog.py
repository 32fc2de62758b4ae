"""Catalogs: one gettext PO file per article per locale, `locales/<locale>/<article>.po`.

Translators open them in Poedit, Weblate, Lokalise or Crowdin. An entry is one segment:
`msgctxt` the segment's stable key, `msgid` the source text, `msgstr` the translation.

States, as PO tools show them:
- missing: empty `msgstr`;
- machine draft: `fuzzy`, with the engine named in a translator comment (`machine: deepl`);
- changed source: `fuzzy`, with the previous source as `#|` so the translator sees the diff;
- reviewed: a `msgstr` without `fuzzy` (a translator cleared it; `helpcenter review` does too).

`sync` brings a catalog in line with the article's current segments without losing anything a
translator did: unchanged segments keep translation and state, a changed segment keeps its old
translation as a fuzzy suggestion, a removed segment becomes obsolete (`#~`), and an article
that moved or was renamed finds its old catalog by its segments.

The file is shared with the translators' tools, so each side keeps to its own: a reference
(`#:`) names the source file without a line (gettext's `--add-location=file`), so an edit that
only moves text rewrites no catalog; the header keys in `OWNED` are ours, every other key and
the comment above the header are the tool's that wrote them (Poedit, Weblate) and are kept;
and a catalog whose content did not change keeps its file byte for byte, however that tool
wrapped its lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polib
from babel import UnknownLocaleError
from babel.messages.plurals import get_plural

from helpcenter import atomic
from helpcenter.errors import UserError
from helpcenter.vocabulary import SegmentState
from helpcenter.translation.markdown import Document, Segment

MACHINE = "machine: "      # translator-comment prefix naming the engine of a draft
SIMILAR = 0.5              # how alike an edited segment must be to inherit a translation
ADOPT = 0.5                # share of keys a renamed article's old catalog must have in common

QA_FLAG = "hc-qa"          # a draft whose markup could not be mapped back: never published
FUZZY_FLAG = "fuzzy"       # gettext's own flag: "needs review", as every PO editor shows it

# Header keys helpcenter owns, with their values: they say how the file is written. A value
# another tool spelled differently but alike (`charset=utf-8`) is kept, so tools do not take
# turns rewriting it. `Language`, `Project-Id-Version` and `Plural-Forms` are only filled in.
OWNED = {"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
         "Content-Transfer-Encoding": "8bit"}
PROJECT = "helpcenter"
RETIRED = ("X-Source-Article",)  # once ours: the `#:` references name the source file now


@dataclass
class SyncReport:
    kept: int = 0
    changed: int = 0
    added: int = 0
    obsoleted: int = 0
    adopted_from: Path | None = None


def catalog_path(locales_dir: Path, locale: str, article: PurePosixPath) -> Path:
    return locales_dir / locale / article.with_suffix(".po")


def unique(segments: list[Segment]) -> Iterator[Segment]:
    """Each segment once: identical segments share one entry, and one translation."""
    seen: set[str] = set()
    for segment in segments:
        if segment.key not in seen:
            seen.add(segment.key)
            yield segment


def new_entry(segment: Segment, reference: str) -> polib.POEntry:
    """A new, untranslated entry for a segment: its key, source text, file and kind."""
    return polib.POEntry(msgctxt=segment.key, msgid=segment.text, msgstr="",
                         occurrences=[(reference, "")], comment=segment.kind)


def state(entry: polib.POEntry) -> SegmentState:
    if not entry.msgstr.strip():  # spaces alone are no translation (they would end a list)
        return SegmentState.MISSING
    if QA_FLAG in entry.flags:
        return SegmentState.FLAGGED
    if FUZZY_FLAG in entry.flags:
        if engine_of(entry) and not entry.previous_msgid:
            return SegmentState.MACHINE
        return SegmentState.FUZZY
    return SegmentState.REVIEWED


def engine_of(entry: polib.POEntry) -> str | None:
    for line in (entry.tcomment or "").splitlines():
        if line.startswith(MACHINE):
            return line[len(MACHINE):].strip()
    return None


def load(path: Path) -> polib.POFile:
    if not path.is_file():
        return polib.POFile(wrapwidth=0)
    try:
        return polib.pofile(str(path), wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read this catalog: {exc}", path=path,
                        hint="fix the PO syntax (msgfmt --check shows where), or restore it "
                             "from git") from None


def render(po: polib.POFile) -> str:
    text = str(po)
    return text if text.endswith("\n") else text + "\n"


def changed(po: polib.POFile, path: Path) -> bool:
    """Whether saving `po` would change the file at `path`: what it says, not how it is wrapped.
    A file Poedit or Weblate wrote (lines wrapped at 76 or 79 columns, header keys in their
    order) that says the same as `po` is unchanged."""
    if not path.is_file():
        return True
    text = render(po)
    on_disk = path.read_text(encoding="utf-8")
    if on_disk == text:
        return False
    try:
        return render(polib.pofile(on_disk, wrapwidth=0)) != text
    except (OSError, ValueError):
        return True


def save(po: polib.POFile, path: Path) -> bool:
    """Write the catalog if it changed (atomically); return whether it was written."""
    if not changed(po, path):
        return False  # an unchanged catalog keeps its file, its date and its fsync
    atomic.write_text(path, render(po))
    return True


def sync(po: polib.POFile, doc: Document, *, locale: str, article: PurePosixPath,
         reference: str | None = None,
         orphans: list[tuple[Path, polib.POFile]] = ()) -> SyncReport:
    """Update `po` in place for the article's current segments; see the module docstring.
    `reference` is the source file as the project's root sees it (`content/en/orders/x.md`),
    for the entries' `#:` (default: the article's path)."""
    report = SyncReport()
    reference = reference or str(article)
    live = [e for e in po if not e.obsolete]
    if not live and not any(e.obsolete for e in po):
        adopted = _adopt(doc, orphans)
        if adopted:
            report.adopted_from, old = adopted
            live = [e for e in old if not e.obsolete]
    by_key = {e.msgctxt: e for e in live}
    unmatched = {e.msgctxt: e for e in live}
    entries: list[polib.POEntry] = []
    for segment in unique(doc.segments):
        existing = by_key.get(segment.key)
        if existing is not None:
            unmatched.pop(segment.key, None)
            if existing.occurrences != [(reference, "")]:
                existing.occurrences = [(reference, "")]  # the file, not the line: see above
            entries.append(existing)
            report.kept += 1
            continue
        new = new_entry(segment, reference)
        previous = _most_similar(segment.text, segment.kind, unmatched)
        if previous is not None:
            unmatched.pop(previous.msgctxt)
            if previous.msgstr:
                new.msgstr = previous.msgstr
                new.flags = [FUZZY_FLAG]
                new.previous_msgctxt = previous.msgctxt
                new.previous_msgid = previous.msgid
                new.tcomment = previous.tcomment
                if FUZZY_FLAG not in previous.flags:
                    # A person reviewed the old translation: it waits for a person again,
                    # never for the engine (which would write over their work).
                    new.tcomment = "\n".join(
                        line for line in (previous.tcomment or "").splitlines()
                        if not line.startswith(MACHINE)) or None
            report.changed += 1
        else:
            report.added += 1
        entries.append(new)
    obsolete = [e for e in po if e.obsolete]
    for entry in unmatched.values():
        if entry.msgstr:  # keep the work, out of the way; untranslated ones just go
            entry.obsolete = True
            obsolete.append(entry)
            report.obsoleted += 1
    po[:] = entries + obsolete
    update_header(po.metadata, locale)
    return report


def update_header(metadata: dict[str, str], locale: str) -> None:
    """Our header keys (`OWNED`) set, the keys a catalog needs filled in where missing, every
    other key left as the tool that wrote it left it."""
    for key in RETIRED:
        metadata.pop(key, None)
    for key, value in OWNED.items():
        if _spelling(metadata.get(key, "")) != _spelling(value):
            metadata[key] = value
    if _language(metadata.get("Language", "")) != _language(locale):
        metadata["Language"] = locale  # pt_BR for pt-BR, or zh_Hans for zh, is the same one
    metadata.setdefault("Project-Id-Version", PROJECT)
    metadata.setdefault("Plural-Forms", plural_forms(locale))


def plural_forms(locale: str) -> str:
    """The locale's gettext plural rule, from CLDR (Babel); two forms for a code it does not
    know. Catalogs have no plural entries, but editors ask for the rule."""
    try:
        return get_plural(locale.replace("-", "_")).plural_forms
    except (UnknownLocaleError, ValueError):
        return "nplurals=2; plural=(n != 1);"


def _spelling(value: str) -> str:
    return " ".join(value.split()).casefold()


def _language(code: str) -> str:
    """A language tag reduced for comparison: case, `_` or `-`, and a script subtag aside."""
    parts = code.strip().replace("_", "-").casefold().split("-")
    return "-".join(p for i, p in enumerate(parts) if not (i and len(p) == 4))


def _most_similar(text: str, kind: str, candidates: dict[str, polib.POEntry]) -> polib.POEntry | None:
    best, score = None, SIMILAR
    for entry in candidates.values():
        if (entry.comment or "") != kind:
            continue
        ratio = difflib.SequenceMatcher(None, entry.msgid, text).ratio()
        if ratio >= score:
            best, score = entry, ratio
    return best


def _adopt(doc: Document, orphans) -> tuple[Path, polib.POFile] | None:
    """The catalog of a moved or renamed article: most of its keys are this article's."""
    keys = {s.key for s in doc.segments}
    if not keys:
        return None
    best = None
    for path, po in orphans:
        shared = len(keys & {e.msgctxt for e in po if not e.obsolete}) / len(keys)
        if shared >= ADOPT and (best is None or shared > best[0]):
            best = (shared, path, po)
    return (best[1], best[2]) if best else None


def translations(po: polib.POFile, *, reviewed_only: bool, flagged: set[str] = frozenset()) -> dict[str, str]:
    """What the build may publish: reviewed entries, and machine drafts unless `reviewed_only`.
    Flagged segments (QA) and fuzzy changed-source suggestions always fall back to the source."""
    out: dict[str, str] = {}
    for entry in po:
        if entry.obsolete or entry.msgctxt in flagged:
            continue
        kind = state(entry)
        if kind == SegmentState.REVIEWED or (kind == SegmentState.MACHINE and not reviewed_only):
            out[entry.msgctxt] = entry.msgstr
    return out
