"""Services (writes) of the tracking engine.

Which carriers follow a parcel; dispatching due polls; running one poll; ingesting events exactly
once and recording each status change once; and the state every worker shares per carrier (rate
limit, daily budget, quota, circuit breaker), kept in the database so it holds across workers on
PostgreSQL and on the embedded SQLite alike.
"""

import hashlib
import logging
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from parcels.carriers import carrier_get, carriers_all, carriers_serving
from parcels.carriers.base import Carrier, CarrierError, CodeResult, Exchange, Pending, TransientCarrierError
from parcels.models import (
    CarrierExchange,
    CarrierState,
    CarrierTicket,
    Parcel,
    StatusChange,
    Tracking,
    TrackingEvent,
)
from parcels.polling import PollState, next_poll_delay
from parcels.signals import parcel_changed, status_changed
from parcels.status import Status, status_from_events

logger = logging.getLogger(__name__)

# A dispatched tracking is not dispatched again for this long, while its task waits in the queue.
LEASE = timedelta(minutes=10)
DISPATCH_CAP = 5000
# A tracking polled this recently is skipped: a redelivered or duplicated task changes nothing.
MIN_REPOLL = timedelta(seconds=30)
CIRCUIT_OPENS_AFTER = 5
CIRCUIT_PAUSE_FIRST = timedelta(minutes=5)
CIRCUIT_PAUSE_MAX = timedelta(hours=1)
EXCHANGES_KEPT = 50
# Longer than this, a worker does not sleep for its rate-limit slot: the task is retried later.
MAX_SLOT_WAIT_SECONDS = 20.0
TICKET_LIFETIME = timedelta(hours=32)


# -- carrier state: exchanges, rate limit, budget, circuit breaker ------------------------------


def exchange_record(exchange: Exchange) -> None:
    CarrierExchange.objects.create(
        carrier=exchange.carrier,
        request=exchange.request,
        response=exchange.response,
        status_code=exchange.status_code,
        error=exchange.error[:300],
        duration_ms=exchange.duration_ms,
    )
    old = (
        CarrierExchange.objects.filter(carrier=exchange.carrier).order_by("-id").values_list("id", flat=True)
    )
    CarrierExchange.objects.filter(id__in=list(old[EXCHANGES_KEPT : EXCHANGES_KEPT + 500])).delete()


def carrier_state(slug: str) -> CarrierState:
    return CarrierState.objects.get_or_create(carrier=slug)[0]


class BudgetSpent(Exception):
    pass


def carrier_slot_acquire(*, carrier: Carrier, requests: int = 1, now: datetime | None = None) -> float:
    """Reserve the carrier's next request slots for every worker at once (compare-and-swap on
    the carrier's row); returns the seconds to wait before sending. Raises BudgetSpent when the
    carrier's daily budget would be exceeded."""
    interval = timedelta(seconds=requests / carrier.requests_per_second)
    for _attempt in range(50):
        now_ = now or timezone.now()
        state = carrier_state(carrier.slug)
        today = now_.astimezone(UTC).date()
        used = state.budget_used if state.budget_day == today else 0
        if carrier.daily_budget is not None and used + requests > carrier.daily_budget:
            raise BudgetSpent(carrier.slug)
        start = max(now_, state.next_request_at or now_)
        taken = CarrierState.objects.filter(
            carrier=carrier.slug,
            next_request_at=state.next_request_at,
            budget_day=state.budget_day,
            budget_used=state.budget_used,
        ).update(next_request_at=start + interval, budget_day=today, budget_used=used + requests)
        if taken:
            return (start - now_).total_seconds()
    raise TransientCarrierError(f"{carrier.name}: too many workers competing for the rate limit")


def carrier_failed(*, slug: str, error: CarrierError, now: datetime) -> None:
    """Count a failure; after several in a row the carrier is paused (the circuit opens)."""
    CarrierState.objects.get_or_create(carrier=slug)
    CarrierState.objects.filter(carrier=slug).update(failures=F("failures") + 1, last_error=str(error)[:300])
    state = CarrierState.objects.get(carrier=slug)
    pause_until = None
    if state.failures >= CIRCUIT_OPENS_AFTER:
        pause = min(
            CIRCUIT_PAUSE_FIRST * 2 ** min(state.failures - CIRCUIT_OPENS_AFTER, 10), CIRCUIT_PAUSE_MAX
        )
        pause_until = now + pause
    if error.retry_after:
        pause_until = max(pause_until or now, now + timedelta(seconds=error.retry_after))
    if pause_until:
        CarrierState.objects.filter(carrier=slug).update(paused_until=pause_until)
        logger.warning("carrier %s paused until %s: %s", slug, pause_until, error)


