from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from feedback.management.export_command import consultation_from_slug
from feedback.themes.selectors import theme_export


class Command(BaseCommand):
    help = (
        'Write the themes of a consultation as JSON: a list of {"label", "size", "concern_ids"}, largest theme '
        "first (build them first with build_themes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--format", default="json", choices=["json"])
        parser.add_argument("--output", default="-", help="File to write, or - (the default) for standard output.")

    def handle(self, *args, **options):
        document = json.dumps(theme_export(consultation_from_slug(options["consultation"])), ensure_ascii=False)
        if options["output"] == "-":
            self.stdout.write(document)
            return
        try:
            with open(options["output"], "w", encoding="utf-8") as output:
                output.write(document + "\n")
        except OSError as error:
            raise CommandError(f"Could not write the themes: {error.strerror or error}.") from None
