"""Versioned schema migrations, one list for both databases.

Each migration is applied once, in a transaction, and recorded in `schema_migrations`. Never
edit a released migration: add the next one.
"""

from __future__ import annotations

# Plain SQL both dialects read alike.
_REPORT_INDEXES = [
    "CREATE INDEX events_type_time ON events (type, created_at)",
    "CREATE INDEX events_time ON events (created_at)",
    "CREATE INDEX feedback_time ON feedback (created_at)",
]

_QUARANTINE = [
    "ALTER TABLE tickets ADD COLUMN quarantine TEXT",
    "ALTER TABLE tickets ADD COLUMN released_at TEXT",
    "CREATE INDEX tickets_quarantine ON tickets (quarantine)",
]

# One row per UTC day, client (or `*` for everyone), kind and writer (`shard`: each process
# raises only its own rows, so two instances never wait on, or deadlock over, a counter):
# what quotas.py counts.
_QUOTA_USAGE = [
    """CREATE TABLE quota_usage (
        day TEXT NOT NULL, scope TEXT NOT NULL, kind TEXT NOT NULL, shard TEXT NOT NULL,
        amount BIGINT NOT NULL, PRIMARY KEY (day, scope, kind, shard))""",
]

# Incidents (incidents.py): the notice as it stands, and one history row per open, update and
# resolve, with who did it (`cli`, `token`, or the feed it was mirrored from). `source` is the
# feed's own id (`statuspage:<id>`), NULL for staff's; unique, so a poll mirrors each once.
# `texts` is {locale: text}, `machine` the locales an engine drafted (JSON both). An event
# says which notice it concerns (`incident_seen`): `events.incident`.
def _incidents(key: str, big: str) -> list[str]:
    return [
        f"""CREATE TABLE incidents (
            id {key}, source TEXT UNIQUE,
            severity TEXT NOT NULL, category TEXT, texts TEXT NOT NULL, machine TEXT NOT NULL,
            started_at TEXT NOT NULL, updated_at TEXT NOT NULL, resolved_at TEXT)""",
        "CREATE INDEX incidents_open ON incidents (resolved_at)",
        f"""CREATE TABLE incident_history (
            id {key}, incident_id {big} NOT NULL REFERENCES incidents(id),
            at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            severity TEXT NOT NULL, texts TEXT NOT NULL, machine TEXT NOT NULL)""",
        "CREATE INDEX incident_history_incident ON incident_history (incident_id, id)",
        f"ALTER TABLE events ADD COLUMN incident {big}",
        "CREATE INDEX events_incident ON events (incident, type)",
    ]


# (version, description, {dialect: [statements]})
MIGRATIONS: list[tuple[int, str, dict[str, list[str]]]] = [
    (1, "tickets, attachments, outbox, feedback, events", {
        "sqlite": [
            """CREATE TABLE tickets (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                reference TEXT NOT NULL UNIQUE,
                idempotency_key TEXT UNIQUE,
                created_at TEXT NOT NULL,
                name TEXT NOT NULL, email TEXT NOT NULL, subject TEXT NOT NULL,
                message TEXT NOT NULL, locale TEXT NOT NULL, category TEXT,
                fields TEXT NOT NULL, context TEXT NOT NULL)""",
            """CREATE TABLE attachments (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                filename TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL,
                data BLOB NOT NULL)""",
            """CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                target TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                delivered_at TEXT,
                UNIQUE (ticket_id, target))""",
            "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
            """CREATE TABLE feedback (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL, locale TEXT NOT NULL, page TEXT NOT NULL,
                helpful INTEGER NOT NULL, comment TEXT)""",
            """CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL, locale TEXT NOT NULL, type TEXT NOT NULL,
                query TEXT, results INTEGER, page TEXT, article TEXT)""",
        ],
        "postgresql": [
            """CREATE TABLE tickets (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                reference TEXT NOT NULL UNIQUE,
                idempotency_key TEXT UNIQUE,
                created_at TEXT NOT NULL,
                name TEXT NOT NULL, email TEXT NOT NULL, subject TEXT NOT NULL,
                message TEXT NOT NULL, locale TEXT NOT NULL, category TEXT,
                fields TEXT NOT NULL, context TEXT NOT NULL)""",
            """CREATE TABLE attachments (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                ticket_id BIGINT NOT NULL REFERENCES tickets(id),
                filename TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL,
                data BYTEA NOT NULL)""",
            """CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                ticket_id BIGINT NOT NULL REFERENCES tickets(id),
                target TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT,
                delivered_at TEXT,
                UNIQUE (ticket_id, target))""",
            "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
            """CREATE TABLE feedback (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                created_at TEXT NOT NULL, locale TEXT NOT NULL, page TEXT NOT NULL,
                helpful BOOLEAN NOT NULL, comment TEXT)""",
            """CREATE TABLE events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                created_at TEXT NOT NULL, locale TEXT NOT NULL, type TEXT NOT NULL,
                query TEXT, results INTEGER, page TEXT, article TEXT)""",
        ],
    }),
    # `helpcenter report` reads events by type and period; `helpcenter events prune` by age.
    (2, "indexes for reports and retention", {
        "sqlite": _REPORT_INDEXES, "postgresql": _REPORT_INDEXES}),
    # A request judged automated is kept, not discarded: `quarantine` holds why (NULL: the
    # normal flow). It has no outbox rows until `helpcenter tickets release` gives it some.
    (3, "quarantine for requests that look automated", {
        "sqlite": _QUARANTINE, "postgresql": _QUARANTINE}),
    # Daily quotas per client and in total, counted in the transaction that stores the row:
    # a refused or failed write counts nothing, and every instance sees the same numbers.
    (4, "daily quota counters", {"sqlite": _QUOTA_USAGE, "postgresql": _QUOTA_USAGE}),
    (5, "incidents and their history", {
        "sqlite": _incidents("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
        "postgresql": _incidents("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT")}),
]