def carrier_succeeded(*, slug: str, now: datetime) -> None:
    CarrierState.objects.get_or_create(carrier=slug)
    CarrierState.objects.filter(carrier=slug).update(failures=0, paused_until=None, last_success_at=now)


def carriers_paused(*, now: datetime) -> set[str]:
    return set(CarrierState.objects.filter(paused_until__gt=now).values_list("carrier", flat=True))


# -- which carriers follow a parcel ---------------------------------------------------------------


def trackings_start(*, parcel: Parcel, now: datetime | None = None) -> list[Tracking]:
    """Follow a new parcel at every carrier that serves its code, first poll within a minute."""
    now = now or timezone.now()
    trackings = []
    for carrier in carriers_serving(parcel.recognition):
        tracking, _created = Tracking.objects.get_or_create(
            parcel=parcel,
            carrier=carrier.slug,
            defaults={"next_poll_at": now + timedelta(seconds=random.uniform(0, 30))},  # noqa: S311
        )
        trackings.append(tracking)
    return trackings


def trackings_stop(*, parcel: Parcel, now: datetime | None = None) -> int:
    return Tracking.objects.filter(parcel=parcel, stopped_at__isnull=True).update(
        next_poll_at=None, stopped_at=now or timezone.now()
    )


def trackings_resume(*, parcel: Parcel, now: datetime | None = None) -> None:
    now = now or timezone.now()
    Tracking.objects.filter(parcel=parcel).update(next_poll_at=now, stopped_at=None)
    trackings_start(parcel=parcel, now=now)


# -- dispatching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    carrier: str
    tracking_ids: list[int]


def polls_dispatch(*, now: datetime | None = None, cap: int = DISPATCH_CAP) -> list[Batch]:
    """Due trackings of enabled, unpaused carriers (an indexed range on next_poll_at, capped),
    leased so the next dispatch does not send them again, in batches of each carrier's size."""
    now = now or timezone.now()
    carriers = {carrier.slug: carrier for carrier in carriers_all() if carrier.enabled}
    active = set(carriers) - carriers_paused(now=now)
    if not active:
        return []
    due = list(
        Tracking.objects.filter(next_poll_at__lte=now, carrier__in=active)
        .order_by("next_poll_at")
        .values_list("id", "carrier")[:cap]
    )
    if not due:
        return []
    Tracking.objects.filter(id__in=[tracking_id for tracking_id, _ in due], next_poll_at__lte=now).update(
        next_poll_at=now + LEASE
    )
    by_carrier: dict[str, list[int]] = defaultdict(list)
    for tracking_id, slug in due:
        by_carrier[slug].append(tracking_id)
    return [
        Batch(slug, ids[start : start + carriers[slug].batch_size])
        for slug, ids in by_carrier.items()
        for start in range(0, len(ids), carriers[slug].batch_size)
    ]


# -- one poll ------------------------------------------------------------------------------------


@dataclass
class PollReport:
    polled: int = 0
    skipped: int = 0
    failed: int = 0
    changed: int = 0
    deferred_seconds: float | None = None  # set when the task should run again later (rate limit)
    pending_ticket: str = ""


def _claim(tracking_ids: list[int], now: datetime, claim: str) -> list[Tracking]:
    """Take each tracking once: a duplicate task finds them just polled and skips them; the same
    task redelivered after its worker died (same `claim`) takes them again."""
    claimed = []
    for tracking in Tracking.objects.filter(id__in=tracking_ids).select_related("parcel"):
        if tracking.stopped_at or tracking.parcel.archived_at:
            continue
        taken_by_another = Q(last_polled_at__gte=now - MIN_REPOLL) & ~Q(claimed_by=claim)
        if (
            Tracking.objects.filter(pk=tracking.pk)
            .exclude(taken_by_another)
            .update(last_polled_at=now, claimed_by=claim)
            == 1
        ):
            tracking.last_polled_at = now
            claimed.append(tracking)
    return claimed


