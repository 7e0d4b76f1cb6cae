from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from feedback.management.export_command import consultation_from_slug
from feedback.reports.rendering import PdfRendererMissing, report_document


class Command(BaseCommand):
    help = (
        "Write the report for City Hall of a consultation as PDF or printable HTML (from the --output suffix): "
        "participation, endorsements per remedy, concerns per topic, breakdowns by area and role (small groups "
        "hidden unless --internal), activity per day, main themes with published quotes, and how it is counted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, choices=[code for code, _ in settings.LANGUAGES])
        parser.add_argument("--output", required=True, help="report.pdf or report.html")
        parser.add_argument(
            "--internal",
            action="store_true",
            help='Exact figures with small groups, marked "internal: contains small groups" on every page.',
        )

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "html"):
            raise CommandError("--output must end in .pdf or .html.")
        consultation = consultation_from_slug(options["consultation"])
        try:
            document = report_document(consultation, language=options["lang"], internal=options["internal"], fmt=fmt)
        except PdfRendererMissing as missing:
            raise CommandError(str(missing)) from None
        try:
            output.write_bytes(document.content)
        except OSError as error:
            raise CommandError(f"Could not write the report: {error.strerror or error}.") from None
        self.stdout.write(f"Report of {consultation.slug} ({options['lang']}) written to {output}.")
