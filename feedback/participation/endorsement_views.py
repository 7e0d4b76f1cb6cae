"""Public pages where residents endorse remedies: the list, endorsing and withdrawing, "about you", participation
codes and forgetting this device.

Like participation.views: each view parses the request, calls one service or selector and redirects (POST/redirect/GET);
every POST is rate-limited per client (participation.ratelimits).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..briefing.selectors import consultation_by_slug, published_remedies
from ..verification.selectors import REFUSALS, Redemption, is_verified
from ..verification.services import redeem_code
from . import selectors, services
from .forms import AboutYouForm, ParticipationCodeForm
from .navigation import back_to
from .participants import AboutYou, about, forget, forget_details, known_participant, participant_for, remember
from .ratelimits import limit_posts


def remedy_list(request, slug: str):
    consultation = consultation_by_slug(slug)
    participant = known_participant(request)
    endorsed = selectors.endorsed_remedy_ids(consultation, participant.id) if participant else set()
    details = about(participant)
    about_you = AboutYouForm(initial={"role": details.role, "community_area": details.community_area})
    return render(
        request,
        "feedback/remedy_list.html",
        {
            "consultation": consultation,
            "remedies": selectors.remedies_with_published_counts(consultation),
            "publish_seconds": settings.RESULTS_PUBLISH_SECONDS,
            "endorsed": endorsed,
            "about_you": about_you,
            "code_form": ParticipationCodeForm(),
            "verified": bool(participant) and is_verified(consultation.pk, participant.id),
            "accepting": consultation.is_accepting_responses(),
            "min_cell": settings.RESULTS_MIN_CELL,
            "remembered": participant is not None,
        },
    )


@limit_posts("codes")
def participation_code(request, slug: str):
    """Type a participation code once: the participant (made now if need be) becomes verified.

    Also the address the slips' QR code points at. Guessing is limited per client (RATELIMIT_CODES).
    """
    consultation = consultation_by_slug(slug)
    form = ParticipationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        participant = participant_for(request)
        outcome = redeem_code(consultation=consultation, code=form.cleaned_data["code"], participant=participant.id)
        if outcome not in REFUSALS:
            if outcome == Redemption.ALREADY_VERIFIED:
                messages.info(
                    request, _("You are verified already; the code was not used, so it can go to someone else.")
                )
            else:
                messages.success(
                    request,
                    _("Thank you: you are verified. Your endorsements and concerns now also count as verified."),
                )
            target = back_to(request, reverse("remedies", args=[consultation.slug]))
            return remember(redirect(target), request, participant)
        form.add_error("code", REFUSALS[outcome])
    return render(
        request,
        "feedback/participation_code.html",
        {"consultation": consultation, "form": form},
    )


def _published_remedy(consultation, pk: int):
    remedy = get_object_or_404(published_remedies(consultation), pk=pk)
    remedy.consultation = consultation  # already loaded; spares the service a query
    return remedy


def _back_to_remedy(remedy) -> str:
    return reverse("remedies", args=[remedy.consultation.slug]) + f"#remedy-{remedy.key}"


@require_POST
@limit_posts("endorsements")
def remedy_endorse(request, slug: str, pk: int):
    consultation = consultation_by_slug(slug)
    remedy = _published_remedy(consultation, pk)
    participant = participant_for(request)
    details = about(participant)
    try:
        created = services.endorse_remedy(
            remedy=remedy,
            participant=participant.id,
            role=details.role,
            community_area=details.community_area,
        )
    except services.ConsultationClosed:
        messages.error(request, _("This consultation is closed: it no longer accepts endorsements."))
        return redirect(_back_to_remedy(remedy))
    if created:
        messages.success(request, _("You endorsed “%(remedy)s”. Thank you.") % {"remedy": remedy.title})
    else:
        messages.info(request, _("You already endorse “%(remedy)s”.") % {"remedy": remedy.title})
    return remember(redirect(_back_to_remedy(remedy)), request, participant)


@require_POST
@limit_posts("endorsements")
def remedy_withdraw(request, slug: str, pk: int):
    consultation = consultation_by_slug(slug)
    remedy = _published_remedy(consultation, pk)
    participant = known_participant(request)
    if participant and services.withdraw_endorsement(remedy=remedy, participant=participant.id):
        messages.success(request, _("You withdrew your endorsement of “%(remedy)s”.") % {"remedy": remedy.title})
    else:
        messages.info(request, _("You did not endorse “%(remedy)s”.") % {"remedy": remedy.title})
    return redirect(_back_to_remedy(remedy))


@require_POST
@limit_posts("endorsements")
def remedy_about_you(request, slug: str):
    consultation = consultation_by_slug(slug)
    form = AboutYouForm(request.POST)
    remedies_url = reverse("remedies", args=[consultation.slug]) + "#about-you"
    if not form.is_valid():
        messages.error(request, _("Those details were not understood; nothing was changed."))
        return redirect(remedies_url)
    participant = participant_for(request)
    details = AboutYou(**form.cleaned_data).cleaned()
    try:
        services.describe_endorser(
            consultation=consultation,
            participant=participant.id,
            role=details.role,
            community_area=details.community_area,
        )
    except services.ConsultationClosed:
        messages.error(request, _("This consultation is closed: its results can no longer change."))
        return redirect(remedies_url)
    if details.role or details.community_area:
        messages.success(request, _("Saved. Your endorsements now count in the results by role and community area."))
    else:
        messages.success(request, _("Cleared. Your endorsements no longer carry a role or community area."))
    return remember(redirect(remedies_url), request, participant)


@require_POST
@limit_posts("endorsements")
def forget_device(request):
    """Delete the participant cookie and the details kept under it ("Forget this device"), then say what it did.

    The endorsements stay counted (they carry no name), but this browser can no longer withdraw them.
    """
    participant = known_participant(request)
    if participant is None:
        messages.info(request, _("This device was not remembered: there was nothing to forget."))
    else:
        forget_details(participant_id=participant.id)
        messages.success(
            request,
            _(
                "This device is forgotten: its cookie and the role and community area you gave are deleted. "
                "Your endorsements still count, without any link to this device, so they can no longer be "
                "withdrawn from it."
            ),
        )
    return forget(redirect(back_to(request, reverse("privacy"))))
