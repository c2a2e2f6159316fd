"""Celery tasks: thin callers of parcels.tracking, named after what they run."""

from celery import shared_task
from django.db import transaction

from parcels import tracking
from parcels.carriers import carrier_get
from parcels.carriers.base import BadAnswer
from parcels.carriers.seventeen_track import parse_webhook
from parcels.posts import SEVENTEEN_TRACK


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def dispatch_due_polls() -> int:
    batches = tracking.polls_dispatch()
    for batch in batches:
        transaction.on_commit(lambda batch=batch: poll_batch.delay(batch.carrier, batch.tracking_ids))
    return len(batches)


# acks_late: a worker killed mid-batch leaves the message for another; the claim in poll_run
# makes running it twice harmless.
@shared_task(
    bind=True, ignore_result=True, acks_late=True, soft_time_limit=240, time_limit=300, max_retries=10
)
def poll_batch(self, carrier: str, tracking_ids: list[int]) -> None:
    report = tracking.poll_run(carrier_slug=carrier, tracking_ids=tracking_ids, claim=self.request.id or "")
    if report.deferred_seconds is not None:
        raise self.retry(countdown=report.deferred_seconds)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def collect_tickets() -> int:
    return tracking.tickets_collect()


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=60, time_limit=90)
def ingest_17track_push(body: str) -> None:
    try:
        event, results = parse_webhook(body.encode())
    except BadAnswer:
        return  # the view already checked the signature; an unreadable push has nothing to add
    tracking.push_apply(carrier_slug=SEVENTEEN_TRACK, results=results, stopped=event == "TRACKING_STOPPED")


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def stop_codes(carrier: str, codes: list[str]) -> None:
    tracking.codes_stop(carrier=carrier_get(carrier), codes=codes)
