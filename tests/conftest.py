from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    """Test clients and the live server speak plain HTTP, so no redirect to HTTPS; production redirects
    (tests/test_deploy_settings.py proves it). Session-wide, because the live server builds its middleware once."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Public figures counted on every request; the tests of batched publication set a period themselves.
    settings.RESULTS_PUBLISH_SECONDS = 0


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request to /pl/… leaves Polish active in the thread after it (LocaleMiddleware activates a language per
    request and never deactivates it), and the next test would read its labels in Polish."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def briefing(db):
    """The Chicago consultation as `make run` loads it."""
    from feedback.models import Consultation

    call_command("load_briefing", stdout=io.StringIO())
    return Consultation.objects.get(slug="chicago")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no rate-limit counts or cached results from another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def advocate(db):
    """A staff account in the Advocates group (moderates concerns)."""
    from tests.factories import StaffFactory

    return StaffFactory(username="alice", role="advocate")


@pytest.fixture
def organizer(db):
    """A staff account in the Organizers group (reads results, exports)."""
    from tests.factories import StaffFactory

    return StaffFactory(username="olivia", role="organizer")


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "unused-password-123")


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once per run, as the Docker image does, for tests that run gunicorn with DEBUG off."""
    from tests.gunicorn_process import manage, production_environment

    root = tmp_path_factory.mktemp("static")
    manage(production_environment(STATIC_ROOT=str(root)), "collectstatic", "--no-input", "-v0")
    return root


@pytest.fixture
def postgresql():
    """The test needs PostgreSQL: skipped on SQLite locally, failed on SQLite in CI (tests/availability.py)."""
    from tests.availability import require_postgresql

    require_postgresql("this test")


@pytest.fixture(autouse=True)
def _off_request_work_runs_inline(request, monkeypatch):
    """With no broker, the moderators' email is sent from a thread of its own (feedback/queue.py). A test's
    transaction is invisible to another thread's connection, so here that work runs inline, after the commit as
    in production; tests that ask for `off_request_threads` (and commit for real) get the real thread."""
    if "off_request_threads" not in request.fixturenames:
        monkeypatch.setattr("feedback.queue.run_off_request", lambda work: work())


@pytest.fixture
def off_request_threads(transactional_db):
    """Real off-request threads (see above); yields a function that waits for them to finish."""
    import threading

    from feedback.queue import OFF_REQUEST_THREAD

    def wait(timeout: float = 30) -> None:
        for thread in threading.enumerate():
            if thread.name == OFF_REQUEST_THREAD:
                thread.join(timeout)
                assert not thread.is_alive(), "work off the request did not finish"

    yield wait
    wait()
