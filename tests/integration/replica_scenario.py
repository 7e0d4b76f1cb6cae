"""Run inside a fresh interpreter whose settings name a real streaming replica (tests/integration/test_replica.py).

Usage: python tests/integration/replica_scenario.py STEP, with DATABASE_URL (primary) and DATABASE_REPLICA_URL.
Prints one JSON object: which database served the figures, and what they said.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")

import django  # noqa: E402

django.setup()

from django.db import router  # noqa: E402

from civictrust.db import reading_figures  # noqa: E402
from feedback.models import Endorsement, Remedy  # noqa: E402
from feedback.participation.selectors import endorsed_remedy_ids  # noqa: E402
from feedback.participation.services import endorse_remedy  # noqa: E402


def figures() -> dict:
    with reading_figures():
        database = router.db_for_read(Endorsement)
        count = Endorsement.objects.count()
    return {"figures_from": database, "endorsements": count}


def main(step: str) -> None:
    if step == "figures":
        print(json.dumps(figures()))
    elif step == "endorse":
        remedy = Remedy.objects.select_related("consultation").first()
        participant = uuid.uuid4()
        endorse_remedy(remedy=remedy, participant=participant)
        # The resident's own page right after acting: from the primary, whatever the replica says.
        own = endorsed_remedy_ids(remedy.consultation, participant)
        print(json.dumps({"own_state_from": router.db_for_read(Endorsement), "sees_own": remedy.pk in own}))
    else:
        raise SystemExit(f"unknown step {step!r}")


if __name__ == "__main__":
    main(sys.argv[1])
