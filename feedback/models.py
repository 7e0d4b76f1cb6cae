"""The consultation content (briefing) and what residents send back."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from .community_areas import COMMUNITY_AREA_CHOICES


class BriefingItem(models.Model):
    """Common fields of the content loaded from a briefing file and edited in the admin.

    `key` identifies the item in the briefing file; `loaded_values` remembers what the
    loader last wrote, so a re-load can tell an advocate's edit from an untouched field.
    """

    key = models.SlugField(_("key"), max_length=80, help_text=_("Stable identifier used by the briefing file."))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Untick to hide this item from the public pages.")
    )
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class Consultation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"), help_text=_("The briefing, in the project's own words."))
    source_citation = models.TextField(_("source citation"), help_text=_("Where the briefing's facts come from."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title

    def is_accepting_responses(self, at=None) -> bool:
        at = at or timezone.now()
        if self.status != self.Status.OPEN or at < self.opens_at:
            return False
        return self.closes_at is None or at < self.closes_at


class Topic(BriefingItem):
    class Group(models.TextChoices):
        COMMUNITY_IMPACT = "community_impact", _("Community impact")
        GOVERNANCE = "governance", _("Governance")
        CIVIL_RIGHTS = "civil_rights", _("Civil rights")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=30, choices=Group.choices)
    raised_by = models.CharField(_("raised by"), max_length=200, blank=True)
    possible_outcome = models.CharField(_("possible outcome"), max_length=300, blank=True)
    community_demand = models.CharField(_("community demand"), max_length=300, blank=True)

    class Meta(BriefingItem.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_topic_key")]

    def __str__(self) -> str:
        return self.name


class Remedy(BriefingItem):
    class Kind(models.TextChoices):
        APPROACH = "approach", _("Proposed approach")
        ADVOCATE_DEMAND = "advocate_demand", _("Advocates' demand")
        COMMUNITY_DEMAND = "community_demand", _("Community demand")
        STAKEHOLDER_REMEDY = "stakeholder_remedy", _("Stakeholder's suggested remedy")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    benefit = models.CharField(_("benefit"), max_length=300, blank=True)
    recommended_implementation = models.CharField(_("recommended implementation"), max_length=300, blank=True)
    proposed_by = models.CharField(_("proposed by"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Kept equal to the number of endorsements by the endorse/withdraw services, in the same
    # transaction, so the remedies page never counts a million rows (see recount_endorsements).
    endorsement_count = models.PositiveIntegerField(_("endorsements"), default=0, editable=False)

    class Meta(BriefingItem.Meta):
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_remedy_key")]

    def __str__(self) -> str:
        return self.title


class Stakeholder(BriefingItem):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=200)
    stance = models.CharField(_("stance"), max_length=200, blank=True)
    primary_concern = models.CharField(_("primary concern"), max_length=300, blank=True)
    main_concern = models.CharField(_("main concern"), max_length=300, blank=True)
    suggested_remedy = models.CharField(_("suggested remedy"), max_length=300, blank=True)

    class Meta(BriefingItem.Meta):
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_stakeholder_key")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ADVOCATE = "advocate", _("Advocate")
    ORGANIZATION = "organization", _("Community organization")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Concern(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        PAPER = "paper", _("Paper form")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Community meeting")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="concerns")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="concerns", verbose_name=_("topic")
    )
    text = models.TextField(_("concern"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.UNDISCLOSED)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    report_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    reported_at = models.DateTimeField(
        _("reported at"), null=True, blank=True, editable=False, help_text=_("Set by a report, cleared by moderation.")
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at"]
        permissions = [
            ("view_contact", _("Can see contact emails")),
            ("view_dashboard", _("Can see the results dashboard")),
        ]
        indexes = [
            models.Index(fields=["consultation", "status", "created_at"], name="concern_listing"),
            # The moderator digest looks for these among every concern ever received.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending", moderators_notified_at__isnull=True),
                name="concern_unannounced",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact_email="") | models.Q(contact_consent=True),
                name="contact_email_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"


class Report(models.Model):
    """A participant's flag on a published concern; one per participant and concern."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="reports")
    participant = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["concern", "participant"], name="one_report_per_participant")]

    def __str__(self) -> str:
        return f"Report on concern #{self.concern_id}"


class Endorsement(models.Model):
    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.UUIDField()
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(fields=["remedy", "participant"], name="one_endorsement_per_participant")
        ]
        indexes = [models.Index(fields=["participant"], name="endorsement_participant")]

    def __str__(self) -> str:
        return f"{self.remedy} ({self.created_at:%Y-%m-%d})"


class ModerationEvent(models.Model):
    """Append-only audit log of every status change of a concern.

    The concern link is kept nullable so the log outlives a concern its author withdrew.
    """

    concern = models.ForeignKey(
        Concern, on_delete=models.SET_NULL, null=True, related_name="moderation_events", verbose_name=_("concern")
    )
    concern_number = models.PositiveBigIntegerField(_("concern number"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.concern_number}: {self.from_status or '-'} → {self.to_status}"


class PrivateStorage(LazyObject):
    """Export files live under PRIVATE_MEDIA_ROOT and are served only by a staff-only view."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = PrivateStorage()


def private_export_storage():
    """The storage of export files, named by reference so migrations do not record a path of this machine."""
    return private_storage


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        TALLIES = "tallies", _("Tallies")
        CONCERNS = "concerns", _("Approved concerns (anonymised)")
        ENDORSEMENTS = "endorsements", _("Endorsements (anonymised)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices, default=Kind.TALLIES)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices, default=Format.CSV)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_export_storage, upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_format_display()}) #{self.pk}"


class TallySnapshot(models.Model):
    """The tallies of one consultation as they stood on one day, for trends."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    tallies = models.JSONField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("tally snapshot")
        verbose_name_plural = _("tally snapshots")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["consultation", "day"], name="one_snapshot_per_day")]

    def __str__(self) -> str:
        return f"{self.consultation} {self.day}"
