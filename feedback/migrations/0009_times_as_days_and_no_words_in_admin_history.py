"""Existing rows keep only the day of what residents did, and the admin's history no longer holds a concern's words.

- Concerns (received, last changed, reported, moderators told), endorsements and reports: each time becomes the
  start of its local day (TIME_ZONE), as the services now write them (models.start_of_local_day). Day by day, with
  range updates on the indexed columns, so a million endorsements take a few hundred statements, not a million.
- django_admin_log: the object_repr of every concern entry held `#<id> <first 60 characters of the text>` (the old
  Concern.__str__), even for concerns their authors withdrew; it becomes `Concern #<id>`.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Max, Min

TIMES = {
    "concern": ("created_at", "updated_at", "reported_at", "moderators_notified_at"),
    "endorsement": ("created_at",),
    "report": ("created_at",),
}


def _midnight(day, zone):
    return datetime.combine(day, time.min, tzinfo=zone)


def times_to_days(apps, schema_editor):
    zone = ZoneInfo(settings.TIME_ZONE)
    for model_name, fields in TIMES.items():
        model = apps.get_model("feedback", model_name)
        for field in fields:
            bounds = model.objects.aggregate(first=Min(field), last=Max(field))
            if bounds["first"] is None:
                continue
            day, last = bounds["first"].astimezone(zone).date(), bounds["last"].astimezone(zone).date()
            while day <= last:
                start, end = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
                rows = model.objects.filter(**{f"{field}__gt": start, f"{field}__lt": end})
                rows.update(**{field: start})
                day += timedelta(days=1)


def admin_history_without_words(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    concern_type = ContentType.objects.filter(app_label="feedback", model="concern").first()
    if concern_type is None:
        return
    entries = LogEntry.objects.filter(content_type=concern_type)
    for pk, object_id in entries.values_list("pk", "object_id").iterator():
        LogEntry.objects.filter(pk=pk).update(object_repr=f"Concern #{object_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0008_what_is_kept"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(times_to_days, migrations.RunPython.noop),
        migrations.RunPython(admin_history_without_words, migrations.RunPython.noop),
    ]
