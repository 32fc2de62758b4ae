"""Optional challenge verification for the ticket form: Turnstile, hCaptcha or ALTCHA.

Configured under `extra.helpcenter.tickets.captcha` with `provider` and `secret_env`. Turnstile
and hCaptcha are verified by their siteverify endpoint (`verify_url` overrides it, for tests or
a proxy); ALTCHA is verified locally with its HMAC key, no network call.

A token the provider refuses is an unsolved challenge (422: the person can solve it again). A
provider that cannot be reached says nothing about the person: `verify` answers None and the
request is quarantined, not refused (no request a person sent is lost to an outage).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

import httpx

from helpcenter.config.tickets import Captcha as CaptchaConfig
from helpcenter.errors import UserError

PROVIDERS = {
    "turnstile": ("cf-turnstile-response", "https://challenges.cloudflare.com/turnstile/v0/siteverify"),
    "hcaptcha": ("h-captcha-response", "https://api.hcaptcha.com/siteverify"),
    "altcha": ("altcha", None),
}


class Captcha:
    def __init__(self, provider: str, secret: str, verify_url: str | None, field: str):
        self.provider, self.secret, self.verify_url, self.field = provider, secret, verify_url, field

    @classmethod
    def from_settings(cls, config: CaptchaConfig | None) -> "Captcha | None":
        if config is None:
            return None
        secret = os.environ.get(config.secret_env, "")
        if not secret:
            raise UserError(f"captcha: environment variable {config.secret_env} is not set",
                            hint=f"export {config.secret_env}=... (the provider's secret key) "
                                 f"before starting the service")
        field, url = PROVIDERS[config.provider]
        return cls(config.provider, secret, config.verify_url or url, config.field or field)

    async def verify(self, data: dict[str, Any], address: str) -> bool | None:
        """Whether the challenge was solved; None when the provider could not tell."""
        token = data.get(self.field)
        if not isinstance(token, str) or not token:
            return False
        if self.provider == "altcha":
            return self._altcha(token)
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(self.verify_url, data={
                    "secret": self.secret, "response": token, "remoteip": address})
            if response.status_code >= 500:
                return None
            return bool(response.json().get("success"))
        except (httpx.HTTPError, ValueError):
            return None  # unverifiable: the handler quarantines the request

    def _altcha(self, token: str) -> bool:
        try:
            payload = json.loads(base64.b64decode(token))
            digest = hashlib.sha256(f"{payload['salt']}{payload['number']}".encode()).hexdigest()
            expected = hmac.new(self.secret.encode(), payload["challenge"].encode(),
                                hashlib.sha256).hexdigest()
            return (payload.get("algorithm") == "SHA-256" and digest == payload["challenge"]
                    and hmac.compare_digest(expected, payload["signature"]))
        except (ValueError, KeyError, TypeError):
            return False
