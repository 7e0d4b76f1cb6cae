import pytest
from django.test import RequestFactory

from feedback.pages import errors


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_error_pages_render_even_when_the_static_manifest_is_missing(settings, template):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    from django.template.loader import render_to_string

    page = render_to_string(template, request=RequestFactory().get("/"))
    assert 'href="/static/css/civictrust.css"' in page


def test_the_server_error_page_says_sorry_without_a_stack_trace(rf):
    response = errors.server_error(rf.get("/c/chicago/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
