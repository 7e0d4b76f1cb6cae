"""The Redis broker transport (kombu's), with one repair so a Redis outage cannot kill the worker.

Celery 5.7.0's consumer, on losing the broker, first `collect()`s the connection (which detaches the transport from
its kombu Connection) and then `close()`s it. When the default channel was waiting in BRPOP, its first close stops
at the failed read and stays half-closed; the second close then restores the unacknowledged messages (every delayed
task the worker holds: an ETA or countdown message stays unacknowledged until it runs) through a transport that no
longer has a connection, and kombu raises AttributeError ("'NoneType' object has no attribute 'hostname'"), which no
teardown path expects: "Unrecoverable error", and the worker exits.

Here a channel whose transport was detached reports a broker connection error instead, the kind every teardown path
already tolerates; the messages it could not restore stay in Redis's unacknowledged set, from which Redis puts them
back in the queue after the visibility timeout.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection was closed while Redis was unreachable")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
