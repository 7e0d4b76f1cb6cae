"""gunicorn settings for civictrust: `gunicorn -c civictrust/gunicorn_conf.py civictrust.wsgi`.

The access log is off unless GUNICORN_ACCESS_LOG names a file (or `-`): a line per request, at the moment of the
request, is exactly what would let someone match a resident's visit to what they did. When it is on, a line holds
the method, the status, the size and the duration only: no client address (%(h)s), no time (%(t)s; whatever
collects the log adds its own), no path or query (%(r)s, %(U)s, %(q)s: `/c/chicago/remedies/3/endorse/` or `/es/`
would name what a resident did and in which language), no referrer, no user agent. The error log goes through
civictrust.gunicorn_logging.PrivateLogger, which drops the address and the request from gunicorn's own lines.
Responses carry no `Server` header: gunicorn has no setting for it, so the config (read by the master before
it forks the workers) drops the line from the headers gunicorn adds.
"""

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 50 if max_requests else 0
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = "%(m)s %(s)s %(B)s %(M)sms"
errorlog = "-"
loglevel = "info"
logger_class = "civictrust.gunicorn_logging.PrivateLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _without_server_header(default_headers):
    def headers(response):
        return [line for line in default_headers(response) if not line.lower().startswith("server:")]

    return headers


if not getattr(_gunicorn_wsgi.Response.default_headers, "civictrust_without_server", False):
    _gunicorn_wsgi.Response.default_headers = _without_server_header(_gunicorn_wsgi.Response.default_headers)
    _gunicorn_wsgi.Response.default_headers.civictrust_without_server = True


def pre_request(worker, req):
    """gunicorn's default logs every request's method and path (at debug level); this one logs nothing."""
