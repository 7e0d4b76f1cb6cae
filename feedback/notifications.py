"""Emails to staff. They carry counts and links only, never a resident's words or contact details."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import Concern


def moderator_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    moderators = users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename="change_concern")
        | Q(user_permissions__codename="change_concern")
    )
    return sorted(set(moderators.values_list("email", flat=True)))


def send_moderator_digest() -> int:
    """Email moderators how many new concerns wait for them; returns how many were announced.

    Idempotent: each pending concern is announced once (marked in the same transaction).
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
            queue_url = settings.SITE_URL.rstrip("/") + reverse("admin:feedback_concern_changelist")
            send_mail(
                subject=f"civictrust: {len(new_ids)} new concern(s) to moderate",
                message=(
                    f"{len(new_ids)} new concern(s) arrived since the last notice; "
                    f"{waiting} concern(s) wait for moderation in all.\n\n"
                    f"Open the moderation queue: {queue_url}\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        Concern.objects.filter(pk__in=new_ids).update(moderators_notified_at=timezone.now())
    return len(new_ids)
