"""civictrust/broker.py: a Redis channel whose transport was detached reports a broker connection error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kombu.transport.redis import get_redis_error_classes
from redis.exceptions import ConnectionError as RedisConnectionError

from civictrust.broker import Channel


def test_a_channel_whose_transport_was_detached_reports_a_connection_error_not_an_attribute_error():
    """As Celery 5.7.0's consumer leaves it on losing Redis: collect() detached the transport, close() restores."""
    detached = SimpleNamespace(connection=SimpleNamespace(client=None))
    with pytest.raises(RedisConnectionError):
        Channel._connparams(detached)
    # ... which every teardown path tolerates (kombu's ignore_errors, Connection.maybe_close_channel).
    connection_errors, _channel_errors = get_redis_error_classes()
    assert issubclass(RedisConnectionError, connection_errors)
