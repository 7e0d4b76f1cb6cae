"""Create or update a staff account with one role: `createstaff alice --role advocate`."""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from feedback.roles import ROLE_GROUPS, RoleGroupMissing, save_staff_account


class Command(BaseCommand):
    help = (
        "Create a staff account with the advocate or organizer role, or give an existing account that role. "
        "The password is asked twice on a terminal, or read from the environment variable named by "
        "--password-from-env."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_GROUPS))
        parser.add_argument("--email", default=None, help="The account's email address (for moderator notices).")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            default=None,
            help="Read the password from this environment variable instead of asking for it.",
        )

    def handle(self, *args, username: str, role: str, email: str | None, password_from_env: str | None, **options):
        User = get_user_model()
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not a valid email address.") from None

        user = User.objects.filter(username=username).first()
        creating = user is None
        if creating:
            user = User(username=username)
        if email is not None:
            user.email = email
        user.is_staff = True
        user.is_active = True

        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from None

        password = self._password(user, creating=creating, variable=password_from_env)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError("The password was refused: " + " ".join(error.messages)) from None
            user.set_password(password)

        try:
            save_staff_account(user=user, role=role)
        except RoleGroupMissing as missing:
            raise CommandError(f"The group {str(missing)!r} does not exist; run `manage.py migrate` first.") from None
        verb = "Created" if creating else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff account {username!r} with the {role} role."))

    def _password(self, user, *, creating: bool, variable: str | None) -> str | None:
        """The new password, or None to keep an existing account's password."""
        if variable:
            password = os.environ.get(variable)
            if not password:
                raise CommandError(f"The environment variable {variable} is not set or is empty.")
            return password
        if not sys.stdin.isatty():
            if creating:
                raise CommandError(
                    "No password given: run this on a terminal to type one, or use --password-from-env VAR."
                )
            return None
        prompt = "Password: " if creating else "New password (leave empty to keep the current one): "
        password = getpass.getpass(prompt)
        if not password:
            if creating:
                raise CommandError("A new account needs a password.")
            return None
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords do not match; nothing was changed.")
        return password
