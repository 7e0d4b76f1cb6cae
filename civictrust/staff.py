"""How staff sign in to the admin: password, lockout by username, and two-factor codes (TOTP).

- django-axes locks a username out after AXES_FAILURE_LIMIT failed logins. It is configured to know nothing about
  the client: no address (`no_client_address`) and no user agent (`PrivateAxesHandler`) is stored or logged.
- A staff member with a confirmed authenticator (a django-otp TOTP device) must type its current code to sign in.
  With STAFF_REQUIRE_2FA on, a staff member without one cannot sign in at all until a superuser sets one up
  (`manage.py add_totp_device USERNAME`, or Django OTP → TOTP devices in the admin).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin


def no_client_address(request: HttpRequest) -> None:
    """AXES_CLIENT_IP_CALLABLE: axes gets no client address, so it can neither store nor log one."""
    return None


class PrivateAxesHandler(AxesDatabaseHandler):
    """The database handler of django-axes with the user agent blanked before anything is written or logged.

    Lockout goes by username only (AXES_LOCKOUT_PARAMETERS), so the agent was never needed to lock anyone out.
    """

    @staticmethod
    def _forget_client(request: HttpRequest | None) -> None:
        if request is not None:
            request.axes_ip_address = None
            request.axes_user_agent = ""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        self._forget_client(request)
        # The attempt is stored under its username: never longer than the column (PostgreSQL would refuse the row and
        # the sign-in page would fail). The login form already refuses such usernames; other callers may not.
        username = credentials.get("username")
        if isinstance(username, str):
            credentials = {**credentials, "username": username[: AccessAttempt._meta.get_field("username").max_length]}
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        self._forget_client(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._forget_client(request)
        return super().user_logged_out(sender, request, user, **kwargs)


class StaffAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin login form: username and password, plus the authenticator code when the account has one."""

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the 6-digit code from your authenticator app."),
        invalid_token=_("That code is not right, or it has expired. Enter the code your app shows now."),
    )
    two_factor_missing = _(
        "This site requires two-factor sign-in, and your account has no authenticator yet. "
        "Ask an administrator to set one up for you."
    )

    otp_device = forms.CharField(required=False, widget=forms.Select)
    otp_token = forms.CharField(
        label=_("Authenticator code"),
        help_text=_("Only if two-factor sign-in is set up for your account."),
        required=False,
        max_length=8,
        validators=[RegexValidator(r"^\d{6,8}$", _("The code is 6 to 8 digits."))],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_challenge = forms.CharField(required=False)

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Django's login form sets the username's max_length after the field is built, so nothing checks it on the
        # server: a longer username would reach authenticate() and django-axes' table. It is refused here instead.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def clean(self):
        self.cleaned_data = super().clean()
        user = self.get_user()
        if user is None:
            return self.cleaned_data
        devices = list(devices_for_user(user, confirmed=True))
        if devices:
            if not self.cleaned_data.get("otp_device") and len(devices) == 1:
                # One authenticator: no need to make the staff member pick it.
                self.cleaned_data["otp_device"] = devices[0].persistent_id
            self.clean_otp(user)
        elif settings.STAFF_REQUIRE_2FA:
            raise ValidationError(self.two_factor_missing, code="two_factor_missing")
        return self.cleaned_data


class StaffAdminSite(admin.AdminSite):
    """The project's admin site (it is `django.contrib.admin.site`): civictrust's name, the login above, and, when
    STAFF_REQUIRE_2FA is on, only sessions verified by an authenticator code count as staff."""

    login_form = StaffAuthenticationForm
    site_header = _("civictrust staff")
    site_title = _("civictrust staff")
    index_title = _("Moderation, results and the briefing")
    # The few sections are on the home page; without the side menu the queue's text column gets the width.
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.STAFF_REQUIRE_2FA or request.user.is_verified()
