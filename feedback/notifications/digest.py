"""Emails to staff. They carry counts and links only, never a resident's words or contact details."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import queue
from ..models import Concern

DIGEST_SCHEDULED_KEY = "civictrust:moderator-digest-scheduled"


def schedule_moderator_digest() -> None:
    """Queue one moderator digest for MODERATOR_DIGEST_SECONDS from now, unless one is already queued.

    Concerns arriving meanwhile are announced by that same digest, so a busy hour sends a few
    emails, not one per concern. If the cache is down a digest is queued anyway (more emails,
    nothing missed); if the broker is down the periodic sweep sends it later.
    """
    delay = settings.MODERATOR_DIGEST_SECONDS
    try:
        first = cache.add(DIGEST_SCHEDULED_KEY, True, delay) if delay > 0 else True
    except Exception:  # each cache client raises its own kind; announcing matters more than batching
        first = True
    if first:
        queue.enqueue_after_commit(queue.NOTIFY_MODERATORS, countdown=delay or None)


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
        Concern.objects.filter(pk__in=new_ids).update(moderators_notified_at=timezone.now())
    return len(new_ids)
