"""Certify a consultation's tallies: the certificate JSON, and optionally its printable form.

`manage.py certify_tallies --consultation chicago --output cert.json [--printable cert.pdf|cert.html]`
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feedback.certification.printable import certificate_html, certificate_pdf
from feedback.certification.services import certify_tallies
from feedback.exports.formats import write_to_output
from feedback.models import Consultation
from feedback.printing import PdfUnavailable


class Command(BaseCommand):
    help = (
        "Write a certificate of a consultation's tallies: every tally (verified and total), the ledger of "
        "concerns and endorsements, unusual bursts, the audit log's last hash and a SHA-256 digest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", required=True, help="Slug of the consultation, e.g. chicago.")
        parser.add_argument("--output", required=True, help="The certificate's JSON file, e.g. cert.json.")
        parser.add_argument("--printable", help="Also its human form: a .pdf or .html file.")

    def handle(self, *args, consultation: str, output: str, printable: str | None, **options):
        found = Consultation.objects.filter(slug=consultation).first()
        if found is None:
            raise CommandError(f"No consultation {consultation!r}.")
        kind = Path(printable).suffix.lower() if printable else ""
        if printable and kind not in (".pdf", ".html"):
            raise CommandError("--printable must end in .pdf or .html.")
        document = certify_tallies(consultation=found).document
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        try:
            write_to_output(lambda out: out.write(text.encode("utf-8")), output, None)
            if printable:
                human = certificate_pdf(document) if kind == ".pdf" else certificate_html(document).encode("utf-8")
                write_to_output(lambda out: out.write(human), printable, None)
        except PdfUnavailable as error:
            raise CommandError(f"{output} was written, but PDF cannot be made here ({error}); use .html.") from None
        except OSError as error:
            raise CommandError(f"Could not write the certificate: {error.strerror or error}.") from None
        ledger = document["ledger"]
        for part in ("concerns", "endorsements"):
            if not ledger[part]["balanced"]:
                self.stderr.write(f"Warning: the ledger of {part} does not balance (see its 'unaccounted' figures).")
        if not document["audit_log"]["intact"]:
            self.stderr.write(f"Warning: the audit log is broken: {document['audit_log']['first_broken_link']}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Certificate of {found.slug!r} written to {output}: {len(document['bursts'])} unusual bursts, "
                f"SHA-256 {document['digest']['value']}."
            )
        )
