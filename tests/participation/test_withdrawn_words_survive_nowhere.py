"""A concern its author withdrew leaves none of its words behind: not in the admin's history, its messages or the
audit log, nor in any other table.

Worst case: the concern was entered on paper and decided twice in the admin (each writes history) before it was
withdrawn with its receipt code.
"""

from __future__ import annotations

import re

from django.contrib.admin.models import LogEntry
from django.urls import reverse

from feedback.models import Concern, ModerationEvent
from tests.site.test_no_raw_client_address import every_stored_string

WORDS = "La migra detuvo al vecino frente a la lavandería Xóchitl"
DISTINCT = ("migra detuvo", "lavandería", "Xóchitl")


def test_a_paper_concern_decided_in_the_admin_then_withdrawn_leaves_no_word_anywhere(client, briefing, advocate):
    client.force_login(advocate)
    added = client.post(
        reverse("admin:feedback_concern_add"),
        {
            "consultation": briefing.pk,
            "text": WORDS,
            "topic": "",
            "role": "resident",
            "community_area": "55",
            "language": "es",
            "source": "paper",
        },
        follow=True,
    )
    code = re.search(r"receipt code: ([A-Z2-9-]{14})", added.content.decode()).group(1)
    concern = Concern.objects.get()
    change = reverse("admin:feedback_concern_change", args=[concern.pk])
    for button, version in (("_approve", 0), ("_reject", 1)):
        client.post(change, {"expected_version": version, "moderation_note": "", "reason": "", button: "x"})
    assert LogEntry.objects.filter(object_id=str(concern.pk)).count() == 3  # added, approved, rejected
    assert {entry.object_repr for entry in LogEntry.objects.all()} == {f"Concern #{concern.pk}"}
    messages = re.search(r'<ul class="messagelist">(.*?)</ul>', added.content.decode(), re.S).group(1)
    assert f"Concern #{concern.pk}" in messages and all(word not in messages for word in DISTINCT)

    client.logout()
    client.post("/c/chicago/concerns/withdraw/", {"receipt_code": code})

    assert not Concern.objects.exists()
    assert ModerationEvent.objects.filter(concern_number=concern.pk).count() == 4  # entered, 2 decisions, withdrawn
    leftovers = [(table, value) for table, value in every_stored_string() if any(w in value for w in DISTINCT)]
    assert leftovers == []
    assert any(table == "django_admin_log" for table, _value in every_stored_string())  # the scan sees the history


def test_a_concern_never_names_its_words_when_turned_into_text(briefing):
    concern = Concern.objects.create(consultation=briefing, text=WORDS, community_area="55")
    assert str(concern) == f"Concern #{concern.pk}"
