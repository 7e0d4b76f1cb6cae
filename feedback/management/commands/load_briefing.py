from django.core.management.base import BaseCommand, CommandError

from feedback.briefing.loader import BRIEFING_DIR, BriefingFileError, load_briefing, read_briefing_file


class Command(BaseCommand):
    help = (
        "Load a consultation briefing from a JSON file (default: the Chicago briefing). "
        "Safe to run again: nothing is duplicated and edits made in the admin are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BRIEFING_DIR / "chicago.json"))

    def handle(self, *args, path, **options):
        try:
            report = load_briefing(read_briefing_file(path))
        except BriefingFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Briefing loaded from {path}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
        if report.kept_edits:
            self.stdout.write(
                "Kept edits made in the admin (the file's newer text was not applied): " + ", ".join(report.kept_edits)
            )
