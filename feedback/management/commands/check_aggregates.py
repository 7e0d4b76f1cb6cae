"""`python manage.py check_aggregates [--consultation SLUG] [--repair]`: the roll-ups against a recount of the rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from feedback.models import Consultation
from feedback.results.rollups import check_rollups


class Command(BaseCommand):
    help = (
        "Recount the figures the roll-ups keep (endorsements, concerns, distinct participants) from the raw rows "
        "and print every cell that drifted. Exits with an error on drift, unless --repair corrected it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", metavar="SLUG", help="Only this consultation (default: every one).")
        parser.add_argument("--repair", action="store_true", help="Set every drifted cell to the recount.")

    def handle(self, *args, consultation: str | None, repair: bool, **options):
        chosen = None
        if consultation:
            chosen = Consultation.objects.filter(slug=consultation).first()
            if chosen is None:
                known = ", ".join(Consultation.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No consultation {consultation!r} (known: {known}).")
        check = check_rollups(consultation=chosen, repair=repair)
        if not check.drifts:
            self.stdout.write("no drift")
            return
        for drift in check.drifts:
            self.stdout.write(str(drift))
        if check.repaired:
            self.stdout.write(f"repaired {len(check.drifts)} drifted cells")
            return
        raise CommandError(f"{len(check.drifts)} drifted cells (run with --repair to correct them)")
