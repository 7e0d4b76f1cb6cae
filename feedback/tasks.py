"""Celery tasks: thin wrappers that call services. They take ids, never model instances."""

from __future__ import annotations

from celery import shared_task

from . import notifications


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120)
def notify_moderators() -> int:
    return notifications.send_moderator_digest()
