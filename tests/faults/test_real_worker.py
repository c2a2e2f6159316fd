"""Faults with a real worker on Redis: a crash mid-batch, an SMTP server that refuses, a push
delivered twice. Nothing is lost, nothing is done twice."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from parcels.models import Parcel, StatusChange, Tracking, TrackingEvent
from tests.faults.conftest import mails_by_recipient, wait_until


def due_parcels(count: int) -> list[Parcel]:
    """One parcel per user (so that every first change is mailed at once), registered at 17TRACK."""
    parcels = []
    for n in range(count):
        owner = User.objects.create_user(f"fault{n}@example.org", "fault-pass-123")
        parcel = Parcel.objects.create(
            owner=owner, code=f"YT22{n:014d}", typed_code=f"YT22{n:014d}", kind="marketplace", code_valid=True
        )
        Tracking.objects.create(
            parcel=parcel,
            carrier="17track",
            registered_at=timezone.now(),
            next_poll_at=timezone.now() - timedelta(seconds=1),
        )
        parcels.append(parcel)
    return parcels


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(real_worker, fake_carrier):
    parcels = due_parcels(80)  # two batches of 40
    fake_carrier.latency = 3.0  # long enough to be killed with the first request in flight
    real_worker.start(concurrency=1)
    real_worker.client.send_task("parcels.tasks.dispatch_due_polls")
    wait_until(lambda: fake_carrier.received >= 1, timeout=60, what="the first request to the carrier")
    real_worker.kill()
    assert TrackingEvent.objects.count() < 160

    fake_carrier.latency = 0.1
    real_worker.start(concurrency=2)  # the unacknowledged batches come back to it
    wait_until(
        lambda: StatusChange.objects.filter(processed_at__isnull=False).count() == 80,
        timeout=120,
        what="every parcel polled and its change claimed for mail",
    )
    wait_until(lambda: len(mails_by_recipient(real_worker.mail_dir)) == 80, timeout=60, what="80 emails")
    assert TrackingEvent.objects.count() == 160  # two events per parcel, once each
    assert StatusChange.objects.count() == 80
    assert set(mails_by_recipient(real_worker.mail_dir).values()) == {1}
    assert {parcel.owner.email for parcel in parcels} == set(mails_by_recipient(real_worker.mail_dir))


@pytest.mark.parametrize(
    ("stage", "status", "emails"),
    [
        ("AvailableForPickup", "available_for_pickup", 1),
        # The first news ever says "delivered": no news to the owner, even when two pushes race.
        ("Delivered", "delivered", 0),
    ],
)
def test_a_push_delivered_twice_is_ingested_once(real_worker, stage, status, emails):
    [parcel] = due_parcels(1)
    event = {
        "time_iso": "2026-11-20T10:00:00+03:00",
        "description": "News",
        "location": "Moscow",
        "stage": stage,
        "sub_status": f"{stage}_Other",
    }
    track_info = {"tracking": {"providers": [{"provider": {"name": "Fake"}, "events": [event]}]}}
    body = json.dumps(
        {"event": "TRACKING_UPDATED", "data": {"number": parcel.code, "track_info": track_info}}
    )
    real_worker.start()
    for _ in range(2):
        real_worker.client.send_task("parcels.tasks.ingest_17track_push", args=[body])
    wait_until(
        lambda: Parcel.objects.get(pk=parcel.pk).status == status, timeout=60, what="the push ingested"
    )
    wait_until(
        lambda: StatusChange.objects.filter(parcel=parcel, processed_at__isnull=False).exists(),
        timeout=30,
        what="the change claimed for mail",
    )
    time.sleep(2)  # an email, if one were (wrongly) on its way, has time to land
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 1
    assert StatusChange.objects.filter(parcel=parcel).count() == 1
    assert mails_by_recipient(real_worker.mail_dir) == ({parcel.owner.email: 1} if emails else {})


def test_an_smtp_server_refusing_for_a_while_gets_every_email_once(real_worker, tmp_path):
    import socket

    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import FlakySmtp

    smtp = FlakySmtp(refusals=4)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        parcels = due_parcels(5)
        real_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        real_worker.start()
        real_worker.client.send_task("parcels.tasks.dispatch_due_polls")
        wait_until(lambda: len(smtp.accepted) == 5, timeout=90, what="five emails accepted")
        time.sleep(2)  # a duplicate, if any, has time to arrive
    finally:
        controller.stop()
    recipients = sorted(
        line.split(b":", 1)[1].strip().decode()
        for message in smtp.accepted
        for line in message.splitlines()
        if line.startswith(b"To:")
    )
    assert recipients == sorted(parcel.owner.email for parcel in parcels)
    assert smtp.refused == 4
