import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from parcels.polling import ERROR_BACKOFF_MAX, PollState, next_poll_delay
from parcels.status import status_from_events

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def delay(status, *, added_days_ago=5, quiet_days=1, failures=0, archived=False):
    state = PollState(
        status=status,
        archived=archived,
        added_at=NOW - timedelta(days=added_days_ago),
        last_change_at=NOW - timedelta(days=quiet_days) if quiet_days is not None else None,
        failures=failures,
    )
    return next_poll_delay(state, now=NOW, rng=random.Random(7))


def about(value, hours):
    return value is not None and abs(value - timedelta(hours=hours)) <= timedelta(hours=hours) * 0.1


def test_often_with_the_courier_rarely_when_long_silent():
    assert about(delay("out_for_delivery"), 1)
    assert about(delay("in_transit", quiet_days=1), 3)
    assert about(delay("in_transit", quiet_days=20), 12)
    assert delay("in_transit", quiet_days=200) is None


@pytest.mark.parametrize(("added_days_ago", "hours"), [(1, 2), (10, 8), (40, 24)])
def test_not_found_is_asked_less_and_less(added_days_ago, hours):
    assert about(delay("not_found", added_days_ago=added_days_ago, quiet_days=None), hours)


def test_never_for_archived_expired_or_long_delivered():
    assert delay("in_transit", archived=True) is None
    assert delay("expired") is None
    assert delay("not_found", added_days_ago=100, quiet_days=None) is None
    assert about(delay("delivered", quiet_days=1), 6)  # grace period for late events
    assert delay("delivered", quiet_days=3) is None


def test_errors_back_off_exponentially_up_to_a_cap():
    delays = [delay("in_transit", failures=n) for n in range(1, 12)]
    assert about(delays[0], 5 / 60) and about(delays[1], 10 / 60) and about(delays[2], 20 / 60)
    assert all(later >= earlier * 0.8 for earlier, later in itertools.pairwise(delays))
    assert delays[-1] <= ERROR_BACKOFF_MAX * 1.1


def test_jitter_spreads_parcels_added_together():
    state = PollState(status="in_transit", archived=False, added_at=NOW, last_change_at=NOW)
    delays = {next_poll_delay(state, now=NOW, rng=random.Random(seed)) for seed in range(20)}
    assert len(delays) == 20
    assert all(timedelta(hours=2.7) <= d <= timedelta(hours=3.3) for d in delays)


class E:
    def __init__(self, hours, status):
        self.time = NOW + timedelta(hours=hours)
        self.status = status


@pytest.mark.parametrize(
    ("events", "status"),
    [
        ([], "not_found"),
        ([E(0, "info_received")], "info_received"),
        ([E(0, "in_transit"), E(5, "info_received")], "in_transit"),  # a late "registered" hides nothing
        ([E(0, "in_transit"), E(5, "delivered"), E(6, "out_for_delivery")], "delivered"),
        ([E(0, "delivered"), E(9, "returning")], "returning"),
        ([E(0, "returning"), E(3, "in_transit"), E(8, "delivered")], "returning"),
        ([E(0, "returning"), E(3, "exception")], "exception"),
        ([E(5, "customs"), E(0, "in_transit")], "customs"),  # order of arrival does not matter
    ],
)
def test_status_from_merged_events(events, status):
    assert status_from_events(events) == status
