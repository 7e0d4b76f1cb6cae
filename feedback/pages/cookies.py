"""Every cookie civictrust can set, with its purpose and lifetime: the privacy page lists exactly these.

tests/site/test_cookies_listed.py walks every flow of the site (reading, sending and deleting a concern,
reporting, endorsing, "about you", forgetting the device, a staff sign-in), in every language, and checks
that the cookies really set are these, with these lifetimes, and that reading a page sets none that lasts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..participation import receipts
from ..participation.participants import COOKIE_NAME, cookie_max_age_seconds


@dataclass(frozen=True)
class CookieUse:
    name: str
    purpose: str
    # None: a session cookie, deleted when the browser closes.
    max_age_seconds: int | None

    @property
    def lifetime(self) -> str:
        seconds = self.max_age_seconds
        if seconds is None:
            return _("until you close the browser")
        if seconds % 86_400 == 0:
            days = seconds // 86_400
            return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        minutes = max(1, seconds // 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def cookies_the_app_sets() -> list[CookieUse]:
    """The cookies of this site, in the current language, with the names and lifetimes the settings give them."""
    return [
        CookieUse(
            settings.CSRF_COOKIE_NAME,
            _(
                "Protects the forms of this site against forged submissions from other sites. Set when you open "
                "a page with a form; it holds a random value and nothing about you."
            ),
            settings.CSRF_COOKIE_AGE,
        ),
        CookieUse(
            CookieStorage.cookie_name,
            _(
                "Carries a short message, such as “You endorsed …”, to the next page after you act; deleted as "
                "soon as it is shown."
            ),
            None,
        ),
        CookieUse(
            COOKIE_NAME,
            _(
                "A random number, signed so it cannot be forged, that lets you withdraw your endorsements and "
                "report each concern only once. Set only when you endorse, report a concern or save “about you”; "
                "it holds nothing else. Renewed each time you take part; “Forget this device” deletes it."
            ),
            cookie_max_age_seconds(),
        ),
        *(
            CookieUse(
                receipts.cookie_name(code),
                _(
                    "Right after you send a concern, lets the confirmation page show your receipt code again (after "
                    "a language switch or Back). It holds half of a secret whose other half is on our server: alone "
                    "it reveals nothing, and “hide the code” deletes it. Sent only to that page."
                ),
                receipts.display_seconds(),
            )
            for code, _name in settings.LANGUAGES
        ),
        CookieUse(
            settings.LANGUAGE_COOKIE_NAME,
            _(
                "Remembers the language you chose with the language links, so that links without a language open "
                "in yours. Set only when you choose one; it holds the language's code and nothing else."
            ),
            settings.LANGUAGE_COOKIE_AGE,
        ),
        CookieUse(
            settings.SESSION_COOKIE_NAME,
            _("Staff only: keeps a staff member signed in to the administration. Never set for residents."),
            settings.SESSION_COOKIE_AGE,
        ),
    ]
