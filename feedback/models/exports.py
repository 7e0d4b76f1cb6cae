"""Export jobs, their private files, and the daily tally snapshots."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation


class PrivateStorage(FileSystemStorage):
    """Export files live under PRIVATE_MEDIA_ROOT and are served only by a staff-only view.

    The folder is read from the settings at each use, not once at import, so a test (or a process
    whose settings change) never writes into another's folder.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


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
    # Exact figures and records, for staff holding feedback.export_internal; otherwise the export is shareable
    # (published figures, k-anonymous records of the whole consultation). Marked in the file's name and content.
    internal = models.BooleanField(
        _("exact, internal"),
        default=False,
        help_text=_(
            "Exact figures and records, with small groups that may identify people: never to be shared outside "
            "civictrust. Leave unticked for a shareable export."
        ),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_export_storage, upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    readme = models.TextField(_("read me"), blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        permissions = [("export_internal", _("Can export exact internal records and tallies"))]

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


class PurgeSnapshot(models.Model):
    """A purged consultation's figures as they stood just before its purge (retention.purge_consultation).

    The purge gives every endorsement a fresh participant id, so counting distinct participants from the rows
    would no longer give the number of people; those counts are read from here instead (results.tallies).
    `tallies` holds every figure in the form of TallySnapshot.tallies, `participants` the distinct
    participants overall, per community area, per role and per (area, role) pair.
    """

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="purge_snapshot")
    day = models.DateField()
    tallies = models.JSONField()
    participants = models.JSONField()

    class Meta:
        verbose_name = _("purge snapshot")
        verbose_name_plural = _("purge snapshots")

    def __str__(self) -> str:
        return f"{self.consultation} {self.day}"
