"""The models of the one `feedback` app, one module per capability; import them from here."""

from .briefing import BriefingItem, Consultation, Remedy, Stakeholder, Topic
from .bursts import ArrivalCount, ArrivalKind, BurstExclusion
from .certification import Certificate, ConcernIntake
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
from .rollups import ConcernRollup, ConcernTotal, EndorsementRollup, EndorsementTotal, ParticipantRollup
from .site import SiteAbout
from .themes import Theme, ThemeMembership
from .verification import CodeBatch, ParticipationCode, VerifiedParticipant

__all__ = [
    "ArrivalCount",
    "ArrivalKind",
    "BriefingItem",
    "BurstExclusion",
    "Certificate",
    "CodeBatch",
    "Concern",
    "ConcernIntake",
    "ConcernRollup",
    "ConcernTotal",
    "Consultation",
    "Endorsement",
    "EndorsementRollup",
    "EndorsementTotal",
    "ExportJob",
    "ModerationEvent",
    "ParticipantDetails",
    "ParticipantRollup",
    "NearDuplicateKey",
    "ParticipationCode",
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
    "VerifiedParticipant",
    "private_export_storage",
    "private_storage",
    "start_of_local_day",
]
