"""Run the ticket service: uvicorn with the app built from the environment.

`helpcenter api` passes its options through the environment so that uvicorn's worker processes
(`--workers N`) each build the same app.
"""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from helpcenter.tickets import targets
from helpcenter.tickets.app import create_app
from helpcenter.tickets.captcha import Captcha
from helpcenter.tickets.incidents import Drafter
from helpcenter.tickets.settings import Settings, from_project
from helpcenter.tickets.store import Store

ENV_ROOT = "HELPCENTER_ROOT"
ENV_DATABASE = "HELPCENTER_DATABASE_URL"
ENV_REDIS = "HELPCENTER_REDIS_URL"
ENV_NO_WORKER = "HELPCENTER_NO_OUTBOX"


def settings_from_env() -> Settings:
    return from_project(Path(os.environ.get(ENV_ROOT, ".")),
                        {"redis": os.environ.get(ENV_REDIS) or None})


def app_from_env(drafter: Drafter | None = None):
    """uvicorn factory: one app per worker process; `drafter` translates incident notices."""
    return create_app(settings_from_env(), worker=os.environ.get(ENV_NO_WORKER) != "1",
                      drafter=drafter)


def check_secrets(settings: Settings) -> None:
    """Every secret the config names is in the environment: mkdocs.yml was checked when it
    was read, the environment can only be checked where the service runs, before it starts."""
    for config in settings.targets:
        targets.build(config)
    Captcha.from_settings(settings.captcha)


def run(root: Path, host: str, port: int, database: str | None, redis: str | None,
        workers: int, outbox: bool = True,
        factory: str = "helpcenter.tickets.server:app_from_env") -> None:
    """Serve the app `factory` makes (a module:function uvicorn imports in each worker)."""
    os.environ[ENV_ROOT] = str(root.resolve())
    if database:
        os.environ[ENV_DATABASE] = database
    if redis:
        os.environ[ENV_REDIS] = redis
    if not outbox:
        os.environ[ENV_NO_WORKER] = "1"
    settings = settings_from_env()  # fail early, in the parent, on a config mistake
    check_secrets(settings)
    Store.open(settings.database)
    # uvicorn's proxy headers would believe X-Forwarded-For/-Proto from 127.0.0.1 whatever
    # trusted_proxies says: off, so the service alone decides (handlers.py, client_address).
    uvicorn.run(factory, factory=True, host=host, port=port,
                workers=workers, log_level="info", proxy_headers=False, server_header=False)
