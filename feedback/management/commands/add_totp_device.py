"""Set up two-factor sign-in for a staff member: `add_totp_device alice`.

Prints the secret as a QR code and as text for the staff member's authenticator app (any TOTP app: FreeOTP,
Aegis, Google Authenticator...). Show it to that person only; anyone holding it can produce their codes.
"""

from __future__ import annotations

import io
from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a staff account an authenticator (TOTP) for two-factor sign-in and print its QR code and key. "
        "From then on signing in to the admin asks for the app's 6-digit code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator app", help="A label for this authenticator.")
        parser.add_argument(
            "--replace", action="store_true", help="Remove the account's other authenticators (a lost phone)."
        )
        parser.add_argument("--no-qr", action="store_true", help="Print only the key and the otpauth:// link.")

    def handle(self, *args, username: str, name: str, replace: bool, no_qr: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account named {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not a staff account; two-factor sign-in is for the admin.")
        with transaction.atomic():
            removed = TOTPDevice.objects.filter(user=user).delete()[0] if replace else 0
            device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)

        if removed:
            self.stdout.write(f"Removed {removed} earlier authenticator(s) of {username}.")
        url = device.config_url
        if not no_qr:
            qr = io.StringIO()
            segno.make(url, error="m").terminal(out=qr, compact=True)
            self.stdout.write(qr.getvalue())
        key = b32encode(device.bin_key).decode()
        self.stdout.write(f"Key (type it into the app if it cannot scan): {key}")
        self.stdout.write(f"Link: {url}")
        self.stdout.write(self.style.SUCCESS(f"{username} now signs in with a code from this authenticator ({name})."))
