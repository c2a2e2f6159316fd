"""A carrier answering at random: timeouts, 500, 429 with Retry-After, empty, truncated and
malformed bodies, or the truth. Over a few hundred polls nothing is lost (the last good state
stays), nothing is duplicated, retries stay within bounds, and the circuit opens and closes."""

import json
import random
import time

import pytest
from django.utils import timezone
from werkzeug import Response

from parcels import tracking
from parcels.models import CarrierState, Parcel, StatusChange, Tracking, TrackingEvent
from parcels.polling import ERROR_BACKOFF_MAX
from tests.fake_carrier import FakeCarrier

pytestmark = pytest.mark.django_db
CODES = [f"YT22{n:014d}" for n in range(5)]
POLLS = 300


def test_a_few_hundred_chaotic_polls(settings, httpserver, user):
    settings.CARRIERS = {
        **settings.CARRIERS,
        "17track": {"key": "k", "url": httpserver.url_for("/"), "timeout": 0.1},
    }
    truth = FakeCarrier(events=1)  # only its answer() is used: the events served so far
    rng = random.Random(20261122)
    served = {"polls": 0}

    def chaos(request):
        served["polls"] += 1
        # The carrier's story moves on: one more event every 30 polls.
        truth.events = 1 + served["polls"] // 30
        body = json.dumps(truth.answer([item["number"] for item in json.loads(request.data)]))
        fault = rng.choices(
            ["ok", "timeout", "500", "429", "empty", "truncated", "malformed"], [4, 1, 1, 1, 1, 1, 1]
        )[0]
        match fault:
            case "timeout":
                time.sleep(0.15)
                return Response(body)
            case "500":
                return Response("Internal Server Error", status=500)
            case "429":
                return Response("slow down", status=429, headers={"Retry-After": "0"})
            case "empty":
                return Response("")
            case "truncated":
                return Response(body[: len(body) // 2])
            case "malformed":
                return Response("<html><body>Access denied</body></html>")
        return Response(body, content_type="application/json")

    httpserver.expect_request("/gettrackinfo").respond_with_handler(chaos)
    parcels = [
        Parcel.objects.create(owner=user, code=code, typed_code=code, kind="marketplace", code_valid=True)
        for code in CODES
    ]
    rows = [
        Tracking.objects.create(parcel=parcel, carrier="17track", registered_at=timezone.now())
        for parcel in parcels
    ]

    best_events, opened, closed_after_open = 0, False, False
    for _ in range(POLLS):
        # Every poll goes through the duplicate guard and the rate limit: they are tested elsewhere.
        Tracking.objects.update(last_polled_at=None)
        CarrierState.objects.update(next_request_at=None)
        tracking.poll_run(carrier_slug="17track", tracking_ids=[row.pk for row in rows])
        events = TrackingEvent.objects.count()
        assert events >= best_events, "an error must never lose what was ingested"
        best_events = events
        state = CarrierState.objects.get(carrier="17track")
        opened = opened or state.paused_until is not None
        closed_after_open = closed_after_open or (opened and state.paused_until is None)
        for row in Tracking.objects.all():
            if row.next_poll_at is not None:
                assert row.next_poll_at - timezone.now() <= ERROR_BACKOFF_MAX * 1.1
            assert row.failures <= POLLS

    served_events = 1 + served["polls"] // 30
    for parcel in parcels:
        events = list(TrackingEvent.objects.filter(parcel=parcel).values_list("fingerprint", flat=True))
        assert len(events) == len(set(events)), "no event twice"
        assert 1 <= len(events) <= served_events
        assert Parcel.objects.get(pk=parcel.pk).status == "in_transit"
    assert StatusChange.objects.count() == len(parcels)  # not_found → in_transit, once each
    assert opened and closed_after_open, "the circuit should have opened and closed again"
