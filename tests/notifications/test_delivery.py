import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from notifications import services, tasks
from notifications.models import Channel, Message, Notification, NotificationSettings
from parcels import services as parcel_services
from parcels import tracking
from parcels.carriers.base import CarrierEvent, CodeResult
from parcels.models import Parcel, StatusChange
from tests.conftest import run_at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def change(parcel, status, hours=0, raw=None):
    event = CarrierEvent(
        parcel.code,
        T0 + timedelta(hours=hours),
        status,
        f"Событие: {status}",
        "Москва",
        "cainiao",
        raw or status,
    )
    tracking.events_ingest(parcel=Parcel.objects.get(pk=parcel.pk), result=CodeResult(events=(event,)))


@pytest.fixture
def parcel(user):
    return parcel_services.parcel_add(owner=user, typed_code="LP00123456789012", comment="Кеды")


def deliver(user):
    tasks.deliver_user.delay(user.pk)


def test_a_status_change_is_emailed_once_with_events_advice_and_links(user, parcel, mailoutbox):
    change(parcel, "in_transit")
    change(parcel, "available_for_pickup", hours=5)
    deliver(user)
    deliver(user)  # a second run finds nothing unclaimed
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "2 updates on your parcels"
    assert "Событие: available_for_pickup" in message.body and "Take your passport" in message.body
    assert f"http://127.0.0.1:8000/parcels/{parcel.pk}/" in message.body
    assert "text/html" in message.alternatives[0].mimetype
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert StatusChange.objects.filter(processed_at=None).count() == 0
    assert Notification.objects.get().outcome == "sent"


def test_a_single_change_is_titled_with_the_comment_and_status_in_the_users_language(
    user, parcel, mailoutbox
):
    user.language, user.time_zone = "ru", "Asia/Vladivostok"
    user.save()
    change(parcel, "in_transit")
    change(parcel, "customs", hours=2)
    Message.objects.all().delete()
    StatusChange.objects.update(processed_at=None)
    StatusChange.objects.filter(to_status="in_transit").update(processed_at=T0)
    deliver(user)
    assert mailoutbox[0].subject == "Кеды: Таможня"
    assert "02.10.2026 00:00" in mailoutbox[0].body  # 14:00 UTC is midnight in Vladivostok (UTC+10)


def test_news_within_the_digest_window_waits_and_goes_together(user, parcel, mailoutbox):
    with time_machine.travel(T0, tick=False) as clock:
        change(parcel, "in_transit")
        deliver(user)
        assert len(mailoutbox) == 1
        clock.shift(timedelta(minutes=1))
        change(parcel, "customs", hours=1)
        change(parcel, "in_transit", hours=2, raw="released")
        deliver(user)
        assert len(mailoutbox) == 1  # held: the last message is a minute old
        clock.shift(services.DIGEST_WINDOW)
        tasks.deliver_pending.delay()
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == "2 updates on your parcels"


def test_no_email_for_a_parcel_already_delivered_when_added(user, parcel, mailoutbox):
    change(parcel, "delivered")
    deliver(user)
    assert mailoutbox == []
    assert StatusChange.objects.get().processed_at is not None


def test_only_important_changes_and_muted_parcels(user, parcel, mailoutbox):
    NotificationSettings.objects.create(user=user, status_changes="important")
    change(parcel, "in_transit")
    deliver(user)
    assert mailoutbox == []
    services.parcel_mute_set(parcel=parcel, muted=True)
    change(parcel, "available_for_pickup", hours=3)
    deliver(user)
    assert mailoutbox == []
    services.parcel_mute_set(parcel=parcel, muted=False)
    change(parcel, "delivered", hours=9)
    deliver(user)
    assert [m.subject for m in mailoutbox] == ["Кеды: Delivered"]


def test_a_redelivered_send_task_sends_nothing_twice(user, parcel, mailoutbox):
    change(parcel, "in_transit")
    [message] = services.outbox_deliver(user=user)
    tasks.send_message.delay(message.pk)
    tasks.send_message.delay(message.pk)
    assert len(mailoutbox) == 1


def test_a_send_whose_worker_died_is_resent_after_its_lease_with_the_same_message_id(
    user, parcel, mailoutbox
):
    change(parcel, "in_transit")
    [message] = services.outbox_deliver(user=user)
    Message.objects.filter(pk=message.pk).update(state="sending", lease_until=T0)  # a worker died mid-send
    tasks.deliver_pending.delay()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"].startswith(f"<parcel-tracker.{message.pk}.")


def test_smtp_refusing_for_a_while_then_accepting_delivers_once(user, parcel, flaky_smtp):
    server = flaky_smtp(refusals=2)
    change(parcel, "in_transit")
    deliver(user)  # eager: the task's retries run at once
    assert len(server.accepted) == 1 and server.refused == 2
    parsed = email.message_from_bytes(server.accepted[0], policy=email.policy.default)
    assert parsed["Subject"] == "Кеды: In transit" and parsed["List-Unsubscribe-Post"]
    assert list(Notification.objects.values_list("outcome", flat=True)) == ["retry", "retry", "sent"]
    assert Message.objects.get().state == "sent"


