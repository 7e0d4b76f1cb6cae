from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Community feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="feedback.ensure_role_groups")


def _ensure_role_groups(sender, using="default", **kwargs) -> None:
    # Imported here: apps.py is read before the models are ready, and roles.py uses the auth models.
    from .roles import ensure_role_groups

    ensure_role_groups(using=using)
