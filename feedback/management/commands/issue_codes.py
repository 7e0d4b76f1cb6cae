"""Issue a batch of one-time participation codes and write their slips (README, "Defensible numbers").

`manage.py issue_codes --consultation chicago --count 200 --label "Pilsen meeting, 12 Jan" --output codes.pdf`

The file (PDF, printable HTML or CSV, by its extension) is the only place the codes ever appear in
clear: only their keyed hashes are stored. If the file cannot be written, no code is issued.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from feedback.exports.formats import write_to_output
from feedback.models import Consultation
from feedback.printing import PdfUnavailable
from feedback.verification.services import issue_codes
from feedback.verification.slips import SLIP_FORMATS, render_slips


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a day like 2026-03-31.") from None


class Command(BaseCommand):
    help = "Issue one-time participation codes for a consultation and write their cut-out slips (PDF, HTML or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--count", required=True, type=int, help="How many codes (1 to 5000).")
        parser.add_argument("--label", required=True, help='Where and when they are handed out, e.g. "Pilsen, 12 Jan".')
        parser.add_argument("--output", required=True, help="File to write: codes.pdf, codes.html or codes.csv.")
        parser.add_argument(
            "--expires", type=_day, help="Last valid day (YYYY-MM-DD); default PARTICIPATION_CODE_DAYS."
        )

    def handle(self, *args, consultation: str, count: int, label: str, output: str, expires: date | None, **options):
        fmt = Path(output).suffix.lstrip(".").lower()
        if fmt not in SLIP_FORMATS:
            raise CommandError(f"--output must end in {', '.join('.' + name for name in SLIP_FORMATS)}.")
        found = Consultation.objects.filter(slug=consultation).first()
        if found is None:
            raise CommandError(f"No consultation {consultation!r}.")
        try:
            with transaction.atomic():  # no code is issued unless its slips were written
                issued = issue_codes(consultation=found, count=count, label=label, expires_on=expires)
                data = render_slips(issued, fmt)
                write_to_output(lambda out: out.write(data), output, None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PdfUnavailable as error:
            raise CommandError(f"PDF cannot be made here ({error}); write .html or .csv instead.") from None
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror or error}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Issued {count} codes for {found.slug!r} ({issued.batch.label}), valid until "
                f"{issued.batch.expires_on.isoformat()}; slips written to {output}. The codes cannot be shown again."
            )
        )
