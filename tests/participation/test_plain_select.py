"""The community-area picker is written by Python, not Django's widget templates: a resident's browser gets the
same <select> (the same options, labels, selection and attributes), escaped the same way."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from feedback.widgets import PlainSelect

CHOICES = [
    ("undisclosed", "Prefer not to say"),
    ("31~pilsen", "Pilsen (Lower West Side)"),
    ("30", 'South "Lawndale" <La Villita> & more'),
    ("Neighbourhoods", [("03~argyle", "Argyle (Uptown)"), ("77", "Edgewater")]),
]


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        ("undisclosed", {"id": "id_community_area", "aria-describedby": "id_community_area_helptext"}),
        ("30", {"class": "form-select is-invalid", "required": True, "disabled": False, "aria-invalid": "true"}),
        ("03~argyle", None),
        (None, {"data-note": "it's <quoted>"}),
    ],
)
def test_the_picker_is_the_html_django_writes(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("community_area", value, attrs=attrs)
    plain_html = PlainSelect(choices=CHOICES).render("community_area", value, attrs=attrs)
    assert parse_html(plain_html) == parse_html(django_html)
    assert "<La Villita>" not in plain_html and "&lt;La Villita&gt;" in plain_html


def test_the_concern_form_uses_it_with_the_chosen_area_selected(briefing, client):
    response = client.get("/c/chicago/concerns/new/")
    assert response.status_code == 200
    assert '<option value="undisclosed" selected>' in response.content.decode()
