"""The ledger: where every concern received and every endorsement made went, counted by the database.

Concerns, per source (web, paper, phone, meeting):
    received = pending + published + rejected + spam + withdrawn by their author + purged
`received` is the count the submit service keeps (ConcernIntake); the parts are counted from the rows
(a purged concern, its never-published text cleared at the consultation's end, counts only as purged)
and from the audit log (a withdrawn concern's row is gone; its event remains). Endorsements, per remedy:
    made − withdrawn = counted
`made` and `withdrawn` are the counters the endorse and withdraw services keep; `counted` is the rows.
A row removed by any other means (SQL, a superuser's delete) leaves the ledger unbalanced, by that much.
"""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from ..models import BurstExclusion, Concern, ConcernIntake, Consultation, Endorsement, ModerationEvent
from ..models.bursts import ArrivalKind
from ..participation.services import WITHDRAWN_BY_AUTHOR

CONCERN_PARTS = ("pending", "published", "rejected", "spam", "withdrawn", "purged")
STATUS_PARTS = {
    Concern.Status.PENDING: "pending",
    Concern.Status.APPROVED: "published",
    Concern.Status.REJECTED: "rejected",
    Concern.Status.SPAM: "spam",
}


def concern_ledger(consultation: Consultation) -> dict:
    """{"by_source": {source: {received, pending, …, purged, unaccounted}}, "total": {…}, "balanced": bool}.

    Four queries. Web concerns in excluded bursts are listed apart (`excluded_in_bursts`); they stay counted.
    """
    sources = {source: dict.fromkeys(("received", *CONCERN_PARTS), 0) for source in Concern.Source.values}
    for source, received in ConcernIntake.objects.filter(consultation=consultation).values_list("source", "received"):
        sources.setdefault(source, dict.fromkeys(("received", *CONCERN_PARTS), 0))["received"] += received
    purged = ExpressionWrapper(Q(purged_on__isnull=False), output_field=BooleanField())
    rows = (
        Concern.objects.filter(consultation=consultation)
        .annotate(purged=purged)
        .order_by()
        .values_list("source", "status", "purged")
        .annotate(n=Count("pk"))
    )
    for source, status, is_purged, n in rows:
        part = "purged" if is_purged else STATUS_PARTS[status]
        sources.setdefault(source, dict.fromkeys(("received", *CONCERN_PARTS), 0))[part] += n
    withdrawn = (
        ModerationEvent.objects.filter(consultation_number=consultation.pk, reason=WITHDRAWN_BY_AUTHOR)
        .order_by()
        .values_list("concern_source")
        .annotate(n=Count("pk"))
    )
    for source, n in withdrawn:
        sources.setdefault(source, dict.fromkeys(("received", *CONCERN_PARTS), 0))["withdrawn"] += n
    for figures in sources.values():
        figures["unaccounted"] = figures["received"] - sum(figures[part] for part in CONCERN_PARTS)
    total = {name: sum(figures[name] for figures in sources.values()) for name in ("received", *CONCERN_PARTS)}
    total["unaccounted"] = total["received"] - sum(total[part] for part in CONCERN_PARTS)
    excluded = sum(
        BurstExclusion.objects.filter(consultation=consultation, kind=ArrivalKind.CONCERN).values_list(
            "arrivals", flat=True
        )
    )
    return {
        "by_source": sources,
        "total": total,
        "excluded_in_bursts": excluded,
        "balanced": all(figures["unaccounted"] == 0 for figures in sources.values()),
    }


def endorsement_ledger(consultation: Consultation) -> dict:
    """{"by_remedy": {key: {made, withdrawn, counted, unaccounted, excluded_in_bursts, counted_without_excluded}},
    "total": {…}, "balanced": bool}; three queries. Every remedy of the consultation, published or not."""
    remedies = list(
        consultation.remedies.order_by("order", "pk").values_list(
            "pk", "key", "endorsements_made", "endorsements_withdrawn"
        )
    )
    counted = dict(
        Endorsement.objects.filter(remedy__consultation=consultation)
        .order_by()
        .values_list("remedy")
        .annotate(n=Count("pk"))
    )
    excluded: dict[int, int] = {}
    for subject, arrivals in BurstExclusion.objects.filter(
        consultation=consultation, kind=ArrivalKind.ENDORSEMENT
    ).values_list("subject", "arrivals"):
        excluded[subject] = excluded.get(subject, 0) + arrivals
    by_remedy = {}
    for pk, key, made, withdrawn in remedies:
        n = counted.get(pk, 0)
        by_remedy[key] = {
            "made": made,
            "withdrawn": withdrawn,
            "counted": n,
            "unaccounted": made - withdrawn - n,
            "excluded_in_bursts": excluded.get(pk, 0),
            "counted_without_excluded": max(n - excluded.get(pk, 0), 0),
        }
    names = ("made", "withdrawn", "counted", "unaccounted", "excluded_in_bursts", "counted_without_excluded")
    total = {name: sum(figures[name] for figures in by_remedy.values()) for name in names}
    return {"by_remedy": by_remedy, "total": total, "balanced": all(f["unaccounted"] == 0 for f in by_remedy.values())}
