"""Faults: the database goes away and comes back; Redis is down.

The database outage is real but private to the test: gunicorn (production config) reaches PostgreSQL through a small
TCP proxy that the test cuts and restores, so the shared PostgreSQL server is never stopped. While the proxy is cut,
every connection the app holds breaks and every new one is refused, exactly as during a database restart.
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings

from feedback.models import Concern, Endorsement, Report
from tests.availability import require_postgresql
from tests.celery_broker import CLOSED_PORT_BROKER, celery_broker
from tests.factories import ConcernFactory, concern_form_data
from tests.gunicorn_process import gunicorn, production_environment

pytestmark = pytest.mark.integration


# The 503 page ------------------------------------------------------------------------------------------------------


@pytest.fixture
def unreachable_database(monkeypatch):
    """Every query from the views' selectors fails as if PostgreSQL had gone away."""

    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    for name in ["briefing_for", "consultation_by_slug", "default_consultation"]:
        monkeypatch.setattr(f"feedback.briefing.selectors.{name}", refused)


def test_a_database_outage_shows_the_friendly_503_page_with_retry_after(client, db, unreachable_database):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "Traceback" not in page and "OperationalError" not in page and "5432" not in page


def test_the_503_page_is_in_spanish_on_spanish_pages(client, db, unreachable_database):
    response = client.get("/es/")
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="es">' in page and "Volvemos enseguida" in page


def test_a_database_outage_outside_a_view_gets_the_503_page_too(client, django_user_model, monkeypatch):
    """Saving a staff session happens after the view, in middleware; a lost connection there is a 503, not a 500."""
    from django.contrib.sessions.backends.db import SessionStore

    from civictrust.middleware import SESSION_SEEN_KEY

    client.force_login(django_user_model.objects.create_user("alice", is_staff=True))
    session = client.session
    session[SESSION_SEEN_KEY] -= 120  # so this request records the staff member's activity in the session
    session.save()

    def refused(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "save", refused)
    client.raise_request_exception = False
    response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.content.decode()


def test_a_programming_error_is_still_a_500_not_a_503(rf):
    from civictrust.middleware import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


# PostgreSQL goes away and comes back -------------------------------------------------------------------------------


