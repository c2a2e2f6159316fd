"""Liveness of the parts `make run` and compose start: database, cache, broker, worker heartbeat."""

import time
from typing import Any

from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_STALE_AFTER_SECONDS = 180


def health_heartbeat_record(*, now: float | None = None) -> None:
    cache.set(HEARTBEAT_KEY, now if now is not None else time.time(), timeout=None)


def health_status(*, now: float | None = None) -> dict[str, Any]:
    now = now if now is not None else time.time()
    status: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as error:  # any failure here is the answer, not a crash
        status["database"] = f"error: {error.__class__.__name__}"
    heartbeat = cache.get(HEARTBEAT_KEY)
    if heartbeat is None:
        status["worker"] = "no heartbeat yet"
    else:
        age = round(now - heartbeat)
        status["worker"] = "ok" if age <= HEARTBEAT_STALE_AFTER_SECONDS else "stale"
        status["worker_heartbeat_age_seconds"] = age
    status["ok"] = status["database"] == "ok"
    return status
