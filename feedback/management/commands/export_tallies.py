from __future__ import annotations

from feedback.exports.formats import write_to_output
from feedback.exports.tallies import render_tallies
from feedback.management.export_command import ExportCommand


class Command(ExportCommand):
    help = (
        "Export the tallies of a consultation as CSV, XLSX or JSON: by default the published figures (shareable: "
        "breakdowns by people, small groups hidden); with --internal every exact figure (endorsements per remedy, "
        "by area and role; concerns per topic and status; per-day counts), marked INTERNAL."
    )

    def handle(self, *args, **options):
        consultation = self.consultation(options["consultation"])
        filters = self.filters(options)
        fmt = options["format"]
        bar = self.progress_bar("step")

        def on_progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        def render(out) -> None:
            out.write(render_tallies(consultation, fmt, filters, on_progress, internal=options["internal"]))

        try:
            self.run(lambda: write_to_output(render, options["output"], self.stdout_binary(), seekable=False))
        finally:
            bar.close()
        if options["output"] != "-":
            self.report(f"Tallies of {consultation.slug} written to {options['output']}.")
