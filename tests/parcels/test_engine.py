"""The tracking engine: ingestion exactly once, dispatch, polls, failures, budgets, pushes."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from parcels import services, tasks, tracking
from parcels.carriers.base import CarrierEvent, CodeResult
from parcels.carriers.seventeen_track import webhook_signature
from parcels.models import (
    CarrierExchange,
    CarrierState,
    CarrierTicket,
    Parcel,
    StatusChange,
    Tracking,
    TrackingEvent,
)
from tests.conftest import run_at_once
from tests.factories import UserFactory
from tests.parcels.carriers.test_parsers import fixture

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def event(code, hours, status, text="", carrier="cainiao", raw=""):
    return CarrierEvent(
        code, T0 + timedelta(hours=hours), status, text or status, "Москва", carrier, raw or status
    )


@pytest.fixture
def parcel(user):
    return services.parcel_add(owner=user, typed_code="LP00123456789012")


class TestIngestion:
    def test_the_same_answer_twice_adds_nothing_the_second_time(self, parcel):
        result = CodeResult(events=(event(parcel.code, 0, "in_transit"), event(parcel.code, 5, "customs")))
        assert tracking.events_ingest(parcel=parcel, result=result) == 1
        assert tracking.events_ingest(parcel=parcel, result=result) == 0
        assert TrackingEvent.objects.filter(parcel=parcel).count() == 2
        assert list(StatusChange.objects.values_list("from_status", "to_status")) == [
            ("not_found", "customs")
        ]

    def test_a_reworded_old_event_updates_its_row_without_a_change(self, parcel):
        tracking.events_ingest(
            parcel=parcel, result=CodeResult(events=(event(parcel.code, 0, "in_transit", "Sorting"),))
        )
        tracking.events_ingest(
            parcel=parcel,
            result=CodeResult(events=(event(parcel.code, 0, "in_transit", "Sorting centre, Moscow"),)),
        )
        assert list(TrackingEvent.objects.values_list("description", flat=True)) == ["Sorting centre, Moscow"]
        assert StatusChange.objects.count() == 1

    def test_carriers_merge_into_one_timeline(self, parcel):
        tracking.events_ingest(
            parcel=parcel, result=CodeResult(events=(event(parcel.code, 0, "in_transit"),))
        )
        tracking.events_ingest(
            parcel=parcel,
            result=CodeResult(
                events=(event(parcel.code, 48, "available_for_pickup", carrier="russian_post"),)
            ),
        )
        parcel.refresh_from_db()
        assert parcel.status == "available_for_pickup"
        assert set(TrackingEvent.objects.values_list("carrier", flat=True)) == {"cainiao", "russian_post"}
        assert parcel.last_event.carrier == "russian_post"
        assert list(StatusChange.objects.values_list("to_status", flat=True)) == [
            "in_transit",
            "available_for_pickup",
        ]

    def test_delivery_is_final_against_late_scans(self, parcel):
        result = CodeResult(
            events=(
                event(parcel.code, 0, "in_transit"),
                event(parcel.code, 10, "delivered"),
                event(parcel.code, 20, "out_for_delivery"),
            )
        )
        tracking.events_ingest(parcel=parcel, result=result)
        parcel.refresh_from_db()
        assert parcel.status == "delivered"

    def test_the_first_answer_is_marked_first_sync(self, parcel):
        tracking.events_ingest(parcel=parcel, result=CodeResult(events=(event(parcel.code, 0, "delivered"),)))
        tracking.events_ingest(
            parcel=parcel, result=CodeResult(events=(event(parcel.code, 30, "returning"),))
        )
        assert list(StatusChange.objects.values_list("to_status", "first_sync")) == [
            ("delivered", True),
            ("returning", False),
        ]

    @pytest.mark.django_db(transaction=True)
    def test_two_workers_ingesting_the_same_answer_record_one_change(self):
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite serializes writers, so there is no race to lose")
        parcel = services.parcel_add(owner=UserFactory(), typed_code="LP00123456789012")
        result = CodeResult(
            events=(
                *(event(parcel.code, hours, "in_transit") for hours in range(20)),
                event(parcel.code, 30, "customs"),
            )
        )
        run_at_once(lambda: tracking.events_ingest(parcel=Parcel.objects.get(pk=parcel.pk), result=result))
        assert TrackingEvent.objects.filter(parcel=parcel).count() == 21
        assert StatusChange.objects.filter(parcel=parcel).count() == 1


class TestDispatch:
    def test_due_trackings_are_grouped_by_carrier_chunked_and_leased(self, carriers_at, user):
        for n in range(120):
            services.parcel_add(owner=user, typed_code=f"DEMO{n:06d}")
        for n in range(15):
            services.parcel_add(owner=user, typed_code=f"LP{n:014d}")
        now = timezone.now() + timedelta(minutes=1)
        batches = tracking.polls_dispatch(now=now)
        sizes = sorted((batch.carrier, len(batch.tracking_ids)) for batch in batches)
        assert sizes == [("cainiao", 5), ("cainiao", 10), ("sandbox", 20), ("sandbox", 50), ("sandbox", 50)]
        assert tracking.polls_dispatch(now=now) == []  # leased
        assert Tracking.objects.filter(next_poll_at__gt=now).count() == 135

    def test_paused_and_disabled_carriers_are_not_dispatched(self, carriers_at, user):
        services.parcel_add(owner=user, typed_code="DEMO1")
        services.parcel_add(owner=user, typed_code="LP00000000000001")
        now = timezone.now() + timedelta(minutes=1)
        CarrierState.objects.create(carrier="cainiao", paused_until=now + timedelta(minutes=5))
        carriers_at(sandbox={"enabled": False})
        assert tracking.polls_dispatch(now=now) == []
        assert tracking.polls_dispatch(now=now + timedelta(minutes=6))[0].carrier == "cainiao"


class TestPolling:
    def test_a_poll_ingests_events_and_schedules_the_next(self, carriers_at, httpserver, user):
        httpserver.expect_request("/cainiao").respond_with_data(fixture("cainiao.json"))
        parcel = services.parcel_add(owner=user, typed_code="LP00123456789012")
        [row] = Tracking.objects.filter(parcel=parcel)
        report = tracking.poll_run(carrier_slug="cainiao", tracking_ids=[row.pk])
        assert report.polled == 1 and report.changed == 1
        parcel.refresh_from_db()
        row.refresh_from_db()
        assert parcel.status == "out_for_delivery"
        assert timedelta(minutes=50) < row.next_poll_at - timezone.now() < timedelta(minutes=70)  # hourly
        assert CarrierExchange.objects.filter(carrier="cainiao").count() == 1

    def test_a_redelivered_task_polls_nothing_twice(self, carriers_at, httpserver, user):
        httpserver.expect_request("/cainiao").respond_with_data(fixture("cainiao.json"))
        parcel = services.parcel_add(owner=user, typed_code="LP00123456789012")
        ids = list(Tracking.objects.filter(parcel=parcel).values_list("id", flat=True))
        tasks.poll_batch.delay("cainiao", ids)
        tasks.poll_batch.delay("cainiao", ids)
        assert len(httpserver.log) == 1
        assert StatusChange.objects.count() == 1

    def test_a_failing_carrier_does_not_stop_the_others(self, carriers_at, httpserver, user):
        httpserver.expect_request("/cainiao").respond_with_data("boom", status=500)
        services.parcel_add(owner=user, typed_code="LP00123456789012")
        demo = services.parcel_add(owner=user, typed_code="DEMO12340")
        for batch in tracking.polls_dispatch(now=timezone.now() + timedelta(minutes=1)):
            tracking.poll_run(carrier_slug=batch.carrier, tracking_ids=batch.tracking_ids)
        failed = Tracking.objects.get(carrier="cainiao")
        assert failed.failures == 1 and "500" in failed.last_error
        assert timedelta(minutes=4) < failed.next_poll_at - timezone.now() < timedelta(minutes=6)
        demo.refresh_from_db()
        assert demo.status == "info_received"

    def test_the_circuit_opens_after_repeated_failures_and_closes_on_success(
        self, carriers_at, httpserver, user
    ):
        parcel = services.parcel_add(owner=user, typed_code="LP00123456789012")
        row = Tracking.objects.get(parcel=parcel)
        httpserver.expect_request("/cainiao").respond_with_data("down", status=503)
        for _ in range(tracking.CIRCUIT_OPENS_AFTER):
            Tracking.objects.filter(pk=row.pk).update(last_polled_at=None)
            tracking.poll_run(carrier_slug="cainiao", tracking_ids=[row.pk])
        state = CarrierState.objects.get(carrier="cainiao")
        assert state.paused_until > timezone.now() and state.failures == tracking.CIRCUIT_OPENS_AFTER
        httpserver.clear()
        httpserver.expect_request("/cainiao").respond_with_data(fixture("cainiao.json"))
        Tracking.objects.filter(pk=row.pk).update(last_polled_at=None)
        tracking.poll_run(carrier_slug="cainiao", tracking_ids=[row.pk])
        state.refresh_from_db()
        assert state.failures == 0 and state.paused_until is None

    def test_429_pauses_the_carrier_for_retry_after(self, carriers_at, httpserver, user):
        httpserver.expect_request("/cainiao").respond_with_data(
            "slow", status=429, headers={"Retry-After": "600"}
        )
        parcel = services.parcel_add(owner=user, typed_code="LP00123456789012")
        tracking.poll_run(carrier_slug="cainiao", tracking_ids=[Tracking.objects.get(parcel=parcel).pk])
        paused = CarrierState.objects.get(carrier="cainiao").paused_until - timezone.now()
        assert timedelta(minutes=9) < paused <= timedelta(minutes=10)

    def test_one_bad_code_does_not_spoil_the_batch(self, carriers_at, httpserver, user):
        httpserver.expect_request("/17track/register").respond_with_json(
            {
                "code": 0,
                "data": {
                    "accepted": [{"number": "YT2212345678901234"}, {"number": "RR473124829DE"}],
                    "rejected": [],
                },
            }
        )
        httpserver.expect_request("/17track/getquota").respond_with_json(
            {"code": 0, "data": {"quota_total": 100, "quota_used": 2}}
        )
        answer = json.loads(fixture("17track_gettrackinfo.json"))
        answer["data"]["accepted"][0]["number"] = "RR473124829DE"
        httpserver.expect_request("/17track/gettrackinfo").respond_with_json(answer)
        good = services.parcel_add(owner=user, typed_code="RR473124829DE", destination_country="US")
        bad = services.parcel_add(owner=user, typed_code="YT2212345678901234")
        ids = list(Tracking.objects.filter(carrier="17track").values_list("id", flat=True))
        assert len(ids) == 2
        tracking.poll_run(carrier_slug="17track", tracking_ids=ids)
        assert Tracking.objects.get(parcel=bad).failures == 1
        good.refresh_from_db()
        assert good.status == "customs"
        assert Tracking.objects.filter(registered_at__isnull=False).count() == 2
        state = CarrierState.objects.get(carrier="17track")
        assert (state.quota_total, state.quota_used) == (100, 2)
        tracking.poll_run(carrier_slug="17track", tracking_ids=ids)  # within MIN_REPOLL: skipped
        assert [entry[0].path for entry in httpserver.log].count("/17track/register") == 1

    def test_the_daily_budget_of_russian_post_is_kept(self, carriers_at, httpserver, user):
        httpserver.expect_request("/rtm34").respond_with_data(fixture("russian_post_single.xml"))
        parcel = services.parcel_add(owner=user, typed_code="RR473124829CN")
        row = Tracking.objects.get(parcel=parcel, carrier="russian_post")
        CarrierState.objects.create(
            carrier="russian_post", budget_day=timezone.now().astimezone(UTC).date(), budget_used=100
        )
        tracking.poll_run(carrier_slug="russian_post", tracking_ids=[row.pk])
        row.refresh_from_db()
        assert not httpserver.log
        assert row.next_poll_at.date() > timezone.now().date() and "budget" in row.last_error

    def test_polling_stops_for_archived_and_delivered_parcels(self, carriers_at, httpserver, user):
        httpserver.expect_request("/rtm34").respond_with_data(fixture("russian_post_single.xml"))
        delivered = services.parcel_add(owner=user, typed_code="RR473124829CN")
        row = Tracking.objects.get(parcel=delivered, carrier="russian_post")
        tracking.poll_run(carrier_slug="russian_post", tracking_ids=[row.pk])
        row.refresh_from_db()
        assert row.next_poll_at is None and row.stopped_at is not None  # delivered a month ago
        archived = services.parcel_add(owner=user, typed_code="DEMO777")
        services.parcel_archive(parcel=archived)
        assert Tracking.objects.get(parcel=archived).next_poll_at is None
        services.parcel_unarchive(parcel=archived)
        assert Tracking.objects.get(parcel=archived).next_poll_at is not None

    def test_russian_post_batch_ticket_is_collected_later(self, carriers_at, httpserver, user):
        carriers_at(
            russian_post={"batch_url": httpserver.url_for("/fc"), "batch_login": "c", "batch_password": "p"}
        )
        httpserver.expect_ordered_request("/fc").respond_with_data(fixture("russian_post_ticket.xml"))
        httpserver.expect_ordered_request("/fc").respond_with_data(fixture("russian_post_batch.xml"))
        parcel = services.parcel_add(owner=user, typed_code="10725809000019")
        row = Tracking.objects.get(parcel=parcel, carrier="russian_post")
        report = tracking.poll_run(carrier_slug="russian_post", tracking_ids=[row.pk])
        assert report.pending_ticket == "20261122162048476CLIENTID"
        assert tracking.tickets_collect() == 0  # not before 15 minutes
        assert tracking.tickets_collect(now=timezone.now() + timedelta(minutes=16)) == 1
        parcel.refresh_from_db()
        assert parcel.status == "delivered"
        assert CarrierTicket.objects.get().collected_at is not None


class TestSandboxJourney:
    def test_a_demo_parcel_travels_by_itself(self, user, settings, django_capture_on_commit_callbacks):
        settings.CARRIERS = {**settings.CARRIERS, "sandbox": {"enabled": True, "time_scale": 1440}}
        with time_machine.travel(T0, tick=False) as traveller:
            parcel = services.parcel_add(owner=user, typed_code="DEMO100")  # last digit 0: delivered
            seen = []
            for _minute in range(40):
                traveller.shift(timedelta(minutes=1))
                with django_capture_on_commit_callbacks(execute=True):
                    tasks.dispatch_due_polls.delay()
                parcel.refresh_from_db()
                seen.append(parcel.status)
        assert seen[-1] == "delivered"
        assert seen[0] == "info_received"
        assert {"in_transit", "customs", "available_for_pickup"} <= set(seen)
        assert TrackingEvent.objects.filter(parcel=parcel).count() == 10
        assert Tracking.objects.get(parcel=parcel).next_poll_at is not None or parcel.status == "delivered"


class TestPushAndRefresh:
    def test_a_signed_17track_push_is_ingested_once(self, client, carriers_at, user):
        parcel = services.parcel_add(owner=user, typed_code="YT2212345678901234")
        body = fixture("17track_webhook.json").replace(b"RR473124829CN", b"YT2212345678901234")
        for _ in range(2):
            response = client.post(
                "/webhooks/17track/",
                body,
                content_type="application/json",
                HTTP_SIGN=webhook_signature(body, "k"),
            )
            assert response.status_code == 200
        parcel.refresh_from_db()
        assert parcel.status == "delivered"
        assert TrackingEvent.objects.filter(parcel=parcel).count() == 2
        assert StatusChange.objects.filter(parcel=parcel).count() == 1

    def test_a_push_with_a_wrong_signature_is_refused(self, client, carriers_at, user):
        parcel = services.parcel_add(owner=user, typed_code="YT2212345678901234")
        body = fixture("17track_webhook.json").replace(b"RR473124829CN", b"YT2212345678901234")
        response = client.post(
            "/webhooks/17track/", body, content_type="application/json", HTTP_SIGN="0" * 64
        )
        assert response.status_code == 403
        assert not TrackingEvent.objects.filter(parcel=parcel).exists()

    def test_refresh_polls_now_and_is_limited(
        self, signed_in_client, user, django_capture_on_commit_callbacks
    ):
        parcel = services.parcel_add(owner=user, typed_code="DEMO12340")
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in_client.post(f"/parcels/{parcel.pk}/refresh/", follow=True)
        assert "Asking the carriers now" in response.content.decode()
        parcel.refresh_from_db()
        assert parcel.status == "info_received"
        from parcels.views import REFRESHES_PER_HOUR

        for _ in range(REFRESHES_PER_HOUR):
            response = signed_in_client.post(f"/parcels/{parcel.pk}/refresh/", follow=True)
        assert "refreshed many times this hour" in response.content.decode()

    def test_the_parcel_page_says_which_carriers_follow_it_and_which_are_not_configured(
        self, signed_in_client, user
    ):
        parcel = services.parcel_add(owner=user, typed_code="RR473124829CN")
        page = signed_in_client.get(f"/parcels/{parcel.pk}/").content.decode()
        assert "Russian Post" in page and "RUSSIAN_POST_LOGIN" in page and "not configured" in page


def test_sandbox_steps_stay_apart_even_when_time_is_compressed_into_one_minute(user, settings):
    settings.CARRIERS = {**settings.CARRIERS, "sandbox": {"enabled": True, "time_scale": 10**9}}
    parcel = services.parcel_add(owner=user, typed_code="DEMO42")  # last digit 2: lost after export
    row = Tracking.objects.get(parcel=parcel)
    tracking.poll_run(carrier_slug="sandbox", tracking_ids=[row.pk])  # the journey starts now
    Tracking.objects.filter(pk=row.pk).update(last_polled_at=None)
    tracking.poll_run(carrier_slug="sandbox", tracking_ids=[row.pk])
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 4


def test_17track_is_told_to_stop_a_deleted_code_unless_someone_else_follows_it(
    carriers_at, httpserver, user, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/17track/stoptrack").respond_with_json(
        {"code": 0, "data": {"accepted": [], "rejected": []}}
    )
    mine = services.parcel_add(owner=user, typed_code="YT2212345678901234")
    theirs = services.parcel_add(owner=UserFactory(), typed_code="YT2212345678901234")
    Tracking.objects.update(registered_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_delete(parcel=mine)
    assert not httpserver.log  # the other user still follows it
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_delete(parcel=theirs)
    [(request, _response)] = httpserver.log
    assert request.path == "/17track/stoptrack" and json.loads(request.data) == [
        {"number": "YT2212345678901234"}
    ]


def test_a_redelivered_task_repolls_what_it_claimed_but_a_duplicate_does_not(user, settings):
    settings.CARRIERS = {**settings.CARRIERS, "sandbox": {"enabled": True, "time_scale": 1}}
    parcel = services.parcel_add(owner=user, typed_code="DEMO123")
    row = Tracking.objects.get(parcel=parcel)
    assert tracking.poll_run(carrier_slug="sandbox", tracking_ids=[row.pk], claim="task-1").polled == 1
    assert tracking.poll_run(carrier_slug="sandbox", tracking_ids=[row.pk], claim="task-2").skipped == 1
    assert tracking.poll_run(carrier_slug="sandbox", tracking_ids=[row.pk], claim="task-1").polled == 1