class CuttableProxy:
    """A TCP relay from a free 127.0.0.1 port to `target` that can cut every connection and refuse new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.open_sockets: list[socket.socket] = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.open_sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for sock in self.open_sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.open_sockets.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def app_behind_a_cuttable_database(transactional_db, static_root, tmp_path):
    """gunicorn on the test database, reached through a CuttableProxy; yields (server, proxy)."""
    require_postgresql("the database outage test")
    call_command("load_briefing", stdout=io.StringIO())
    database = connection.settings_dict
    host = database["HOST"] if database["HOST"] and not database["HOST"].startswith("/") else "127.0.0.1"
    proxy = CuttableProxy((host, int(database["PORT"] or 5432)))
    user = database["USER"] or os.environ.get("USER") or "root"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    environment = production_environment(
        STATIC_ROOT=str(static_root),
        DATABASE_URL=f"postgres://{user}{password}@127.0.0.1:{proxy.port}/{database['NAME']}",
        DATABASE_CONN_MAX_AGE="600",
        RATELIMIT_ENABLE="false",
    )
    try:
        with gunicorn(environment, tmp_path) as server:
            yield server, proxy
    finally:
        proxy.close()


def fresh_form(browser, path: str) -> dict[str, str]:
    html = browser.get(path).body
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_during_a_database_outage_requests_get_503_and_afterwards_the_app_recovers_without_restart(
    app_behind_a_cuttable_database,
):
    server, proxy = app_behind_a_cuttable_database
    browser = server.browser()
    assert browser.get("/").status == 200  # the worker now holds a persistent connection
    form = fresh_form(browser, "/c/chicago/concerns/new/")

    proxy.cut()
    outage = [browser.get(path) for path in ["/", "/es/", "/c/chicago/results/", "/c/chicago/concerns/"]]
    sent = browser.post("/c/chicago/concerns/new/", {**concern_form_data(), **form})
    for response in [*outage, sent]:
        assert response.status == 503
        assert response.headers["Retry-After"] == "30"
        assert "Back in a moment" in response.body or "Volvemos enseguida" in response.body
        assert "Traceback" not in response.body and "OperationalError" not in response.body

    proxy.restore()
    assert browser.get("/").status == 200  # the very next request, same gunicorn process
    assert Concern.objects.count() == 0  # the concern sent during the outage was not half-saved
    form = fresh_form(browser, "/c/chicago/concerns/new/")
    assert browser.post("/c/chicago/concerns/new/", {**concern_form_data(), **form}).status == 302
    assert Concern.objects.count() == 1
    assert server.process.poll() is None
    assert "Database unavailable, answered 503" in server.logs()


def test_requests_arriving_while_the_database_restarts_get_200_or_503_never_500(app_behind_a_cuttable_database):
    server, proxy = app_behind_a_cuttable_database
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def resident() -> None:
        browser = server.browser()
        while not stop.is_set():
            # The concerns list reads the database on every request (the results page may come from the cache).
            statuses[browser.get("/c/chicago/concerns/").status] += 1

    residents = [threading.Thread(target=resident) for _ in range(4)]
    for thread in residents:
        thread.start()

    def wait_for_more(status: int, than: int) -> None:
        deadline = time.monotonic() + 30  # a busy machine answers slowly; an idle one within a second
        while statuses[status] <= than and time.monotonic() < deadline:
            time.sleep(0.1)

    try:
        # Each outage lasts until requests have landed in it, and each recovery until one was answered again.
        for _restart in range(3):
            wait_for_more(200, statuses[200])
            proxy.cut()
            wait_for_more(503, statuses[503])
            proxy.restore()
        wait_for_more(200, statuses[200])
    finally:
        stop.set()
        for thread in residents:
            thread.join(timeout=30)

    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0 and statuses[200] > 0
    assert server.browser().get("/c/chicago/concerns/").status == 200


# Redis is down -------------------------------------------------------------------------------------------------------

REDIS_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/13"}
}


def read_receipt_code(client, response) -> str:
    """The receipt code shown after sending: on the confirmation page, or (cache down: no hand-over) in the answer."""
    page = (client.get(response["Location"]) if response.status_code == 302 else response).content.decode()
    return re.search(r'id="receipt-code"><code>([A-Z2-9-]+)</code>', page).group(1)


def test_with_redis_down_residents_still_read_send_endorse_report_and_withdraw(client, briefing, settings):
    settings.CONCERN_MIN_FILL_SECONDS = 0
    published = ConcernFactory(consultation=briefing, text="A published concern to report")
    remedy = briefing.remedies.first()
    with override_settings(CACHES=REDIS_DOWN), celery_broker(CLOSED_PORT_BROKER):
        for path in ["/", "/es/", "/privacy/", "/c/chicago/concerns/", "/c/chicago/remedies/", "/c/chicago/results/"]:
            assert client.get(path).status_code == 200, path

        sent = client.post("/c/chicago/concerns/new/", concern_form_data())
        assert sent.status_code == 200  # the receipt code cannot be handed over through the cache: shown at once
        code = read_receipt_code(client, sent)
        assert client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/").status_code == 302
        assert client.post(f"/c/chicago/concerns/{published.public_reference}/report/").status_code == 302

        new = Concern.objects.get(status=Concern.Status.PENDING)
        assert new.moderators_notified_at is None  # the notice waits in the database for the periodic sweep
        assert Endorsement.objects.filter(remedy=remedy).count() == 1
        assert Report.objects.filter(concern=published).count() == 1

        assert client.post("/c/chicago/concerns/withdraw/", {"receipt_code": code}).status_code in (200, 302)
        assert not Concern.objects.filter(pk=new.pk).exists()


def test_with_redis_down_staff_still_sign_in_and_stay_signed_in(client, db, django_user_model):
    django_user_model.objects.create_user("alice", password="a long and good staff password", is_staff=True)
    with override_settings(CACHES=REDIS_DOWN):
        signed_in = client.post("/admin/login/", {"username": "alice", "password": "a long and good staff password"})
        assert signed_in.status_code == 302
        assert client.get("/admin/").status_code == 200
