"""What the commands that read one consultation share: finding it by slug; for `export_tallies` and
`export_records` also the options, filters, output and the progress bar."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from feedback.community_areas import COMMUNITY_AREA_CHOICES
from feedback.exports.formats import FORMATS, ExportError
from feedback.models import Concern, Consultation, Role
from feedback.results.tallies import TallyFilters


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a day like 2025-10-31.") from None


def consultation_from_slug(slug: str) -> Consultation:
    """The consultation `slug`, or a CommandError listing the known slugs."""
    try:
        return Consultation.objects.get(slug=slug)
    except Consultation.DoesNotExist:
        known = ", ".join(Consultation.objects.values_list("slug", flat=True)) or "none"
        raise CommandError(f"No consultation {slug!r} (known: {known}).") from None


class ExportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", required=True, help="File to write, or - for standard output.")
        parser.add_argument("--since", type=_day, help="First day (YYYY-MM-DD) to include.")
        parser.add_argument("--until", type=_day, help="Last day (YYYY-MM-DD) to include.")
        parser.add_argument("--community-area", default="", choices=["", *dict(COMMUNITY_AREA_CHOICES)])
        parser.add_argument("--role", default="", choices=["", *Role.values])
        parser.add_argument("--source", default="", choices=["", *Concern.Source.values], help="Concerns only.")
        parser.add_argument(
            "--internal",
            action="store_true",
            help="Exact figures and records, marked INTERNAL (never to share). Without it the export is shareable: "
            "the published figures, or k-anonymous records, of the whole consultation (no filter).",
        )

    def consultation(self, slug: str) -> Consultation:
        return consultation_from_slug(slug)

    def filters(self, options) -> TallyFilters:
        if options["since"] and options["until"] and options["since"] > options["until"]:
            raise CommandError("--since comes after --until.")
        return TallyFilters(
            since=options["since"],
            until=options["until"],
            community_area=options["community_area"],
            role=options["role"],
            source=options["source"],
        )

    def stdout_binary(self):
        """The binary stream under this command's standard output, if it has one."""
        return getattr(self.stdout._out, "buffer", None)

    def progress_bar(self, unit: str) -> tqdm:
        """A progress bar on standard error, shown only when that is a terminal."""
        return tqdm(total=0, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def report(self, message: str) -> None:
        """Status lines go to standard error, so standard output carries only the export."""
        self.stderr.write(message, style_func=lambda text: text)

    def run(self, action):
        try:
            return action()
        except ExportError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Could not write the export: {error.strerror or error}.") from None