def poll_run(
    *, carrier_slug: str, tracking_ids: list[int], claim: str = "", now: datetime | None = None
) -> PollReport:
    """Ask one carrier about a batch of trackings and ingest what it says. `claim` names the
    run (the Celery task id), so that only its own redelivery may repeat it."""
    now = now or timezone.now()
    claim = claim or uuid.uuid4().hex
    carrier = carrier_get(carrier_slug, record=exchange_record)
    report = PollReport()
    if not carrier.enabled:
        return report
    trackings = _claim(tracking_ids, now, claim)
    report.skipped = len(tracking_ids) - len(trackings)
    if not trackings:
        return report
    codes = sorted({tracking.parcel.code for tracking in trackings})
    try:
        refused = _register(carrier, trackings, now)
        wait = carrier_slot_acquire(carrier=carrier, requests=len(codes) if carrier.batch_size == 1 else 1)
        if wait > MAX_SLOT_WAIT_SECONDS:
            _release(trackings)
            report.deferred_seconds = wait
            return report
        time.sleep(max(wait, 0))
        answer = carrier.track([code for code in codes if code not in refused])
    except BudgetSpent:
        tomorrow = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
        Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(
            next_poll_at=tomorrow + timedelta(minutes=random.uniform(0, 120)),  # noqa: S311
            last_polled_at=None,
            last_error="daily request budget spent",
        )
        return report
    except CarrierError as error:
        carrier_failed(slug=carrier.slug, error=error, now=now)
        for tracking in trackings:
            _tracking_failed(tracking, error, now)
        report.failed = len(trackings)
        return report
    carrier_succeeded(slug=carrier.slug, now=now)
    if isinstance(answer, Pending):
        CarrierTicket.objects.create(
            carrier=carrier.slug, token=answer.token, codes=codes, collect_after=now + answer.collect_after
        )
        Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(
            next_poll_at=now + answer.collect_after + TICKET_LIFETIME
        )
        report.pending_ticket = answer.token
        return report
    answer.update(refused)
    outcome = results_apply(carrier=carrier, trackings=trackings, results=answer, now=now)
    report.polled, report.failed, report.changed = outcome.polled, outcome.failed, outcome.changed
    return report


def _release(trackings: list[Tracking]) -> None:
    Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(last_polled_at=None)


def _register(carrier: Carrier, trackings: list[Tracking], now: datetime) -> dict[str, CodeResult]:
    """Carriers that must be told about a code first (17TRACK) spend their quota once per code."""
    register = getattr(carrier, "register", None)
    fresh = [tracking for tracking in trackings if tracking.registered_at is None]
    if register is None or not fresh:
        return {}
    codes = sorted({tracking.parcel.code for tracking in fresh})
    carrier_slot_acquire(carrier=carrier)
    outcome = register(codes)
    refused: dict[str, CodeResult] = {}
    for tracking in fresh:
        error = outcome.get(tracking.parcel.code)
        if tracking.parcel.code in outcome and error is None:
            Tracking.objects.filter(pk=tracking.pk).update(registered_at=now)
            tracking.registered_at = now
        else:
            refused[tracking.parcel.code] = CodeResult(error=error or CarrierError("not registered"))
    quota = carrier.quota() if hasattr(carrier, "quota") else None
    if quota:
        CarrierState.objects.filter(carrier=carrier.slug).update(quota_total=quota[0], quota_used=quota[1])
    return refused


@dataclass
class ApplyOutcome:
    polled: int = 0
    failed: int = 0
    changed: int = 0


def results_apply(
    *, carrier: Carrier, trackings: list[Tracking], results: dict[str, CodeResult], now: datetime
) -> ApplyOutcome:
    """Each tracking gets its code's result: events ingested, or its own error; never the batch's."""
    outcome = ApplyOutcome()
    for tracking in trackings:
        result = results.get(tracking.parcel.code)
        if result is None or result.error is not None:
            _tracking_failed(
                tracking, result.error if result else CarrierError("no answer for this code"), now
            )
            outcome.failed += 1
            continue
        outcome.changed += events_ingest(parcel=tracking.parcel, result=result, now=now)
        _tracking_succeeded(tracking, carrier, now)
        outcome.polled += 1
    return outcome


