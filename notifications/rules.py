"""Stall and deadline rules. Pure: facts about a parcel and the user's thresholds in, the alerts
that are (or will be) due out, each with the episode that arms it. A new event starts a new
episode for the stall rules, so they fire again if the parcel stalls again.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from notifications.models import AlertRule
from parcels.deadlines import search_request_deadline
from parcels.status import Status

FINAL = {Status.DELIVERED, Status.RETURNING, Status.EXPIRED}
MOVING = {Status.IN_TRANSIT, Status.INFO_RECEIVED}
# A code that is not tracked end to end usually goes dark within a week of export.
DARK_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class ParcelFacts:
    code: str
    kind: str
    status: str
    trackable_end_to_end: bool | None
    added_at: datetime
    shipped_on: date | None
    first_event_at: datetime | None
    last_event_at: datetime | None
    last_event_key: str
    status_since: datetime | None
    protection_ends_on: date | None
    archived: bool


@dataclass(frozen=True)
class Due:
    rule: str
    episode: str
    at: datetime
    # Dates the message mentions (a deadline, a storage end): ISO strings, JSON-friendly.
    context: tuple[tuple[str, str], ...] = ()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def search_deadline(facts: ParcelFacts) -> datetime | None:
    if facts.first_event_at is None:
        return None
    return search_request_deadline(posted_at=facts.first_event_at, kind=facts.kind, code=facts.code)


def candidates(facts: ParcelFacts, limits) -> list[Due]:
    """Every alert this parcel can raise in its current state, due now or later."""
    if facts.archived:
        return []
    found: list[Due] = []
    days = lambda n: timedelta(days=n)  # noqa: E731

    if facts.last_event_at is None:
        start = day_start(facts.shipped_on) if facts.shipped_on else facts.added_at
        episode = f"start:{start.date().isoformat()}"
        found.append(Due(AlertRule.NOT_TRACKED, episode, start + days(limits.not_tracked_days)))
        found.append(Due(AlertRule.DISPUTE, episode, start + days(limits.dispute_days)))
    elif facts.status not in FINAL:
        last = facts.last_event_at
        if facts.status in MOVING and facts.trackable_end_to_end is False:
            found.append(Due(AlertRule.WENT_DARK, "once", last + DARK_AFTER))
        elif facts.status in MOVING:
            found.append(
                Due(AlertRule.TRANSIT_STALL, facts.last_event_key, last + days(limits.transit_stall_days))
            )
        if facts.status == Status.CUSTOMS:
            found.append(
                Due(AlertRule.CUSTOMS_STALL, facts.last_event_key, last + days(limits.customs_stall_days))
            )
        if facts.status == Status.AVAILABLE_FOR_PICKUP:
            since = facts.status_since or last
            storage_ends = since + days(limits.storage_days)
            episode = f"pickup:{since.isoformat()}"
            context = (("storage_ends", storage_ends.date().isoformat()),)
            found.append(
                Due(AlertRule.PICKUP_WAITING, episode, since + days(limits.pickup_reminder_days), context)
            )
            found.append(
                Due(
                    AlertRule.STORAGE_ENDING,
                    episode,
                    storage_ends - days(limits.storage_reminder_days),
                    context,
                )
            )
        else:
            found.append(Due(AlertRule.MAYBE_LOST, facts.last_event_key, last + days(limits.maybe_lost_days)))
            deadline = search_deadline(facts)
            # Reminded only while the parcel may be lost: silent long enough, window still open.
            remind = max(deadline - days(limits.search_reminder_days), last + days(limits.maybe_lost_days))
            if remind < deadline:
                context = (("search_deadline", deadline.date().isoformat()),)
                found.append(
                    Due(AlertRule.SEARCH_DEADLINE, f"posted:{facts.first_event_at.date()}", remind, context)
                )

    if facts.protection_ends_on and facts.status != Status.DELIVERED:
        ends = day_start(facts.protection_ends_on)
        episode = f"protection:{facts.protection_ends_on.isoformat()}"
        context = (("protection_ends_on", facts.protection_ends_on.isoformat()),)
        found.append(
            Due(
                AlertRule.PROTECTION_FIRST,
                episode,
                ends - days(limits.protection_first_reminder_days),
                context,
            )
        )
        found.append(
            Due(
                AlertRule.PROTECTION_LAST, episode, ends - days(limits.protection_last_reminder_days), context
            )
        )
    return found


# When the later reminder of an episode is due, the earlier one has nothing left to add.
SUPERSEDED_BY = {
    AlertRule.NOT_TRACKED: AlertRule.DISPUTE,
    AlertRule.PROTECTION_FIRST: AlertRule.PROTECTION_LAST,
    AlertRule.PICKUP_WAITING: AlertRule.STORAGE_ENDING,
}


def evaluate(
    facts: ParcelFacts, limits, *, now: datetime, raised: set[tuple[str, str]]
) -> tuple[list[Due], datetime | None]:
    """(alerts due now and not raised yet, when the next one comes due or None)."""
    every = candidates(facts, limits)
    reached = {(due.rule, due.episode) for due in every if due.at <= now} | raised
    pending = [
        due
        for due in every
        if (due.rule, due.episode) not in raised and (SUPERSEDED_BY.get(due.rule), due.episode) not in reached
    ]
    due_now = [due for due in pending if due.at <= now]
    later = [due.at for due in pending if due.at > now]
    return due_now, min(later, default=None)
