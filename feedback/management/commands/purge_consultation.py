"""`python manage.py purge_consultation SLUG`: the end of a closed consultation's personal data (retention.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from feedback.models import Consultation
from feedback.retention import ConsultationStillOpen, purge_consultation


class Command(BaseCommand):
    help = (
        "Purge a closed consultation: delete the words of concerns never published, every contact email, receipt "
        "and report, and what links one person's endorsements to one another, keeping every figure as it was. "
        "Refuses an open consultation. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, slug: str, no_input: bool, **options):
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            known = ", ".join(Consultation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No consultation {slug!r} (known: {known}).")
        if not no_input and consultation.purged_on is None:
            answer = input(f"Purge {slug!r} for good? Nothing of it can be brought back. Type its slug to go on: ")
            if answer.strip() != slug:
                raise CommandError("Not purged.")
        try:
            purge = purge_consultation(consultation=consultation)
        except ConsultationStillOpen:
            raise CommandError(
                f"{slug!r} is still open: close it first (status Closed, or a closing time in the past)."
            ) from None
        if purge.already_purged:
            self.stdout.write(f"{slug} was already purged on {consultation.purged_on:%Y-%m-%d}; nothing to do.")
            return
        self.stdout.write(
            f"Purged {slug}: the words of {purge.concern_texts} unpublished concerns, {purge.contact_emails} contact "
            f"emails, {purge.receipts} receipts and {purge.reports} reports deleted; {purge.endorsements} "
            "endorsements unlinked. Every figure is kept."
        )
