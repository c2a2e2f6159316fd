"""From news at the carrier to the email, with the real worker and beat on the embedded default.

Poll path: a new event appears at a fake 17TRACK and the parcel is due; beat dispatches it within
its minute, the worker polls, ingests and mails. The poll itself comes at most one poll interval
of the parcel's state after the news (the policy's job); this measures the rest.
Push path: a signed 17TRACK webhook; target: the email within 10 seconds."""

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from common import ROOT, result, setup
from poll_cycle import stop_worker, wait_for_worker

from tests.fake_carrier import FakeCarrier


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "--app", "tracker", *args, "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_mail(folder: Path, recipient: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("*.eml"):
            if recipient.encode() in path.read_bytes():
                return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"no email for {recipient} within {timeout} s")


def make_parcel(n: int, code: str):
    from django.utils import timezone

    from accounts.models import User
    from parcels import services
    from parcels.models import Tracking

    user = User.objects.create_user(f"latency{n}@bench.test", "bench-pass-123")
    parcel = services.parcel_add(owner=user, typed_code=code)
    # Registered, and already polled once: the news below is what changes.
    Tracking.objects.filter(parcel=parcel).update(registered_at=timezone.now(), next_poll_at=None)
    return user, parcel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2)
    args = parser.parse_args()
    carrier = FakeCarrier(latency=0.15, events=0).start()
    env = setup(
        "alert_latency",
        want_postgres=False,
        extra_env={
            "SEVENTEEN_TRACK_KEY": "bench-key",
            "SEVENTEEN_TRACK_URL": carrier.url,
            "SANDBOX_ENABLED": "false",
        },
    )
    from django.test import Client
    from django.utils import timezone

    from parcels.carriers.seventeen_track import webhook_signature
    from parcels.models import Tracking

    mail_dir = Path(env["VAR_DIR"]) / "mail"
    worker = start(env, "worker", "--concurrency", "2", "--without-heartbeat")
    beat = start(env, "beat", "--schedule", str(Path(env["VAR_DIR"]) / "beat-schedule"))
    poll_latencies, push_latencies = [], []
    try:
        wait_for_worker()
        for trial in range(args.trials):
            user, parcel = make_parcel(trial, f"YT22{trial:014d}")
            news = {
                "time_iso": "2026-11-20T10:00:00+03:00",
                "description": "Out for delivery",
                "location": "Moscow",
                "stage": "OutForDelivery",
                "sub_status": "OutForDelivery_Other",
            }
            carrier.news[parcel.code] = [news]
            appeared = time.monotonic()
            Tracking.objects.filter(parcel=parcel).update(next_poll_at=timezone.now())
            mailed = wait_for_mail(mail_dir, user.email, timeout=120)
            polled = Tracking.objects.get(parcel=parcel).last_success_at
            waited_for_beat = (polled - timezone.now()).total_seconds() + (time.monotonic() - appeared)
            poll_latencies.append(mailed - appeared - max(waited_for_beat, 0))
            print(
                f"poll trial {trial}: news → email {mailed - appeared:.1f} s "
                f"(of which waiting for beat's minute {max(waited_for_beat, 0):.1f} s)",
                flush=True,
            )
        client = Client()
        for trial in range(args.trials):
            user, parcel = make_parcel(100 + trial, f"YT33{trial:014d}")
            body = json.dumps(
                {
                    "event": "TRACKING_UPDATED",
                    "data": {
                        "number": parcel.code,
                        "track_info": {
                            "tracking": {
                                "providers": [
                                    {
                                        "provider": {"name": "Fake"},
                                        "events": [
                                            {
                                                "time_iso": "2026-11-20T10:00:00+03:00",
                                                "description": "Arrived",
                                                "location": "Moscow",
                                                "stage": "AvailableForPickup",
                                                "sub_status": "AvailableForPickup_Other",
                                            }
                                        ],
                                    }
                                ]
                            }
                        },
                    },
                }
            ).encode()
            pushed = time.monotonic()
            response = client.post(
                "/webhooks/17track/",
                body,
                content_type="application/json",
                HTTP_SIGN=webhook_signature(body, "bench-key"),
            )
            assert response.status_code == 200, response.content
            mailed = wait_for_mail(mail_dir, user.email, timeout=60)
            push_latencies.append(mailed - pushed)
            print(f"push trial {trial}: webhook → email {mailed - pushed:.1f} s", flush=True)
    finally:
        stop_worker(beat)
        stop_worker(worker)
        carrier.stop()
    result(
        poll_to_email_median_s=round(statistics.median(poll_latencies), 1),
        push_to_email_median_s=round(statistics.median(push_latencies), 1),
        push_target_s=10,
        poll_target="interval_of_state+10s",
    )


if __name__ == "__main__":
    main()