def _poll_state(tracking: Tracking, failures: int) -> PollState:
    parcel = tracking.parcel
    # Quiet since the carrier's last event, not since we first heard of it: a parcel added a
    # month after its delivery is not "recently delivered".
    return PollState(
        status=parcel.status,
        archived=parcel.archived_at is not None,
        added_at=parcel.created_at,
        last_change_at=parcel.last_event.happened_at if parcel.last_event_id else None,
        failures=failures,
    )


def _next_poll_at(
    tracking: Tracking, failures: int, now: datetime, time_scale: float = 1.0
) -> datetime | None:
    delay = next_poll_delay(_poll_state(tracking, failures), now=now)
    return None if delay is None else now + delay / time_scale


def _tracking_failed(tracking: Tracking, error: CarrierError, now: datetime) -> None:
    failures = tracking.failures + 1
    tracking.parcel.refresh_from_db()
    Tracking.objects.filter(pk=tracking.pk).update(
        failures=failures, last_error=str(error)[:300], next_poll_at=_next_poll_at(tracking, failures, now)
    )


def _tracking_succeeded(tracking: Tracking, carrier: Carrier, now: datetime) -> None:
    tracking.parcel.refresh_from_db()
    next_poll_at = _next_poll_at(tracking, 0, now, carrier.time_scale)
    Tracking.objects.filter(pk=tracking.pk).update(
        failures=0,
        last_error="",
        last_success_at=now,
        next_poll_at=next_poll_at,
        stopped_at=now if next_poll_at is None else None,
    )
    if next_poll_at is None:
        codes_stop(carrier=carrier, codes=[tracking.parcel.code])


def codes_stop(*, carrier: Carrier, codes: list[str]) -> list[str]:
    """Tell the carrier to stop following codes no parcel of anyone still follows there (one
    carrier account serves every user). Returns the codes stopped."""
    still_followed = set(
        Tracking.objects.filter(
            carrier=carrier.slug, parcel__code__in=codes, stopped_at__isnull=True
        ).values_list("parcel__code", flat=True)
    )
    unfollowed = sorted(set(codes) - still_followed)
    if unfollowed:
        try:
            carrier.stop(unfollowed)
        except CarrierError as error:  # the carrier keeps the codes a little longer; no harm
            logger.info("could not stop %s at %s: %s", unfollowed, carrier.slug, error)
    return unfollowed


# -- ingestion, exactly once ----------------------------------------------------------------------


def event_fingerprint(*, carrier: str, code: str, happened_at: datetime, raw_code: str, status: str) -> str:
    """Identity of an event that ignores the carrier's wording: who, which code, when (to the
    minute), and the carrier's operation code (or our status when it has none)."""
    minute = happened_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return hashlib.sha256(f"{carrier}|{code}|{minute}|{raw_code or status}".encode()).hexdigest()


def events_ingest(*, parcel: Parcel, result: CodeResult, now: datetime | None = None) -> int:
    """Upsert the result's events (a re-worded old event updates its row) and record a status
    change at most once. Returns 1 when the parcel's status changed here, else 0."""
    now = now or timezone.now()
    rows = [
        TrackingEvent(
            parcel=parcel,
            happened_at=event.time,
            status=event.status,
            description=event.description[:2000],
            location=event.location[:200],
            carrier=event.carrier,
            raw_code=event.raw_code[:64],
            fingerprint=event_fingerprint(
                carrier=event.carrier,
                code=parcel.code,
                happened_at=event.time,
                raw_code=event.raw_code,
                status=event.status,
            ),
        )
        for event in result.events
    ]
    # One row per fingerprint even if a carrier repeats an event inside one answer.
    unique_rows = list({row.fingerprint: row for row in rows}.values())
    if unique_rows:
        TrackingEvent.objects.bulk_create(
            unique_rows,
            update_conflicts=True,
            unique_fields=["parcel", "fingerprint"],
            update_fields=["description", "location", "status"],
        )
    return parcel_status_refresh(parcel=parcel, now=now)


