from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("feedback.urls")),
    prefix_default_language=False,
)

handler404 = "feedback.errors.page_not_found"
# A database outage gets the 503 page even when it strikes outside a view (civictrust/middleware.py).
handler500 = "civictrust.middleware.server_error"
