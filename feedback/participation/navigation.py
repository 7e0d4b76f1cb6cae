"""Where a public form sends the resident back to."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request, fallback: str) -> str:
    """The page the form came from (same site only), else `fallback`."""
    target = request.POST.get("next", "")
    # A path on this site only: anything else ("foo", a NUL...) would be taken for a view name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
