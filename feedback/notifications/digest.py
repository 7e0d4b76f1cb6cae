"""Emails to staff. They carry counts and links only, never a resident's words or contact details."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import queue
from ..models import Concern, start_of_local_day

DIGEST_SCHEDULED_KEY = "civictrust:moderator-digest-scheduled"


def schedule_moderator_digest() -> None:
    """Queue one moderator digest for the end of the current MODERATOR_DIGEST_SECONDS period, unless one is queued.

    Periods are fixed slices of the clock (e.g. every five minutes on the five), not counted from
    the concern: the mark in the cache expires, and the digest is sent, at the period's end, so
    neither the cache nor the digest's time tells when the concern that started it arrived.
    Concerns arriving meanwhile are announced by that same digest, so a busy hour sends a few
    emails, not one per concern. If the cache is down a digest is queued anyway (more emails,
    nothing missed); if the broker is down the periodic sweep sends it later. With no broker the
    digest is sent at once, off the resident's request (queue.enqueue_after_commit's `off_request`).
    """
    period = settings.MODERATOR_DIGEST_SECONDS
    if period <= 0:
        queue.enqueue_after_commit(queue.NOTIFY_MODERATORS, off_request=True)
        return
    key, delay = _period_mark(period)
    try:
        first = cache.add(key, True, delay)
    except Exception:  # each cache client raises its own kind; announcing matters more than batching
        first = True
    if first:
        queue.enqueue_after_commit(queue.NOTIFY_MODERATORS, countdown=delay, off_request=True)


def _period_mark(period: int) -> tuple[str, int]:
    """(cache key of the current digest period, seconds until the period ends)."""
    now = int(time.time())
    return f"{DIGEST_SCHEDULED_KEY}:{now // period}", period - now % period


def seconds_until_scheduled_digest() -> int | None:
    """Seconds until the digest already queued for the current period goes; None when none is queued.

    Concerns keep only their day, so the sweep cannot tell a concern of the last seconds (whose digest is on its
    way) from one whose digest never reached the broker by its time; this mark can. None if the cache is down.
    """
    period = settings.MODERATOR_DIGEST_SECONDS
    if period <= 0:
        return None
    key, remaining = _period_mark(period)
    try:
        return remaining if cache.get(key) else None
    except Exception:  # see schedule_moderator_digest
        return None


def moderator_emails() -> list[str]:
    """Addresses of active staff who may moderate (superusers, or the change-concern permission)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    moderators = users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename="change_concern", groups__permissions__content_type__app_label="feedback")
        | Q(user_permissions__codename="change_concern", user_permissions__content_type__app_label="feedback")
    )
    return sorted(set(moderators.values_list("email", flat=True)))


def moderation_queue_url() -> str:
    """Absolute address of the admin's list of pending concerns."""
    return settings.SITE_URL.rstrip("/") + reverse("admin:feedback_concern_changelist") + "?status__exact=pending"


def send_moderator_digest() -> int:
    """Email moderators how many new concerns wait for them; returns how many were announced.

    Idempotent: each pending concern is announced once, marked in the same transaction as the
    email is sent; if sending fails nothing is marked and the task tries again. Concerns locked
    by a digest running at the same time are skipped, so two digests never announce the same one.
    The email holds two counts and a link: no text a resident wrote, no contact detail.
    """
    with transaction.atomic():
        new = Concern.objects.select_for_update(skip_locked=True).filter(
            status=Concern.Status.PENDING, moderators_notified_at__isnull=True
        )
        new_ids = list(new.values_list("pk", flat=True))
        if not new_ids:
            return 0
        recipients = moderator_emails()
        if recipients:
            waiting = Concern.objects.filter(status=Concern.Status.PENDING).count()
            with translation.override(settings.LANGUAGE_CODE):
                subject = ngettext(
                    "civictrust: %(count)d new concern to moderate",
                    "civictrust: %(count)d new concerns to moderate",
                    len(new_ids),
                ) % {"count": len(new_ids)}
                message = _(
                    "New concerns since the last notice: %(new)d.\n"
                    "Concerns waiting for moderation in all: %(waiting)d.\n\n"
                    "Open the moderation queue: %(url)s\n"
                ) % {"new": len(new_ids), "waiting": waiting, "url": moderation_queue_url()}
            send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
        # The day only, like every time kept about what residents did (models.start_of_local_day).
        Concern.objects.filter(pk__in=new_ids).update(moderators_notified_at=start_of_local_day())
    return len(new_ids)
