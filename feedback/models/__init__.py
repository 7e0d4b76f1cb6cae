"""The models of the one `feedback` app, one module per capability; import them from here."""

from .briefing import BriefingItem, Consultation, Remedy, Stakeholder, Topic
from .exports import ExportJob, PrivateStorage, TallySnapshot, private_export_storage, private_storage
from .moderation import ModerationEvent
from .participation import Concern, Endorsement, NearDuplicateKey, Report, Role
from .themes import Theme, ThemeMembership

__all__ = [
    "BriefingItem",
    "Concern",
    "Consultation",
    "Endorsement",
    "ExportJob",
    "ModerationEvent",
    "NearDuplicateKey",
    "PrivateStorage",
    "Remedy",
    "Report",
    "Role",
    "Stakeholder",
    "TallySnapshot",
    "Theme",
    "ThemeMembership",
    "Topic",
    "private_export_storage",
    "private_storage",
]
