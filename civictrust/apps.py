"""The admin, installed with the project's staff login (civictrust.staff)."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.signals import user_logged_in


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin whose default site (`admin.site`) is civictrust.staff.StaffAdminSite."""

    default_site = "civictrust.staff.StaffAdminSite"

    def ready(self) -> None:
        super().ready()
        from .middleware import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="civictrust.record_sign_in")
