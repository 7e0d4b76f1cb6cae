"""gunicorn's logger, minus what would say who a resident is or what they did (civictrust/gunicorn_conf.py uses it).

gunicorn writes the connecting address into its error log for every malformed request ("Invalid request from
ip=…: <the request line>") and the request's path with a failed request ("Error handling request /c/…/endorse/").
Both lines keep what happened and drop the address and the request's content.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

INVALID_REQUEST = "Invalid request refused; its address and content are not logged."
FAILED_REQUEST = "Error handling request (its path is not logged)"


class PrivateLogger(Logger):
    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith("Invalid request from ip="):
            msg, args = INVALID_REQUEST, ()
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            msg, args = FAILED_REQUEST, ()
        super().exception(msg, *args, **kwargs)
