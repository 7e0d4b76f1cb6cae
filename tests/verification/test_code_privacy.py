"""Nothing links a verified participant to the code they used or its batch, by value or by time.

Worst case: one batch of one code, handed to one person in a rare community area, who then does many things.
"""

from __future__ import annotations

import uuid

from django.db import connection, models

from feedback.models import CodeBatch, Concern, Endorsement, ParticipationCode, VerifiedParticipant
from feedback.participation.participants import Participant
from feedback.participation.services import endorse_remedy, submit_concern
from feedback.verification.services import issue_codes, redeem_code


def table_dump(model) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 # test: a model's own table
        return repr(cursor.fetchall())


def test_the_code_and_verified_tables_hold_no_time_and_nothing_in_common(briefing):
    for model in (ParticipationCode, VerifiedParticipant):
        kinds = {type(field) for field in model._meta.concrete_fields}
        assert not kinds & {models.DateTimeField, models.DateField, models.TimeField}, model
    verified_columns = {field.column for field in VerifiedParticipant._meta.concrete_fields}
    assert verified_columns == {"key", "consultation_id"}
    code_columns = {field.column for field in ParticipationCode._meta.concrete_fields}
    assert code_columns == {"id", "batch_id", "code_hash", "redeemed"}


def test_one_person_with_the_only_code_of_a_batch_cannot_be_traced_to_it(briefing):
    code = issue_codes(consultation=briefing, count=1, label="Hegewisch church, Sunday").codes[0]
    person = uuid.uuid4()
    remedies = list(briefing.remedies.select_related("consultation"))
    redeem_code(consultation=briefing, code=code, participant=person)
    for remedy in remedies[:5]:
        endorse_remedy(remedy=remedy, participant=person, community_area="55")

    verified = table_dump(VerifiedParticipant)
    codes = table_dump(ParticipationCode) + table_dump(CodeBatch)
    assert str(person) not in verified and person.hex not in verified
    # The code row says only that it was used; the verified row only a keyed hash: no value in common.
    (key,) = VerifiedParticipant.objects.values_list("key", flat=True)
    (code_row,) = ParticipationCode.objects.values_list("code_hash", "redeemed")
    assert code_row[1] is True and key != code_row[0] and key not in codes and code_row[0] not in verified
    # The endorsements say "verified", never which code or batch.
    endorsement_columns = {field.column for field in Endorsement._meta.concrete_fields}
    concern_columns = {field.column for field in Concern._meta.concrete_fields}
    assert not {"batch_id", "code_hash", "code_id"} & (endorsement_columns | concern_columns)
    assert Endorsement.objects.filter(participant=person, verified=True).count() == 5


def test_a_verified_concern_keeps_no_participant_id(briefing):
    code = issue_codes(consultation=briefing, count=1, label="Clinic").codes[0]
    person = uuid.uuid4()
    submitted = submit_concern(
        consultation=briefing,
        text="Written by a verified participant.",
        role="resident",
        community_area="55",
        language="en",
        participant=Participant(id=person),
        participation_code=code,
    )
    assert submitted.concern.verified
    assert str(person) not in table_dump(Concern) and person.hex not in table_dump(Concern)
