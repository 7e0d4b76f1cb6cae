"""Writes: every way the domain changes goes through one of these functions.

Views, admin actions, Celery tasks and management commands call them; none of those
edges writes to the models directly.
"""

from __future__ import annotations
