"""Public pages where residents share concerns: the form, receipts, status, withdrawal, reports, the paper form.

Endorsing remedies has its own module, participation.endorsement_views.

Each view parses the request, calls one service or selector and renders. Every public POST is
rate-limited per client (participation.ratelimits) and answered with a redirect (POST/redirect/GET).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..briefing.selectors import consultation_by_slug, published_topics
from ..models import Concern, Role
from . import receipts, selectors, services
from .forms import ConcernForm, ReceiptForm, StatusCheckForm
from .navigation import back_to
from .participants import known_participant, participant_for, remember
from .ratelimits import limit_posts, over_limit, too_many_requests
from .receipt_card import receipt_png

CONCERNS_PER_PAGE = 20
NO_MATCHING_RECEIPT = gettext_lazy(
    "No concern matches this code. Check each character and try again; "
    "a concern that was already deleted cannot be found."
)


def _request_language() -> str:
    return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)


# The words as written (and the email) never reach an error report; the page that shows them again is never cached.
@sensitive_post_parameters("text", "contact_email")
@never_cache
@limit_posts("concerns")
def concern_new(request, slug: str):
    consultation = consultation_by_slug(slug)
    accepting = consultation.is_accepting_responses()
    language = _request_language()
    form = ConcernForm(request.POST or None, consultation=consultation, language=language)
    status = 200
    confirming = False
    if request.method == "POST":
        if not accepting:
            status = 403
        elif form.is_valid() and form.needs_confirmation:
            form.ask_for_confirmation()
            confirming = True
        elif form.is_valid():
            data = form.cleaned_data
            code = data["participation_code"]
            if code and over_limit(request, "codes"):
                return too_many_requests(request)
            # A code makes the sender a (verified) participant; without one, the cookie if they have it.
            participant = participant_for(request) if code else known_participant(request)
            try:
                submitted = services.submit_concern(
                    consultation=consultation,
                    text=data["text"],
                    topic=data["topic"],
                    role=data["role"],
                    community_area=data["community_area"],
                    contact_email=data["contact_email"],
                    contact_consent=data["contact_consent"],
                    language=language,
                    participant=participant,
                    participation_code=code,
                )
            except services.ConsultationClosed:
                accepting, status = False, 403
            except ValidationError as error:
                form.add_error(None, error)
            else:
                response = _show_receipt(request, consultation, submitted.receipt_code)
                return remember(response, request, participant) if code else response
    return render(
        request,
        "feedback/concern_form.html",
        {"consultation": consultation, "form": form, "accepting": accepting, "confirming": confirming},
        status=status,
    )


def _show_receipt(request, consultation, receipt_code: str):
    """Redirect to the confirmation page, which shows the code for RECEIPT_DISPLAY_MINUTES (receipts.hand_over).

    The code is never in a URL, so never in a log. Should the cache be down, the confirmation is the answer
    to the POST itself: the code is shown once, as before the hand-over existed.
    """
    response = redirect("concern_sent", consultation.slug)
    if receipts.hand_over(response, request, consultation=consultation, receipt_code=receipt_code):
        return response
    return _render_sent(request, consultation, receipt_code)


def _render_sent(request, consultation, receipt_code: str):
    response = render(
        request,
        "feedback/concern_sent.html",
        {
            "consultation": consultation,
            "receipt_code": receipt_code,
            "display_minutes": settings.RECEIPT_DISPLAY_MINUTES,
            "status_address": request.build_absolute_uri(reverse("concern_status", args=[consultation.slug])),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def concern_sent(request, slug: str):
    """The confirmation page: the receipt code for as long as it was handed over, in any language, after Back."""
    consultation = consultation_by_slug(slug)
    return _render_sent(request, consultation, receipts.receipt_code_from(request))


@require_POST
def concern_sent_hide(request, slug: str):
    """ "Hide the code now": the handed-over code becomes unreadable on this phone at once."""
    consultation = consultation_by_slug(slug)
    response = redirect("concern_sent", consultation.slug)
    receipts.forget(response, request, consultation=consultation)
    return response


@never_cache
def concern_receipt_image(request, slug: str):
    """The handed-over receipt code as a PNG to save ("save as image"); not found once the code is gone."""
    consultation = consultation_by_slug(slug)
    receipt_code = receipts.receipt_code_from(request)
    if not receipt_code:
        raise Http404("No receipt code to show.")
    status_url = request.build_absolute_uri(reverse("concern_status", args=[consultation.slug]))
    address = status_url.split("://", 1)[-1]
    response = HttpResponse(receipt_png(receipt_code=receipt_code, address=address), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="civictrust-receipt.png"'
    response["Cache-Control"] = "no-store"
    return response


@limit_posts("receipts")
def concern_status(request, slug: str):
    """Check a concern's status with its receipt code: received, published, or not published and why.

    Answered to the POST itself (the code must not go into a redirect's URL); reading changes nothing.
    """
    consultation = consultation_by_slug(slug)
    form = StatusCheckForm(request.POST or None)
    status = None
    if request.method == "POST" and form.is_valid():
        status = selectors.concern_status(consultation=consultation, receipt_code=form.cleaned_data["receipt_code"])
        if status is None:
            form.add_error("receipt_code", NO_MATCHING_RECEIPT)
    response = render(
        request, "feedback/concern_status.html", {"consultation": consultation, "form": form, "status": status}
    )
    response["Cache-Control"] = "no-store"
    return response


@limit_posts("receipts")
def concern_withdraw(request, slug: str):
    consultation = consultation_by_slug(slug)
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.withdraw_concern_with_receipt(
            consultation=consultation, receipt_code=form.cleaned_data["receipt_code"]
        ):
            messages.success(request, _("Your concern has been deleted. Thank you for taking part."))
            return redirect("concern_withdraw", consultation.slug)
        form.add_error("receipt_code", NO_MATCHING_RECEIPT)
    return render(request, "feedback/concern_withdraw.html", {"consultation": consultation, "form": form})


def concern_list(request, slug: str):
    consultation = consultation_by_slug(slug)
    topics = list(published_topics(consultation))
    topic_key = request.GET.get("topic", "")
    if topic_key not in {topic.key for topic in topics} | {selectors.OTHER_TOPIC_KEY}:
        topic_key = ""
    page = Paginator(selectors.approved_concerns(consultation, topic_key=topic_key), CONCERNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    participant = known_participant(request)
    reported = selectors.reported_concern_ids(participant.id, [c.pk for c in page]) if participant and page else set()
    return render(
        request,
        "feedback/concern_list.html",
        {
            "consultation": consultation,
            "topics": topics,
            "topic_key": topic_key,
            "other_topic_key": selectors.OTHER_TOPIC_KEY,
            "page": page,
            "reported": reported,
        },
    )


@require_POST
@limit_posts("reports")
def concern_report(request, slug: str, reference: str):
    consultation = consultation_by_slug(slug)
    concern = get_object_or_404(
        Concern, public_reference=reference, consultation=consultation, status=Concern.Status.APPROVED
    )
    participant = participant_for(request)
    if services.report_concern(concern=concern, participant=participant.id):
        messages.success(request, _("Thank you. The moderators will look at this concern again."))
    else:
        messages.info(request, _("You have already reported this concern. The moderators will look at it."))
    back = back_to(request, reverse("concerns", args=[consultation.slug]))
    response = redirect(f"{back}#concern-{concern.public_reference}")
    return remember(response, request, participant)


def print_form(request, slug: str):
    consultation = consultation_by_slug(slug)
    return render(
        request,
        "feedback/print_form.html",
        {
            "consultation": consultation,
            "topics": published_topics(consultation),
            "roles": Role.choices,
        },
    )
