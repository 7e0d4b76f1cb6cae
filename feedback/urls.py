from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("c/<slug:slug>/", views.consultation_detail, name="consultation"),
    # Residents taking part (README, "Taking part").
    path("c/<slug:slug>/concerns/", views.concern_list, name="concerns"),
    path("c/<slug:slug>/concerns/new/", views.concern_new, name="concern_new"),
    path("c/<slug:slug>/concerns/sent/", views.concern_sent, name="concern_sent"),
    path("c/<slug:slug>/concerns/withdraw/", views.concern_withdraw, name="concern_withdraw"),
    path("c/<slug:slug>/concerns/<int:pk>/report/", views.concern_report, name="concern_report"),
    path("c/<slug:slug>/remedies/", views.remedy_list, name="remedies"),
    path("c/<slug:slug>/remedies/about-you/", views.remedy_about_you, name="remedy_about_you"),
    path("c/<slug:slug>/remedies/<int:pk>/endorse/", views.remedy_endorse, name="remedy_endorse"),
    path("c/<slug:slug>/remedies/<int:pk>/withdraw/", views.remedy_withdraw, name="remedy_withdraw"),
    path("c/<slug:slug>/results/", views.results, name="results"),
    path("c/<slug:slug>/print/", views.print_form, name="print_form"),
]
