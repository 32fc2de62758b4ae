"""The words the stages share: a page's translation status, a segment's state, a page's kind.

They are string enums, so they read as plain strings in the manifest, the catalogs' reports,
the JSON formats and the templates (`hc.status == "fallback"`), and are spelled once, here.
"""

from __future__ import annotations

from enum import StrEnum


class PageStatus(StrEnum):
    """What a locale publishes at a page's path."""
    SOURCE = "source"            # the original, in the source locale
    TRANSLATED = "translated"    # a hand-written file in content/<locale>/
    FALLBACK = "fallback"        # no translation yet: the source text under this locale
    MACHINE = "machine"          # from the catalog, with machine drafts not yet reviewed
    REVIEWED = "reviewed"        # from the catalog, every segment reviewed
    OUTDATED = "outdated"        # reviewed, but the original changed since
    LOCAL = "local"              # only this locale has the page: no source, no fallback elsewhere
    GENERATED = "generated"      # written by the tool: a missing home or landing page, the form


class SegmentState(StrEnum):
    """Where one segment's translation stands in its catalog."""
    MISSING = "missing"          # no translation yet
    MACHINE = "machine"          # a machine draft nobody reviewed
    FUZZY = "fuzzy"              # reviewed once, but its source changed since
    REVIEWED = "reviewed"        # accepted by a person
    FLAGGED = "flagged"          # markup the engine lost: never published


class PageKind(StrEnum):
    HOME = "home"                # a locale's index.md
    CATEGORY = "category"        # a folder's index.md
    ARTICLE = "article"
    FORM = "form"                # the request page the tool writes


class Policy(StrEnum):
    """What a locale publishes from its catalogs (extra.helpcenter.translation.policy)."""
    MACHINE = "machine"          # drafts too, with a notice
    REVIEWED = "reviewed"        # reviewed segments only; the source text elsewhere
