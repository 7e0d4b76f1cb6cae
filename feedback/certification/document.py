"""The certificate document: exact tallies, the ledger, bursts, the audit log's head, and a SHA-256 digest.

The digest is SHA-256 over the document's canonical serialisation: JSON with keys sorted, no spaces
(separators "," and ":"), non-ASCII characters as themselves, UTF-8, without the "digest" key. The file
can be re-indented or re-ordered freely; any change to a value changes the digest.
"""

from __future__ import annotations

import hashlib
import json
import subprocess  # nosec B404  # only to ask git for the code version, with fixed arguments
import tomllib
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone, translation

from ..audit.chain import check_chain
from ..bursts.detection import Burst, unusual_bursts
from ..exports.tallies import tally_tables
from ..models import BurstExclusion, Concern, Consultation, Endorsement, Remedy, Topic
from ..models.bursts import ArrivalKind
from ..results.tallies import TallyFilters
from .ledger import concern_ledger, endorsement_ledger

FORMAT = "civictrust-certificate/1"


def canonical_bytes(document: dict) -> bytes:
    """The document's canonical serialisation, without its digest."""
    body = {key: value for key, value in document.items() if key != "digest"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest_of(document: dict) -> str:
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def code_version() -> str:
    """CODE_VERSION, else `git describe`, else the version in pyproject.toml."""
    if settings.CODE_VERSION:
        return settings.CODE_VERSION
    try:
        described = subprocess.run(  # nosec B603 B607  # fixed arguments, no shell, git from PATH
            ["git", "describe", "--always", "--dirty", "--tags"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    if described:
        return described
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as project:
            return "civictrust " + tomllib.load(project)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _subject_keys(consultation: Consultation) -> dict[tuple[str, int], str]:
    keys = {
        (ArrivalKind.ENDORSEMENT, pk): key
        for pk, key in Remedy.objects.filter(consultation=consultation).values_list("pk", "key")
    }
    keys.update(
        {
            (ArrivalKind.CONCERN, pk): key
            for pk, key in Topic.objects.filter(consultation=consultation).values_list("pk", "key")
        }
    )
    return keys


def burst_entry(burst: Burst, keys: dict[tuple[str, int], str]) -> dict:
    return {
        "kind": burst.kind,
        "subject": burst.subject,
        "key": keys.get((burst.kind, burst.subject), ""),
        "label": burst.label,
        "starts_at": _moment(burst.starts_at),
        "ends_at": _moment(burst.ends_at),
        "arrivals": burst.arrivals,
        "from_new_participants": burst.from_new_participants,
        "usual_per_minute": round(burst.baseline, 2),
        "excluded": burst.exclusion is not None,
        "exclusion_reason": burst.exclusion.reason if burst.exclusion else None,
    }


def exclusion_entry(exclusion: BurstExclusion, keys: dict[tuple[str, int], str]) -> dict:
    return {
        "kind": exclusion.kind,
        "subject": exclusion.subject,
        "key": keys.get((exclusion.kind, exclusion.subject), ""),
        "label": exclusion.subject_label,
        "starts_at": _moment(exclusion.starts_at),
        "ends_at": _moment(exclusion.ends_at),
        "arrivals": exclusion.arrivals,
        "from_new_participants": exclusion.from_new_participants,
        "reason": exclusion.reason,
        "excluded_at": _moment(exclusion.created_at),
    }


def time_range(consultation: Consultation) -> dict:
    """The first and last day anything was received (local days, as the rows keep them)."""
    days = []
    for model, filter_by in (
        (Endorsement, {"remedy__consultation": consultation}),
        (Concern, {"consultation": consultation}),
    ):
        bounds = model.objects.filter(**filter_by).aggregate(first=Min("created_at"), last=Max("created_at"))
        days += [timezone.localdate(value) for value in bounds.values() if value is not None]
    return {
        "first_day": min(days).isoformat() if days else None,
        "last_day": max(days).isoformat() if days else None,
    }


def tally_figures(consultation: Consultation) -> dict[str, list[dict]]:
    """Every table of the tally export, each row with its count and verified count (labels in English).

    Counted from the raw rows, not their roll-ups (results.rolled_up): a certificate vouches for the rows.
    """
    with translation.override("en"):
        tables = tally_tables(consultation, TallyFilters(from_rows=True))
    return {
        table.name: [
            {
                "key": key,
                "label": str(label),
                "group_key": group_key,
                "group": str(group),
                "count": count,
                "verified": verified,
            }
            for (key, label, group_key, group, count), verified in zip(table.rows, table.verified or [], strict=True)
        ]
        for table in tables
    }


def recounted_figures(consultation: Consultation) -> dict:
    """What a certificate states about the database, counted now (everything but the moment and the digest)."""
    keys = _subject_keys(consultation)
    with translation.override("en"):
        bursts = unusual_bursts(consultation)
    chain = check_chain()
    exclusions = BurstExclusion.objects.filter(consultation=consultation).order_by("starts_at", "kind", "subject", "pk")
    return {
        "consultation": {"slug": consultation.slug, "title": consultation.title, "status": consultation.status},
        "time_range": time_range(consultation),
        "tallies": tally_figures(consultation),
        "ledger": {"concerns": concern_ledger(consultation), "endorsements": endorsement_ledger(consultation)},
        "excluded_bursts": [exclusion_entry(exclusion, keys) for exclusion in exclusions],
        "bursts": [burst_entry(burst, keys) for burst in bursts],
        "audit_log": {
            "events": chain.events,
            "last_event": chain.head_id,
            "last_hash": chain.head_hash,
            "intact": chain.first_broken is None,
            "first_broken_link": chain.first_broken.describe() if chain.first_broken else None,
        },
    }


def build_document(consultation: Consultation, *, certified_at: datetime | None = None) -> dict:
    """The complete certificate of `consultation` as it stands now, digest included. Read-only."""
    certified_at = certified_at or timezone.now()
    document = {"format": FORMAT, "code_version": code_version(), **recounted_figures(consultation)}
    document["time_range"]["certified_at"] = _moment(certified_at)
    document["digest"] = {"algorithm": "sha256", "value": digest_of(document)}
    return document
