"""Check a certificate against the database: exit 0 when every figure still matches, 1 naming each that differs.

`manage.py verify_certificate cert.json` (2: the file is not a certificate this database can check).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from feedback.certification.checks import UnreadableCertificate, check_certificate


class Command(BaseCommand):
    help = "Recount everything a certificate states (tallies, ledger, bursts, audit log, digest) and name differences."

    def add_arguments(self, parser):
        parser.add_argument("certificate", help="The certificate's JSON file.")

    def handle(self, *args, certificate: str, **options):
        try:
            with open(certificate, encoding="utf-8") as file:
                document = json.load(file)
            check = check_certificate(document)
        except OSError as error:
            raise CommandError(f"Could not read {certificate}: {error.strerror or error}.", returncode=2) from None
        except (ValueError, UnreadableCertificate) as error:
            raise CommandError(f"{certificate} cannot be checked: {error}", returncode=2) from None
        for note in check.notes:
            self.stdout.write(f"Note: {note}")
        if check.matches:
            self.stdout.write(self.style.SUCCESS("Everything the certificate states still matches the database."))
            return
        for difference in check.differences:
            self.stdout.write(f"Differs: {difference}")
        raise CommandError(f"{len(check.differences)} differences from the certificate.", returncode=1)