def parcel_status_refresh(*, parcel: Parcel, now: datetime | None = None) -> int:
    """Derive the status from every carrier's events; write a change once (compare-and-swap)."""
    now = now or timezone.now()
    events = list(TrackingEvent.objects.filter(parcel=parcel).order_by("happened_at", "id"))
    if not events:
        return 0
    new_status = status_from_events(events)
    latest = events[-1]
    if Parcel.objects.filter(pk=parcel.pk).exclude(last_event=latest).update(last_event=latest):
        transaction.on_commit(lambda: parcel_changed.send(sender=Parcel, parcel=parcel))
    current = Parcel.objects.values_list("status", flat=True).get(pk=parcel.pk)
    if new_status == current:
        return 0
    cause = next(event for event in reversed(events) if event.status == new_status)
    with transaction.atomic():
        if not Parcel.objects.filter(pk=parcel.pk, status=current).update(
            status=new_status, status_changed_at=now
        ):
            return 0  # another worker recorded this change first
        # Decided here, behind the compare-and-swap: the first news ever about this parcel (it
        # may well be "delivered already", which is no news to its owner).
        first_sync = current == Status.NOT_FOUND and not StatusChange.objects.filter(parcel=parcel).exists()
        try:
            with transaction.atomic():
                change = StatusChange.objects.create(
                    parcel=parcel,
                    from_status=current,
                    to_status=new_status,
                    event=cause,
                    cause=cause.fingerprint,
                    first_sync=first_sync,
                )
            transaction.on_commit(lambda: status_changed.send(sender=StatusChange, change=change))
        except IntegrityError:
            # The same event already caused this change once (the status went away and came
            # back): the change stands, the row exists, the user was told then.
            pass
    parcel.status, parcel.last_event = new_status, latest
    return 1


# -- two-step carriers (Russian Post batch) ---------------------------------------------------------


def tickets_collect(*, now: datetime | None = None) -> int:
    """Collect the answers of due tickets; returns how many were collected."""
    now = now or timezone.now()
    collected = 0
    for ticket in CarrierTicket.objects.filter(collected_at__isnull=True, collect_after__lte=now):
        carrier = carrier_get(ticket.carrier, record=exchange_record)
        trackings = list(
            Tracking.objects.filter(carrier=ticket.carrier, parcel__code__in=ticket.codes).select_related(
                "parcel"
            )
        )
        if ticket.created_at < now - TICKET_LIFETIME:
            ticket.collected_at = now
            ticket.save(update_fields=["collected_at"])
            Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(next_poll_at=now)
            continue
        try:
            answer = carrier.collect(ticket.token, list(ticket.codes))
        except CarrierError as error:
            carrier_failed(slug=ticket.carrier, error=error, now=now)
            CarrierTicket.objects.filter(pk=ticket.pk).update(
                attempts=F("attempts") + 1, collect_after=now + timedelta(minutes=15)
            )
            continue
        if isinstance(answer, Pending):
            CarrierTicket.objects.filter(pk=ticket.pk).update(
                attempts=F("attempts") + 1, collect_after=now + answer.collect_after
            )
            continue
        # Claim the ticket once: a second collector finds it taken and ingests nothing.
        if not CarrierTicket.objects.filter(pk=ticket.pk, collected_at__isnull=True).update(collected_at=now):
            continue
        carrier_succeeded(slug=ticket.carrier, now=now)
        results_apply(carrier=carrier, trackings=trackings, results=answer, now=now)
        collected += 1
    return collected


# -- pushes (17TRACK webhook) ---------------------------------------------------------------------


def push_apply(*, carrier_slug: str, results: dict[str, CodeResult], stopped: bool = False) -> int:
    """A carrier pushed news: the same ingestion as a poll, for every parcel with that code."""
    now = timezone.now()
    carrier = carrier_get(carrier_slug)
    trackings = list(
        Tracking.objects.filter(carrier=carrier_slug, parcel__code__in=list(results)).select_related("parcel")
    )
    if stopped:
        return Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(
            stopped_at=now, next_poll_at=None
        )
    return results_apply(carrier=carrier, trackings=trackings, results=results, now=now).changed


# -- the Refresh button -------------------------------------------------------------------------------


def parcel_refresh(*, parcel: Parcel, now: datetime | None = None) -> list[Batch]:
    """Poll this parcel now at each of its carriers (the caller limits how often)."""
    now = now or timezone.now()
    trackings_start(parcel=parcel, now=now)
    trackings = list(Tracking.objects.filter(parcel=parcel, stopped_at__isnull=True))
    Tracking.objects.filter(pk__in=[t.pk for t in trackings]).update(
        next_poll_at=now + LEASE, last_polled_at=None
    )
    return [Batch(tracking.carrier, [tracking.pk]) for tracking in trackings]
