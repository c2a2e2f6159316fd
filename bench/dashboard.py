"""The dashboard, a filtered page and a parcel page: one user with 1,000 parcels and 30,000 events
against one with 10, rendered through the test client. Queries per page must not grow with the
number of parcels; time may grow a little (growth = median at 1,000 / median at 10)."""

import argparse
import random
from datetime import UTC, datetime, timedelta

from common import median, p95, result, setup, timed

EVENTS_PER_PARCEL = 30
STATUSES = ["in_transit", "customs", "available_for_pickup", "delivered", "info_received"]


def populate(owner, parcels: int):
    from parcels.models import Folder, Parcel, TrackingEvent

    folders = [Folder.objects.create(owner=owner, name=f"Папка {n}", position=n) for n in range(5)]
    rows = Parcel.objects.bulk_create(
        Parcel(
            owner=owner,
            code=f"DEMO{owner.pk:03d}{n:07d}",
            typed_code=f"DEMO{owner.pk:03d}{n:07d}",
            comment=f"Заказ {n} кеды" if n % 7 == 0 else f"Заказ {n}",
            folder=folders[n % 5] if n % 3 else None,
            kind="demo",
            code_valid=True,
            origin_country="CN",
            destination_country="RU",
            status=STATUSES[n % len(STATUSES)],
            search_text=f"demo{owner.pk:03d}{n:07d} заказ {n}",
        )
        for n in range(parcels)
    )
    start = datetime(2026, 9, 1, tzinfo=UTC)
    events = [
        TrackingEvent(
            parcel=parcel,
            happened_at=start + timedelta(hours=12 * k + n % 11),
            status=STATUSES[k % len(STATUSES)],
            description=f"Операция {k}",
            location="Москва",
            carrier="sandbox",
            raw_code=f"step{k}",
            fingerprint=f"{parcel.pk}-{k}",
        )
        for n, parcel in enumerate(rows)
        for k in range(EVENTS_PER_PARCEL)
    ]
    TrackingEvent.objects.bulk_create(events, batch_size=5000)
    # Ordered by time, so each parcel's last event is the one that stays in the dict.
    latest = dict(
        TrackingEvent.objects.filter(parcel__owner=owner)
        .order_by("parcel_id", "happened_at")
        .values_list("parcel_id", "id")
    )
    for parcel in rows:
        parcel.last_event_id = latest[parcel.pk]
    Parcel.objects.bulk_update(rows, ["last_event"], batch_size=5000)
    return rows


def measure(client, pages: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, path in pages.items():
        client.get(path)  # warm caches (templates, translations)
        # The capture counts by position in the query log, which each request empties first.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        queries = len(captured)  # read now: the log is emptied by the next request
        times = timed(lambda path=path: client.get(path), repeat)
        figures[name] = (median(times) * 1000, p95(times) * 1000, queries)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup("dashboard")
    from django.test import Client

    from accounts.models import User

    random.seed(1)
    small, large = (
        User.objects.create_user(f"{who}@bench.test", "bench-pass-123") for who in ("small", "large")
    )
    populate(small, 10)
    populate(large, args.parcels)
    print(f"populated: 10 and {args.parcels} parcels, {EVENTS_PER_PARCEL} events each", flush=True)

    results = {}
    for user, label in ((small, "10"), (large, str(args.parcels))):
        client = Client()
        client.force_login(user)
        parcel = user.parcels.order_by("id").first()
        results[label] = measure(
            client,
            {
                "dashboard": "/parcels/",
                "filtered": "/parcels/?status=in_transit&q=%D0%BA%D0%B5%D0%B4%D1%8B",
                "parcel": f"/parcels/{parcel.pk}/",
            },
            args.repeat,
        )
    for page in ("dashboard", "filtered", "parcel"):
        for label in results:
            med, high, queries = results[label][page]
            print(f"{page:9} {label:>5} parcels: median {med:7.1f} ms  p95 {high:7.1f} ms  {queries} queries")
    big = str(args.parcels)
    growth = {
        page: results[big][page][0] / results["10"][page][0] for page in ("dashboard", "filtered", "parcel")
    }
    same_queries = all(results[big][page][2] == results["10"][page][2] for page in growth)
    result(
        dashboard_median_ms=round(results[big]["dashboard"][0], 1),
        dashboard_p95_ms=round(results[big]["dashboard"][1], 1),
        queries_10=results["10"]["dashboard"][2],
        queries_1000=results[big]["dashboard"][2],
        queries_same=same_queries,
        growth=round(growth["dashboard"], 2),
        growth_filtered=round(growth["filtered"], 2),
        growth_parcel=round(growth["parcel"], 2),
    )


if __name__ == "__main__":
    main()
