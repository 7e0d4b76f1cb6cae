"""Give every concern a random public reference, so public pages stop naming concerns by their database id.

In three steps, because a default computed once for the whole table would give every existing concern the
same reference: add the field empty, fill each row with its own random value, then make it unique.
"""

import feedback.models.participation
from django.db import migrations, models


def fill_references(apps, schema_editor):
    Concern = apps.get_model("feedback", "Concern")
    used = set()
    for concern in Concern.objects.filter(public_reference__isnull=True).only("pk").iterator(chunk_size=2000):
        reference = feedback.models.participation.new_public_reference()
        while reference in used:
            reference = feedback.models.participation.new_public_reference()
        used.add(reference)
        Concern.objects.filter(pk=concern.pk).update(public_reference=reference)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0005_published_results"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="public_reference",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="public reference"),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="concern",
            name="public_reference",
            field=models.CharField(
                default=feedback.models.participation.new_public_reference,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="public reference",
            ),
        ),
    ]
