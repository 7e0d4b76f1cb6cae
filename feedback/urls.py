from django.urls import path

from .briefing import views as briefing
from .pages import views as pages
from .participation import endorsement_views as endorsing
from .participation import views as participation
from .results import views as results

urlpatterns = [
    path("", briefing.home, name="home"),
    path("privacy/", pages.privacy, name="privacy"),
    path("about/", pages.about, name="about"),
    path("forget-device/", endorsing.forget_device, name="forget_device"),
    path("c/<slug:slug>/", briefing.consultation_detail, name="consultation"),
    # Residents taking part (README, "Taking part").
    path("c/<slug:slug>/concerns/", participation.concern_list, name="concerns"),
    path("c/<slug:slug>/concerns/new/", participation.concern_new, name="concern_new"),
    path("c/<slug:slug>/concerns/sent/", participation.concern_sent, name="concern_sent"),
    # Under the confirmation page's address, so the receipt hand-over cookie reaches them (participation.receipts).
    path("c/<slug:slug>/concerns/sent/hide/", participation.concern_sent_hide, name="concern_sent_hide"),
    path("c/<slug:slug>/concerns/sent/receipt.png", participation.concern_receipt_image, name="concern_receipt_image"),
    path("c/<slug:slug>/concerns/status/", participation.concern_status, name="concern_status"),
    path("c/<slug:slug>/concerns/withdraw/", participation.concern_withdraw, name="concern_withdraw"),
    path("c/<slug:slug>/concerns/<slug:reference>/report/", participation.concern_report, name="concern_report"),
    path("c/<slug:slug>/remedies/", endorsing.remedy_list, name="remedies"),
    path("c/<slug:slug>/remedies/about-you/", endorsing.remedy_about_you, name="remedy_about_you"),
    path("c/<slug:slug>/code/", endorsing.participation_code, name="participation_code"),
    path("c/<slug:slug>/remedies/<int:pk>/endorse/", endorsing.remedy_endorse, name="remedy_endorse"),
    path("c/<slug:slug>/remedies/<int:pk>/withdraw/", endorsing.remedy_withdraw, name="remedy_withdraw"),
    path("c/<slug:slug>/results/", results.results, name="results"),
    path("c/<slug:slug>/print/", participation.print_form, name="print_form"),
]
