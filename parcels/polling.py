"""When to ask a carrier about a parcel next. A pure policy: no database, no clock of its own.

Often when something is about to happen (with the courier), rarely when nothing has happened for
weeks, never once the journey is over. Jitter spreads parcels added together; errors back off
exponentially.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcels.status import Status

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# After delivery a carrier may still add events (a late "handed to courier"); look a while longer.
DELIVERED_GRACE = 2 * DAY
# A parcel that never showed up anywhere is given up on after this long.
NOT_FOUND_GIVE_UP = 90 * DAY
# A parcel whose last change is this old is not expected to move any more.
SILENT_GIVE_UP = 120 * DAY
RETURNING_GIVE_UP = 30 * DAY
ERROR_BACKOFF_FIRST = timedelta(minutes=5)
ERROR_BACKOFF_MAX = 12 * HOUR
JITTER = 0.1


@dataclass(frozen=True)
class PollState:
    status: str
    archived: bool
    added_at: datetime
    last_change_at: datetime | None  # the last time the carrier showed something new
    failures: int = 0  # consecutive failed polls of this carrier


def _regular_interval(state: PollState, now: datetime) -> timedelta | None:
    age = now - state.added_at
    quiet = now - (state.last_change_at or state.added_at)
    match state.status:
        case Status.DELIVERED:
            return 6 * HOUR if quiet < DELIVERED_GRACE else None
        case Status.EXPIRED:
            return None
        case Status.RETURNING:
            return DAY if quiet < RETURNING_GIVE_UP else None
        case Status.OUT_FOR_DELIVERY:
            return HOUR
        case Status.DELIVERY_FAILED:
            return 3 * HOUR
        case Status.AVAILABLE_FOR_PICKUP | Status.CUSTOMS:
            return 6 * HOUR
        case Status.NOT_FOUND:
            if age > NOT_FOUND_GIVE_UP:
                return None
            if age < 2 * DAY:
                return 2 * HOUR
            return 8 * HOUR if age < 30 * DAY else DAY
        case _:
            if quiet > SILENT_GIVE_UP:
                return None
            if quiet < 2 * DAY:
                return 3 * HOUR
            return 6 * HOUR if quiet < 14 * DAY else 12 * HOUR


def next_poll_delay(state: PollState, *, now: datetime, rng: random.Random | None = None) -> timedelta | None:
    """How long until the next poll, or None to stop polling."""
    if state.archived:
        return None
    interval = _regular_interval(state, now)
    if interval is None:
        return None
    if state.failures:
        interval = min(ERROR_BACKOFF_FIRST * 2 ** min(state.failures - 1, 16), ERROR_BACKOFF_MAX)
    spread = (rng or random).uniform(-JITTER, JITTER)
    return interval * (1 + spread)
