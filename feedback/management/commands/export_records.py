from __future__ import annotations

from feedback.exports.formats import RECORD_KINDS, write_to_output
from feedback.exports.record_files import write_records
from feedback.management.export_command import ExportCommand


class Command(ExportCommand):
    help = (
        "Export the anonymised records of a consultation, streamed: approved concerns (day, topic, role, "
        "community area, text) or endorsements (day, remedy, role, community area). No contact email, "
        "participant id, hash or receipt; times cut to the day."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--what", required=True, choices=RECORD_KINDS)

    def handle(self, *args, **options):
        consultation = self.consultation(options["consultation"])
        filters = self.filters(options)
        fmt = options["format"]
        bar = self.progress_bar("row")
        counted = {}

        def on_progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        def render(out) -> None:
            counted["rows"] = write_records(
                consultation=consultation,
                what=options["what"],
                fmt=fmt,
                out=out,
                filters=filters,
                on_progress=None if bar.disable else on_progress,
            )

        try:
            self.run(lambda: write_to_output(render, options["output"], self.stdout_binary(), seekable=fmt == "xlsx"))
        finally:
            bar.close()
        if options["output"] != "-":
            self.report(f"{counted['rows']} {options['what']} of {consultation.slug} written to {options['output']}.")