def test_an_smtp_server_that_keeps_refusing_ends_as_failed(user, parcel, flaky_smtp):
    server = flaky_smtp(refusals=100)
    change(parcel, "in_transit")
    deliver(user)
    assert server.accepted == [] and server.refused == services.MAX_ATTEMPTS
    assert Message.objects.get().state == "failed"
    assert Notification.objects.filter(outcome="failed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_email_each_change_once(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers, so there is no race to lose")
    user = UserFactory()
    parcel = parcel_services.parcel_add(owner=user, typed_code="LP00123456789012")
    # Written directly, so no task delivers it before the workers race for it.
    StatusChange.objects.create(parcel=parcel, from_status="not_found", to_status="in_transit", cause="race")

    def worker():
        for message in services.outbox_deliver(user=user):
            services.message_send(message_id=message.pk)
        for message_id in Message.objects.values_list("id", flat=True):
            services.message_send(message_id=message_id)

    run_at_once(worker, workers=6)
    assert len(mail.outbox) == 1
    assert Message.objects.count() == 1


class TestUnsubscribe:
    def test_the_link_asks_first_then_unsubscribes_without_login(self, client, user, parcel, mailoutbox):
        url = services.unsubscribe_url(user).removeprefix("http://127.0.0.1:8000")
        page = client.get(url)
        assert page.status_code == 200 and "Stop the emails" in page.content.decode()
        assert NotificationSettings.objects.filter(user=user, email_enabled=False).count() == 0
        assert "are off" in client.post(url).content.decode()
        change(parcel, "in_transit")
        deliver(user)
        assert mailoutbox == []

    def test_the_one_click_header_post_works(self, client, user):
        url = services.unsubscribe_url(user).removeprefix("http://127.0.0.1:8000")
        response = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert NotificationSettings.objects.get(user=user).email_enabled is False

    def test_a_forged_token_changes_nothing(self, client, user):
        response = client.post("/notifications/unsubscribe/not-a-token/")
        assert response.status_code == 400
        assert not NotificationSettings.objects.filter(user=user, email_enabled=False).exists()


class TestChannels:
    def test_a_channel_that_keeps_failing_is_turned_off_and_the_user_told(
        self, user, parcel, httpserver, signed_in_client
    ):
        httpserver.expect_request("/hook").respond_with_data("down", status=500)
        channel = Channel.objects.create(
            user=user, label="My hook", url=f"json://127.0.0.1:{httpserver.port}/hook"
        )
        change(parcel, "in_transit")
        deliver(user)
        channel.refresh_from_db()
        assert channel.enabled is False and "kept failing" in channel.disabled_reason
        assert Notification.objects.filter(channel="My hook", outcome="failed").count() == 1
        assert "was turned off" in signed_in_client.get("/notifications/").content.decode()

    def test_add_a_channel_and_send_a_test(self, signed_in_client, user, httpserver):
        httpserver.expect_request("/hook", method="POST").respond_with_json({})
        page = signed_in_client.post(
            "/notifications/settings/", {"add_channel": "1", "channel-label": "X", "channel-url": "nonsense"}
        )
        assert "Apprise does not recognize" in page.content.decode()
        signed_in_client.post(
            "/notifications/settings/",
            {
                "add_channel": "1",
                "channel-label": "Hook",
                "channel-url": f"json://127.0.0.1:{httpserver.port}/hook",
            },
        )
        channel = Channel.objects.get(user=user)
        response = signed_in_client.post(f"/notifications/channels/{channel.pk}/test/", follow=True)
        assert "Test sent to “Hook”" in response.content.decode()
        assert "This channel works" in httpserver.log[0][0].get_data(as_text=True)


def test_alerts_page_lists_advice_and_a_seller_message(signed_in_client, user):
    with time_machine.travel(T0, tick=False):
        parcel = parcel_services.parcel_add(owner=user, typed_code="LP00123456789012")
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        services.parcel_alerts_refresh(parcel=parcel)
        page = signed_in_client.get("/notifications/").content.decode()
    assert 'data-rule="not_tracked"' in page
    assert "The tracking number LP00123456789012 is not tracked yet, 10 days after shipment" in page
    assert "data-copy=" in page


def test_settings_are_saved(signed_in_client, user):
    data = {
        f"prefs-{name}": value
        for name, value in {
            "status_changes": "important",
            "deadline_alerts": "on",
            "email_enabled": "on",
            "not_tracked_days": 7,
            "dispute_days": 12,
            "transit_stall_days": 14,
            "customs_stall_days": 21,
            "maybe_lost_days": 30,
            "search_reminder_days": 14,
            "pickup_reminder_days": 5,
            "storage_days": 30,
            "storage_reminder_days": 5,
            "protection_first_reminder_days": 5,
            "protection_last_reminder_days": 1,
        }.items()
    }
    signed_in_client.post("/notifications/settings/", data)
    saved = NotificationSettings.objects.get(user=user)
    assert (saved.status_changes, saved.not_tracked_days, saved.dispute_days) == ("important", 7, 12)


def test_an_alert_arrives_by_email_with_advice_and_the_seller_message(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        parcel = parcel_services.parcel_add(owner=user, typed_code="LP00123456789012", comment="Кеды")
    with time_machine.travel(T0 + timedelta(days=10, hours=1), tick=False):
        tasks.check_alerts.delay()
    [message] = mailoutbox
    assert message.subject == "Кеды: Not tracked yet"
    assert "Still no tracking 10 days after shipment" in message.body
    assert (
        "Hello! The tracking number LP00123456789012 is not tracked yet, 10 days after shipment."
        in message.body
    )
    assert f"/parcels/{parcel.pk}/" in message.body
