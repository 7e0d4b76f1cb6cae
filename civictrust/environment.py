"""How the settings read the environment: django-environ, strictly (healthchecks' envbool/envint, in spirit)."""

from __future__ import annotations

import re

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class Environment(environ.Env):
    """django-environ, read strictly: an empty variable means its default; a boolean or number that cannot be
    read is a one-line ImproperlyConfigured naming the variable, never a silent False or a traceback."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        raw = self.ENVIRON.get(var)
        if raw is not None and raw.strip() == "" and default is not self.NOTSET:
            return default
        if cast is bool and raw is not None:
            word = raw.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ImproperlyConfigured(f"{var} must be true or false (or 1 or 0), not {raw!r}.")
            return word in TRUE_WORDS
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ValueError:
            raise ImproperlyConfigured(f"{var} must be a whole number, not {raw!r}.") from None

    def rate(self, var: str, default: str) -> str:
        """A rate limit such as 30/h (count per s, m, h or d)."""
        value = self.str(var, default).strip()
        if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
            raise ImproperlyConfigured(f"{var} must look like 30/h (a count per s, m, h or d), not {value!r}.")
        return value

    def proxy_header(self, var: str) -> tuple[str, str] | None:
        """A header a TLS-terminating proxy sets, written as `X-Forwarded-Proto: https`, in Django's META form."""
        raw = self.str(var, "").strip()
        if not raw:
            return None
        header, sep, value = raw.partition(":")
        if not sep or not header.strip() or not value.strip():
            raise ImproperlyConfigured(f"{var} must look like 'X-Forwarded-Proto: https', not {raw!r}.")
        return "HTTP_" + header.strip().upper().replace("-", "_"), value.strip()
