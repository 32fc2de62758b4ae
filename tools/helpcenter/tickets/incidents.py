"""Incidents: a live notice ("payments are down") in every locale, opened by staff from the CLI
or the API, or mirrored from a status page (incident_feeds.py).

An incident has a text per locale. Staff give any of them; the others are drafted at once by the
translation engine the caller passes in (`Drafter`: the ticket service stands below the
translation layer, so the CLI and the service's factory bring one) and listed in `machine` until
a person gives that locale's text. An engine that fails does not stop the notice: the source
text is stored, the locale is left without one (pages fall back to the source text) and a
warning says so. Every open, update and resolve adds a history row with its time and who did it
(`cli`, `token`, `statuspage`, `instatus`).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from helpcenter.errors import UserError
from helpcenter.tickets.store import Store, now_iso

log = logging.getLogger("helpcenter.incidents")

SEVERITIES = ("minor", "major")
MAX_CATEGORY = 100
Drafter = Callable[[str, str, str], str]
"""(text, source locale, target locale) -> the draft; raises when the engine fails."""
_COLUMNS = ("id, source, severity, category, texts, machine, started_at, updated_at, "
            "resolved_at")


@dataclass
class Incident:
    id: int
    source: str | None
    severity: str
    category: str | None
    texts: dict[str, str]
    machine: list[str]
    started_at: str
    updated_at: str
    resolved_at: str | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    def concerns(self, category: str | None) -> bool:
        """Whether a ticket in `category` is about this incident: one without a category
        concerns every ticket."""
        return self.category is None or self.category == category

    def public(self) -> dict[str, Any]:
        """What GET /api/status shows of it: the same for everyone, nothing about who."""
        return {"id": self.id, "severity": self.severity, "category": self.category,
                "texts": self.texts, "machine": self.machine, "started": self.started_at,
                "updated": self.updated_at}


def clean_text(value: Any, name: str, max_length: int) -> str:
    """A notice text as stored: trimmed, one paragraph, printable; a UserError naming `name`."""
    if not isinstance(value, str):
        raise UserError(f"{name}: expected text")
    text = " ".join(value.split())
    if not text:
        raise UserError(f"{name}: the text is empty", hint="say what is broken, in a sentence")
    if len(text) > max_length:
        raise UserError(f"{name}: {len(text)} characters, more than the {max_length} allowed",
                        hint="keep a notice to a sentence or two "
                             "(extra.helpcenter.incidents.max_length)")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in text):
        raise UserError(f"{name}: the text holds a control or unassigned character")
    return text


class Incidents:
    """The incidents of one store, in the help center's locales (the first is the source)."""

    def __init__(self, store: Store, locales: list[str], *, max_length: int = 500,
                 categories: Iterable[str] = (), drafter: Drafter | None = None,
                 warn: Callable[[str], None] = log.warning):
        self.store, self.db = store, store.db
        self.locales, self.source = list(locales), locales[0]
        self.max_length, self.categories = max_length, tuple(categories)
        self.drafter, self.warn = drafter, warn

    # ---- writes ----------------------------------------------------------------------------
    def open(self, text: str, *, severity: str = "minor", category: str | None = None,
             texts: dict[str, str] | None = None, actor: str = "cli",
             source: str | None = None) -> Incident:
        """A new incident, its other locales drafted; a feed's `source` that is known already
        (resolved, then back in the feed) is opened again instead."""
        severity, category = self._severity(severity), self._category(category)
        given = self._given(texts)
        given[self.source] = clean_text(text, "text", self.max_length)
        all_texts, machine = self._drafted(given)
        now = now_iso()
        with self._transaction() as cur:
            if source is not None:
                cur.execute(self.db.sql("SELECT id FROM incidents WHERE source = ?"), (source,))
                if row := cur.fetchone():
                    cur.execute(self.db.sql(
                        "UPDATE incidents SET severity = ?, category = ?, texts = ?, machine = ?, "
                        "updated_at = ?, resolved_at = NULL WHERE id = ?"),
                        (severity, category, _json(all_texts), _json(machine), now, row[0]))
                    return self._logged(cur, row[0], actor, "reopen")
            cur.execute(self.db.sql(
                "INSERT INTO incidents (source, severity, category, texts, machine, started_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                (source, severity, category, _json(all_texts), _json(machine), now, now))
            return self._logged(cur, cur.fetchone()[0], actor, "open")

    def update(self, ident: Any, text: str | None = None, *, severity: str | None = None,
               texts: dict[str, str] | None = None, actor: str = "cli") -> Incident:
        """A new source text (every locale staff do not give now is drafted again), texts of
        some locales (a person's: no longer machine), or a new severity."""
        current = self._must(ident)
        if not current.open:
            raise UserError(f"incident {current.id} is resolved",
                            hint="open a new one: helpcenter incident open TEXT")
        given = self._given(texts)
        if text is None and not given and severity is None:
            raise UserError("nothing to update: give a new text, --text LOCALE=TEXT or --severity")
        if text is not None:
            given[self.source] = clean_text(text, "text", self.max_length)
            all_texts, machine = self._drafted(given)
        else:
            all_texts = {**current.texts, **given}
            machine = [locale for locale in current.machine if locale not in given]
        with self._transaction() as cur:
            cur.execute(self.db.sql("UPDATE incidents SET severity = ?, texts = ?, machine = ?, "
                                    "updated_at = ? WHERE id = ?"),
                        (self._severity(severity or current.severity), _json(all_texts),
                         _json(machine), now_iso(), current.id))
            return self._logged(cur, current.id, actor, "update")

    def resolve(self, ident: Any, actor: str = "cli") -> Incident:
        current = self._must(ident)
        if not current.open:
            return current  # resolving twice changes nothing (a retried PATCH, a second poll)
        with self._transaction() as cur:
            now = now_iso()
            cur.execute(self.db.sql("UPDATE incidents SET resolved_at = ?, updated_at = ? "
                                    "WHERE id = ?"), (now, now, current.id))
            return self._logged(cur, current.id, actor, "resolve")

    # ---- reads -----------------------------------------------------------------------------
    def get(self, ident: Any) -> Incident | None:
        number = _number(ident)
        if number is None:
            return None
        rows = self._select("WHERE id = ?", (number,))
        return rows[0] if rows else None

    def list(self, everything: bool = False) -> list[Incident]:
        """Open incidents, oldest first; with `everything`, resolved ones too."""
        return self._select("" if everything else "WHERE resolved_at IS NULL", ())

    def mirrored(self, prefix: str) -> list[Incident]:
        """Open incidents mirrored from one feed (`statuspage:`)."""
        return self._select("WHERE resolved_at IS NULL AND source LIKE ?", (prefix + "%",))

    def concerning(self, category: str | None) -> list[int]:
        """The open incidents a ticket in `category` is about."""
        return [i.id for i in self.list() if i.concerns(category)]

    def history(self, ident: Any) -> list[dict[str, Any]]:
        current = self._must(ident)
        with self.store.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.sql("SELECT at, actor, action, severity, texts, machine FROM "
                                    "incident_history WHERE incident_id = ? ORDER BY id"),
                        (current.id,))
            return [{"at": at, "actor": actor, "action": action, "severity": severity,
                     "texts": json.loads(texts), "machine": json.loads(machine)}
                    for at, actor, action, severity, texts, machine in cur.fetchall()]

    # ---- private ---------------------------------------------------------------------------
    def _drafted(self, given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        """Every locale's text: `given`, the others drafted from the source's (machine)."""
        texts, machine, missing = dict(given), [], []
        failed = None if self.drafter else "no translation engine here"
        for locale in self.locales:
            if locale in texts:
                continue
            if failed is None:
                try:
                    texts[locale] = clean_text(
                        self.drafter(texts[self.source], self.source, locale),
                        f"text.{locale}", self.max_length * 2)
                    machine.append(locale)
                    continue
                except Exception as exc:  # noqa: BLE001 - no engine failure may stop a notice
                    failed = f"the engine failed: {_short(exc)}"  # and is not asked again
            missing.append(locale)
        if missing:
            self.warn(f"incident text: {failed}; pages in {', '.join(missing)} show the "
                      f"{self.source} text until someone gives theirs (helpcenter incident "
                      f"update ID --text LOCALE=…)")
        return {locale: texts[locale] for locale in self.locales if locale in texts}, machine

    def _given(self, texts: dict[str, str] | None) -> dict[str, str]:
        given = {}
        for locale, value in (texts or {}).items():
            if locale not in self.locales:
                raise UserError(f"texts: unknown locale {locale[:20]!r}",
                                hint=f"use one of {', '.join(self.locales)}")
            given[locale] = clean_text(value, f"text.{locale}", self.max_length)
        return given

    def _severity(self, severity: Any) -> str:
        if severity not in SEVERITIES:
            raise UserError(f"severity: {severity!r} is not one of {', '.join(SEVERITIES)}")
        return severity

    def _category(self, category: Any) -> str | None:
        if category is None or category == "":
            return None
        if not isinstance(category, str) or len(category) > MAX_CATEGORY:
            raise UserError(f"category: expected a name of at most {MAX_CATEGORY} characters")
        if self.categories and category not in self.categories:
            raise UserError(f"category: {category!r} is not one of the ticket categories",
                            hint=f"use one of {', '.join(self.categories)}, or none for all")
        return category

    def _must(self, ident: Any) -> Incident:
        incident = self.get(ident)
        if incident is None:
            raise UserError(f"id: no incident {str(ident)[:40]!r}",
                            hint="helpcenter incident list --all shows them")
        return incident

    def _logged(self, cur, incident_id: int, actor: str, action: str) -> Incident:
        cur.execute(self.db.sql(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?"), (incident_id,))
        incident = _incident(cur.fetchone())
        cur.execute(self.db.sql(
            "INSERT INTO incident_history (incident_id, at, actor, action, severity, texts, "
            "machine) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            (incident.id, incident.updated_at, actor, action, incident.severity,
             _json(incident.texts), _json(incident.machine)))
        return incident

    def _select(self, where: str, params: tuple) -> list[Incident]:
        with self.store.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.sql(f"SELECT {_COLUMNS} FROM incidents {where} ORDER BY id"),
                        params)
            return [_incident(row) for row in cur.fetchall()]

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One write transaction: committed when the block ends, rolled back when it raises."""
        with self.store.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.begin())
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")


def _incident(row) -> Incident:
    values = dict(zip([c.strip() for c in _COLUMNS.split(",")], row))
    values["texts"], values["machine"] = json.loads(values["texts"]), json.loads(values["machine"])
    return Incident(**values)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(ident: Any) -> int | None:
    text = str(ident)
    return int(text) if text.isascii() and text.isdigit() and int(text) < 2**63 else None


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
