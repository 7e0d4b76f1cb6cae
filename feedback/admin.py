"""The admin: each capability registers its own models; this module only imports them (Django's admin autodiscovery)."""

from .briefing import admin as briefing_admin
from .bursts import admin as bursts_admin
from .certification import admin as certification_admin
from .exports import admin as exports_admin
from .moderation import admin as moderation_admin
from .participation import admin as participation_admin
from .results import admin as results_admin
from .themes import admin as themes_admin
from .verification import admin as verification_admin

__all__ = [
    "briefing_admin",
    "bursts_admin",
    "certification_admin",
    "exports_admin",
    "moderation_admin",
    "participation_admin",
    "results_admin",
    "themes_admin",
    "verification_admin",
]
