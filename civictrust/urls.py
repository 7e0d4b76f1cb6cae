from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from feedback.pages.views import choose_language, favicon
from feedback.reports.views import consultation_report
from feedback.results.api import tallies_json
from feedback.results.views import dashboard

urlpatterns = [
    # Before the admin's own URLs, inside its login and look: the staff results dashboard.
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path("admin/report/", admin.site.admin_view(consultation_report), name="admin_report"),
    path("admin/", admin.site.urls),
    # Public read-only JSON, outside the language prefixes: one address per consultation (README, "Public API").
    path("api/c/<slug:slug>/tallies.json", tallies_json, name="api_tallies"),
    path("favicon.ico", favicon, name="favicon"),
    # The language links (they set the language cookie), outside the prefixes: one address from every language.
    path("language/<str:code>/", choose_language, name="choose_language"),
]

urlpatterns += i18n_patterns(
    path("", include("feedback.urls")),
    prefix_default_language=False,
)

handler404 = "feedback.pages.errors.page_not_found"
# A database outage gets the 503 page even when it strikes outside a view (civictrust/middleware.py).
handler500 = "civictrust.middleware.server_error"
