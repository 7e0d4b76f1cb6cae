"""gunicorn settings for civictrust: `gunicorn -c civictrust/gunicorn_conf.py civictrust.wsgi`.

The access log leaves out the client address (%(h)s) and the user agent (%(a)s) on purpose:
the privacy promise covers server logs too. Responses carry no `Server` header: gunicorn has no setting for it, so
the config (read by the master before it forks the workers) drops the line from the headers gunicorn adds.
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
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _without_server_header(default_headers):
    def headers(response):
        return [line for line in default_headers(response) if not line.lower().startswith("server:")]

    return headers


if not getattr(_gunicorn_wsgi.Response.default_headers, "civictrust_without_server", False):
    _gunicorn_wsgi.Response.default_headers = _without_server_header(_gunicorn_wsgi.Response.default_headers)
    _gunicorn_wsgi.Response.default_headers.civictrust_without_server = True
