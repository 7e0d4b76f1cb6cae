"""How the settings read the environment: django-environ, strictly (healthchecks' envbool/envint, in spirit)."""

from __future__ import annotations

import re

import environ
from django.core.exceptions import ImproperlyConfigured

CACHE_REDIS_TIMEOUT_SECONDS = 0.25
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

    def databases(self, *, default: str, pooler: str) -> dict:
        """DATABASES from DATABASE_URL, DATABASE_REPLICA_URL and, behind PgBouncer, DATABASE_DIRECT_URL.

        `pooler` "pgbouncer": DATABASE_URL leads to PgBouncer in transaction pooling mode, so no server-side cursors
        and no prepared statements (PgBouncer 1.18 cannot follow them across transactions); work that needs a
        session of its own (an export job's advisory lock) uses DATABASE_DIRECT_URL, PostgreSQL itself. The replica
        serves the figures read inside civictrust.db.reading_figures() while it is up and in step.
        """
        if pooler not in ("", "pgbouncer"):
            raise ImproperlyConfigured(f"DATABASE_POOLER must be empty or pgbouncer, not {pooler!r}.")
        databases = {"default": self.db("DATABASE_URL", default=default)}
        if self.str("DATABASE_REPLICA_URL", ""):
            databases["replica"] = {**self.db("DATABASE_REPLICA_URL"), "TEST": {"MIRROR": "default"}}
        if pooler:
            databases["direct"] = {**self.db("DATABASE_DIRECT_URL"), "TEST": {"MIRROR": "default"}}
        for alias, database in databases.items():
            if database["ENGINE"] == "django.db.backends.postgresql":
                database["CONN_MAX_AGE"] = self.int("DATABASE_CONN_MAX_AGE", 60)
                database["CONN_HEALTH_CHECKS"] = True
                if pooler and alias == "default":
                    database["DISABLE_SERVER_SIDE_CURSORS"] = True
                    database.setdefault("OPTIONS", {})["prepare_threshold"] = None
        return databases

    @staticmethod
    def caches(redis_url: str, *, key_prefix: str) -> dict:
        """CACHES: Redis at `redis_url` (shared by every process), else per-process memory; keys begin `key_prefix`.

        Redis answers in well under a millisecond; one that has not answered in a quarter of a second is hung
        (frozen, or unreachable without a refusal). Each cache call then gives up after that long, with no retry,
        and the page goes on without the cache (rate limits and cached results fail open).
        """
        if not redis_url:
            return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": key_prefix}}
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "TIMEOUT": 300,
                "KEY_PREFIX": key_prefix,
                "OPTIONS": {
                    "socket_connect_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
                    "socket_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
                    "retry_on_timeout": False,
                },
            }
        }
