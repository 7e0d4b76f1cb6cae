from __future__ import annotations

from feedback.exports.formats import RECORD_KINDS, write_to_output
from feedback.exports.record_files import write_records
from feedback.management.export_command import ExportCommand


class Command(ExportCommand):
    help = (
        "Export the records of a consultation, streamed: approved concerns (day, topic, role, community area, "
        "text) or endorsements (day, remedy, role, community area). No contact email, participant id, hash or "
        "receipt; times cut to the day. By default shareable: k-anonymous on day, community area and role "
        "(k = RESULTS_MIN_CELL), the whole consultation; with --internal exact, marked INTERNAL. A CSV's readme "
        "is written beside it (PATH.readme.txt), or to standard error with --output -."
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
            counted["file"] = write_records(
                consultation=consultation,
                what=options["what"],
                fmt=fmt,
                out=out,
                filters=filters,
                on_progress=None if bar.disable else on_progress,
                internal=options["internal"],
            )

        try:
            self.run(lambda: write_to_output(render, options["output"], self.stdout_binary(), seekable=fmt == "xlsx"))
        finally:
            bar.close()
        written = counted["file"]
        readme = "\n\n".join(written.readme) + "\n"
        if fmt == "csv" and options["output"] == "-":
            self.report(readme)
        elif fmt == "csv":
            self.run(
                lambda: write_to_output(lambda out: out.write(readme.encode()), options["output"] + ".readme.txt", None)
            )
        if options["output"] != "-":
            self.report(f"{written.rows} {options['what']} of {consultation.slug} written to {options['output']}.")
