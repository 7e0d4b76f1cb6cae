"""factory_boy factories shared by the tests. Append new factories; keep each one small and typed."""

from __future__ import annotations

import time
import uuid

import factory
from django.db.models import F

from feedback.aggregates import (
    ConcernRow,
    EndorsementRow,
    lock_participant_endorsements,
    record_concern_changes,
    record_endorsement_changes,
)
from feedback.counters import add_to_counts
from feedback.models import Concern, ConcernIntake, Endorsement, Remedy
from feedback.participation.forms import form_started_token


class ConcernFactory(factory.django.DjangoModelFactory):
    """A concern row, counted as received (the certified ledger's ConcernIntake) and in its roll-up, as the submit
    service counts it."""

    class Meta:
        model = Concern

    text = factory.Sequence(lambda n: f"A concern about the operation, number {n}.")
    role = "resident"
    community_area = "undisclosed"
    status = Concern.Status.APPROVED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        concern = super()._create(model_class, *args, **kwargs)
        add_to_counts(
            ConcernIntake,
            [{"consultation": concern.consultation_id, "source": concern.source, "received": 1}],
            keys=("consultation", "source"),
            counts=("received",),
        )
        record_concern_changes(before=[], after=[ConcernRow.of(concern)])
        return concern


class EndorsementFactory(factory.django.DjangoModelFactory):
    """An endorsement row, with its remedy's counters and its roll-ups kept as the endorse service keeps them."""

    class Meta:
        model = Endorsement

    participant = factory.LazyFunction(uuid.uuid4)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        remedy = kwargs["remedy"]
        before = lock_participant_endorsements(remedy.consultation_id, kwargs.get("participant"))
        endorsement = super()._create(model_class, *args, **kwargs)
        row = EndorsementRow(*(getattr(endorsement, name) for name in EndorsementRow._fields))
        record_endorsement_changes(consultation_id=remedy.consultation_id, before=before, after=[*before, row])
        Remedy.objects.filter(pk=endorsement.remedy_id).update(
            endorsement_count=F("endorsement_count") + 1, endorsements_made=F("endorsements_made") + 1
        )
        return endorsement


def concern_form_data(**overrides: str) -> dict[str, str]:
    """What a resident's browser posts for a valid concern (shown ten seconds ago); override any field."""
    data = {
        "topic": "other",
        "text": "Families are afraid to call the police after the raids.",
        "role": "resident",
        "community_area": "30",
        "contact_email": "",
        "website": "",
        "started": form_started_token(time.time() - 10),
    }
    data.update(overrides)
    return data


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff account; `StaffFactory(role="advocate")` puts it in that role's group."""

    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            from django.contrib.auth.models import Group

            from feedback.roles import ROLE_GROUPS

            self.groups.add(Group.objects.get(name=ROLE_GROUPS[extracted]))
