"""Error pages that keep the site's look and never show a stack trace."""

from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # Rendered without context processors that touch the database, which may be the cause.
    return render(request, "500.html", status=500)
