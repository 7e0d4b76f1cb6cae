"""Checking a certificate against the database: recount everything it states and name each difference."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import ArrivalCount, Consultation, ModerationEvent
from .document import FORMAT, digest_of, recounted_figures


class UnreadableCertificate(Exception):
    """Not a civictrust certificate, or of a consultation this database does not have. The message says which."""


@dataclass
class CertificateCheck:
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _flatten(prefix: str, value, into: dict) -> dict:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, into)
    else:
        into[prefix] = value
    return into


def _compare(prefix: str, certified, recounted, differences: list[str]) -> None:
    stated, found = _flatten(prefix, certified, {}), _flatten(prefix, recounted, {})
    for path in sorted(set(stated) | set(found)):
        if stated.get(path, "absent") != found.get(path, "absent"):
            differences.append(
                f"{path}: certificate {stated.get(path, 'absent')}, database {found.get(path, 'absent')}"
            )


def _table_rows(rows: list[dict]) -> dict[str, dict]:
    return {f"{row['key']}/{row['group_key']}" if row["group_key"] else row["key"]: row for row in rows}


def _compare_tallies(certified: dict, recounted: dict, differences: list[str]) -> None:
    for table in sorted(set(certified) | set(recounted)):
        stated, found = _table_rows(certified.get(table, [])), _table_rows(recounted.get(table, []))
        for key in sorted(set(stated) | set(found)):
            for figure in ("count", "verified"):
                before = stated[key][figure] if key in stated else 0
                now = found[key][figure] if key in found else 0
                if before != now:
                    differences.append(f"tallies.{table}[{key or '-'}].{figure}: certificate {before}, database {now}")


def _compare_bursts(consultation: Consultation, bursts: list[dict], check: CertificateCheck) -> None:
    """A burst whose minutes are still kept must still add up to the arrivals the certificate states."""
    kept_since = timezone.now() - timedelta(days=settings.BURST_WINDOW_RETENTION_DAYS)
    for burst in bursts:
        starts_at, ends_at = parse_datetime(burst["starts_at"]), parse_datetime(burst["ends_at"])
        name = f"bursts[{burst['key'] or burst['subject']} {burst['starts_at']}]"
        if starts_at is None or ends_at is None or starts_at < kept_since:
            check.notes.append(f"{name}: its minute counts are no longer kept, so it was not recounted")
            continue
        arrivals = (
            ArrivalCount.objects.filter(
                consultation=consultation,
                kind=burst["kind"],
                subject=burst["subject"],
                minute__gte=starts_at,
                minute__lt=ends_at,
            ).aggregate(n=Sum("arrivals"))["n"]
            or 0
        )
        if arrivals != burst["arrivals"]:
            check.differences.append(f"{name}.arrivals: certificate {burst['arrivals']}, database {arrivals}")


def _compare_audit_log(certified: dict, recounted: dict, check: CertificateCheck) -> None:
    if recounted["first_broken_link"]:
        check.differences.append(f"audit_log: the chain is broken at {recounted['first_broken_link']}")
    last = certified.get("last_event")
    if last is None:
        return
    kept = ModerationEvent.objects.filter(pk__lte=last)
    if kept.count() != certified["events"]:
        check.differences.append(
            f"audit_log.events: certificate {certified['events']} up to event #{last}, database {kept.count()}"
        )
    stored = kept.filter(pk=last).values_list("entry_hash", flat=True).first()
    if stored != certified["last_hash"]:
        check.differences.append(
            f"audit_log.last_hash: event #{last} is {'missing' if stored is None else 'not the one certified'}"
        )
    if recounted["events"] > certified["events"]:
        check.notes.append(f"audit_log: {recounted['events'] - certified['events']} events were written since")


def check_certificate(document: dict) -> CertificateCheck:
    """Recount what `document` states and list each figure that differs; read-only.

    Compared: the digest (was the file changed?), every tally and verified count, the whole ledger,
    the time range, the excluded bursts, each burst's arrivals while its minute counts are kept, and
    the audit log (its chain unbroken, the certified last event still there with the same hash, no
    event before it removed). Raises UnreadableCertificate for anything that is not a certificate.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UnreadableCertificate(f"This is not a civictrust certificate (its format is not {FORMAT}).")
    try:
        slug = document["consultation"]["slug"]
        stated_digest = document["digest"]["value"]
    except (KeyError, TypeError):
        raise UnreadableCertificate("The certificate has no consultation or no digest.") from None
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise UnreadableCertificate(f"This database has no consultation {slug!r}.")
    check = CertificateCheck()
    if digest_of(document) != stated_digest:
        check.differences.append("digest: the certificate file was changed after it was issued")
    try:
        recounted = recounted_figures(consultation)
        _compare_tallies(document.get("tallies", {}), recounted["tallies"], check.differences)
        _compare("ledger", document.get("ledger", {}), recounted["ledger"], check.differences)
        stated_range = {key: value for key, value in document.get("time_range", {}).items() if key != "certified_at"}
        _compare("time_range", stated_range, recounted["time_range"], check.differences)
        if document.get("excluded_bursts", []) != recounted["excluded_bursts"]:
            check.differences.append("excluded_bursts: the exclusions recorded differ from the certificate's")
        _compare_bursts(consultation, document.get("bursts", []), check)
        _compare_audit_log(document.get("audit_log", {}), recounted["audit_log"], check)
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableCertificate(f"The certificate is incomplete ({type(error).__name__}: {error}).") from None
    return check
