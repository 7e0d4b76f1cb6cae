"""Each remedy's stored endorsement count stays exact, even when it drifted or a recount races an endorsement."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connections, transaction

from feedback.models import Endorsement
from feedback.participation.services import endorse_remedy, recount_endorsements
from tests.availability import postgresql_only
from tests.factories import EndorsementFactory


def test_withdrawing_an_endorsement_whose_count_drifted_to_zero_withdraws_it_without_an_error(client, briefing):
    remedy = briefing.remedies.first()
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    type(remedy).objects.filter(pk=remedy.pk).update(endorsement_count=0)  # drifted, as after a bulk load

    response = client.post(f"/c/chicago/remedies/{remedy.pk}/withdraw/")

    assert response.status_code == 302
    assert not Endorsement.objects.filter(remedy=remedy).exists()
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 0


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_recount_that_runs_while_an_endorsement_commits_keeps_that_endorsement(briefing):
    remedy = briefing.remedies.select_related("consultation").first()
    EndorsementFactory.create_batch(3, remedy=remedy)
    type(remedy).objects.filter(pk=remedy.pk).update(endorsement_count=0)  # drifted: the recount has work to do
    endorsed, recount_started = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def resident_endorses() -> None:
        try:
            with transaction.atomic():
                assert endorse_remedy(remedy=remedy, participant=uuid.uuid4())
                endorsed.set()
                recount_started.wait(timeout=20)
                time.sleep(1)  # the recount is now waiting on this transaction's row lock
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connections.close_all()

    def recount() -> None:
        try:
            endorsed.wait(timeout=20)
            recount_started.set()
            recount_endorsements(consultation=remedy.consultation)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=resident_endorses), threading.Thread(target=recount)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    remedy.refresh_from_db()
    assert Endorsement.objects.filter(remedy=remedy).count() == 4
    assert remedy.endorsement_count == 4
