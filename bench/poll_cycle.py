"""One full poll cycle through the real Celery worker on the embedded default (SQLite, file
broker): N parcels due at a fake 17TRACK (150 ms a request, batches of 40, 3 requests a second).

ratio_to_bound = ideal time (N / 40 / 3 per second) / measured time; requests per parcel should
be 1/40 (one request per full batch)."""

import argparse
import os
import signal
import subprocess
import time
from datetime import timedelta

from common import ROOT, result, setup

from tests.fake_carrier import FakeCarrier

BATCH = 40
RATE = 3.0


def start_worker(env: dict, concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "--app",
            "tracker",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def wait_for_worker(timeout: float = 60) -> None:
    """A heartbeat task round trip proves the worker consumes from the broker."""
    from django.core.cache import cache

    from tracker.health import HEARTBEAT_KEY
    from tracker.tasks import health_heartbeat_record

    cache.delete(HEARTBEAT_KEY)
    health_heartbeat_record.delay()
    deadline = time.monotonic() + timeout
    while cache.get(HEARTBEAT_KEY) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.15)
    args = parser.parse_args()
    carrier = FakeCarrier(latency=args.latency, rate=RATE).start()
    env = setup(
        "poll_cycle",
        want_postgres=False,
        extra_env={
            "SEVENTEEN_TRACK_KEY": "bench",
            "SEVENTEEN_TRACK_URL": carrier.url,
            "SANDBOX_ENABLED": "false",
        },
    )
    from django.utils import timezone

    from accounts.models import User
    from parcels.models import Parcel, Tracking
    from parcels.tasks import dispatch_due_polls

    owner = User.objects.create_user("poll@bench.test", "bench-pass-123")
    parcels = Parcel.objects.bulk_create(
        Parcel(
            owner=owner,
            code=f"YT22{n:014d}",
            typed_code=f"YT22{n:014d}",
            kind="marketplace",
            code_valid=True,
            origin_country="CN",
            destination_country="RU",
        )
        for n in range(args.parcels)
    )
    now = timezone.now()
    Tracking.objects.bulk_create(
        Tracking(parcel=parcel, carrier="17track", registered_at=now, next_poll_at=now - timedelta(seconds=1))
        for parcel in parcels
    )
    worker = start_worker(env, args.concurrency)
    try:
        wait_for_worker()
        started_at = timezone.now()
        started = time.perf_counter()
        dispatch_due_polls.delay()
        while Tracking.objects.filter(last_success_at__gte=started_at).count() < args.parcels:
            if time.perf_counter() - started > 600:
                raise SystemExit("the cycle did not finish in 10 minutes")
            time.sleep(0.1)
        wall = time.perf_counter() - started
    finally:
        stop_worker(worker)
        carrier.stop()
    ideal = args.parcels / BATCH / RATE
    per_parcel = carrier.requests / args.parcels
    print(
        f"{args.parcels} parcels: {carrier.requests} requests answered, {carrier.refused} refused for going too fast, "
        f"{wall:.1f} s (ideal {ideal:.1f} s), {args.parcels / wall:.0f} parcels/s"
    )
    result(
        parcels=args.parcels,
        requests=carrier.requests,
        refused_429=carrier.refused,
        wall_s=round(wall, 2),
        parcels_per_s=round(args.parcels / wall, 1),
        requests_per_parcel=round(per_parcel, 4),
        requests_per_parcel_bound=round(1 / BATCH * 1.01, 4),
        ratio_to_bound=round(ideal / wall, 3),
    )


if __name__ == "__main__":
    main()
