from __future__ import annotations

from django.core.management.base import BaseCommand

from feedback.management.export_command import consultation_from_slug
from feedback.themes.services import rebuild_themes


class Command(BaseCommand):
    help = (
        "Group the published and pending concerns of a consultation into themes (English and Spanish together, "
        "the consultation's topics as anchors), replacing its themes; labels staff edited are kept where the theme "
        "persists. Runs on this server only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")

    def handle(self, *args, **options):
        build = rebuild_themes(consultation=consultation_from_slug(options["consultation"]))
        self.stdout.write(
            f"{build.themes} themes from {build.concerns} concerns of {build.consultation.slug} in "
            f"{build.seconds:.1f} s ({build.labels_kept} edited labels kept; near-duplicates computed for "
            f"{build.near_duplicates_computed} concerns)."
        )
