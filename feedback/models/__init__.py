"""The models of the one `feedback` app, one module per capability; import them from here."""

from .briefing import BriefingItem, Consultation, Remedy, Stakeholder, Topic
from .exports import ExportJob, PrivateStorage, PurgeSnapshot, TallySnapshot, private_export_storage, private_storage
from .moderation import ModerationEvent
from .participation import (
    Concern,
    Endorsement,
    NearDuplicateKey,
    ParticipantDetails,
    RejectionReason,
    Report,
    Role,
    start_of_local_day,
)
from .publication import PublishedResults
from .site import SiteAbout
from .themes import Theme, ThemeMembership

__all__ = [
    "BriefingItem",
    "Concern",
    "Consultation",
    "Endorsement",
    "ExportJob",
    "ModerationEvent",
    "ParticipantDetails",
    "NearDuplicateKey",
    "PrivateStorage",
    "PublishedResults",
    "PurgeSnapshot",
    "RejectionReason",
    "Remedy",
    "Report",
    "Role",
    "SiteAbout",
    "Stakeholder",
    "TallySnapshot",
    "Theme",
    "ThemeMembership",
    "Topic",
    "private_export_storage",
    "private_storage",
    "start_of_local_day",
]
