"""Writes of the notifications app: raising alerts, turning news into messages, sending them once.

Every StatusChange and Alert is claimed once (compare-and-swap on `processed_at`, with a claim
token naming the run that took it). Each message is sent once: pending → sending (a lease) → sent,
again by compare-and-swap, and every attempt is logged as a Notification row.
"""

import uuid
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import rules
from notifications.channels import SendError, apprise_send, email_send
from notifications.models import (
    Alert,
    AlertRule,
    Channel,
    Message,
    Notification,
    NotificationSettings,
    StatusChoice,
)
from notifications.texts import IMPORTANT_STATUSES, alert_text, status_advice
from parcels.models import Parcel, StatusChange, TrackingEvent
from parcels.status import Status

# The first news goes out at once; whatever follows within this window waits and goes together.
DIGEST_WINDOW = timedelta(minutes=5)
SENDING_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
RETRY_FIRST = timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS)
ALERT_CHECK_CAP = 5000
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def notification_settings_get(*, user: User) -> NotificationSettings:
    return NotificationSettings.objects.get_or_create(user=user)[0]


# -- alerts ----------------------------------------------------------------------------------


def _facts(parcel: Parcel) -> rules.ParcelFacts:
    events = TrackingEvent.objects.filter(parcel=parcel).order_by("happened_at", "id")
    first, last = events.first(), events.last()
    recognition = parcel.recognition
    return rules.ParcelFacts(
        code=parcel.code,
        kind=parcel.kind,
        status=parcel.status,
        trackable_end_to_end=recognition.trackable_end_to_end,
        added_at=parcel.created_at,
        shipped_on=parcel.shipped_on,
        first_event_at=first.happened_at if first else None,
        last_event_at=last.happened_at if last else None,
        last_event_key=last.fingerprint[:32] if last else "",
        status_since=parcel.status_changed_at,
        protection_ends_on=parcel.protection_ends_on,
        archived=parcel.archived_at is not None,
    )


def parcel_alerts_refresh(*, parcel: Parcel, now: datetime | None = None) -> list[Alert]:
    """Raise the parcel's alerts that are due (once per episode) and note when the next one is."""
    now = now or timezone.now()
    parcel.refresh_from_db()
    preferences = notification_settings_get(user=parcel.owner)
    if not preferences.deadline_alerts:
        Parcel.objects.filter(pk=parcel.pk).update(next_alert_check_at=None)
        return []
    raised = set(Alert.objects.filter(parcel=parcel).values_list("rule", "episode"))
    due_now, next_check = rules.evaluate(_facts(parcel), preferences, now=now, raised=raised)
    created = []
    for due in due_now:
        try:
            with transaction.atomic():
                created.append(Alert.objects.create(parcel=parcel, rule=due.rule, episode=due.episode))
        except IntegrityError:
            pass  # another run raised it first: once per episode is all we want
    Parcel.objects.filter(pk=parcel.pk).update(next_alert_check_at=next_check)
    return created


def alerts_check_due(*, now: datetime | None = None) -> set[int]:
    """The hourly check: only parcels whose next alert time has come (an indexed range).
    Returns the ids of users with new alerts."""
    now = now or timezone.now()
    users = set()
    for parcel in Parcel.objects.filter(next_alert_check_at__lte=now).order_by("next_alert_check_at")[
        :ALERT_CHECK_CAP
    ]:
        if parcel_alerts_refresh(parcel=parcel, now=now):
            users.add(parcel.owner_id)
    return users


# -- composing messages --------------------------------------------------------------------------


@dataclass
class Item:
    parcel: Parcel
    title: str
    status: str = ""
    events: list[TrackingEvent] = field(default_factory=list)
    advice: str = ""
    seller_message: str = ""


def _change_item(change: StatusChange) -> Item:
    previous = (
        StatusChange.objects.filter(parcel=change.parcel_id, created_at__lt=change.created_at)
        .order_by("-created_at")
        .first()
    )
    events = TrackingEvent.objects.filter(parcel=change.parcel_id).order_by("-happened_at", "-id")
    if previous is not None:
        events = events.filter(created_at__gt=previous.created_at)
    return Item(
        parcel=change.parcel,
        title=str(Status(change.to_status).label),
        status=change.to_status,
        events=list(events[:5]),
        advice=status_advice(change.to_status),
    )


def alert_days(alert: Alert, facts: rules.ParcelFacts, now: datetime) -> int:
    since = facts.last_event_at or facts.status_since or facts.added_at
    if alert.rule in {AlertRule.NOT_TRACKED, AlertRule.DISPUTE}:
        since = rules.day_start(facts.shipped_on) if facts.shipped_on else facts.added_at
    return max((now - since).days, 0)


def alert_item(alert: Alert, *, now: datetime | None = None) -> Item:
    """The alert as the user sees it, in the alerts page and in messages."""
    now = now or timezone.now()
    facts = _facts(alert.parcel)
    preferences = notification_settings_get(user=alert.parcel.owner)
    context = next(
        (dict(due.context) for due in rules.candidates(facts, preferences) if due.rule == alert.rule), {}
    )
    text = alert_text(alert.rule, code=alert.parcel.code, days=alert_days(alert, facts, now), context=context)
    return Item(
        parcel=alert.parcel,
        title=str(AlertRule(alert.rule).label),
        advice=text.advice,
        seller_message=text.seller_message,
    )


def _wanted(change: StatusChange, preferences: NotificationSettings) -> bool:
    if change.parcel.notifications_muted:
        return False
    # A parcel that was already delivered when it was added is no news (nor a return).
    if change.first_sync and change.to_status in {Status.DELIVERED, Status.RETURNING}:
        return False
    if preferences.status_changes == StatusChoice.NONE:
        return False
    return preferences.status_changes == StatusChoice.ALL or change.to_status in IMPORTANT_STATUSES


def unsubscribe_url(user: User) -> str:
    token = signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def unsubscribe_user(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user")).first()


def email_unsubscribe(*, user: User) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"email_enabled": False})


@contextmanager
def _users_locale(user: User):
    """Texts, dates and times as the user reads them: their language and time zone."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(user.effective_time_zone)):
        yield


def _render(user: User, items: list[Item]) -> tuple[str, str, str]:
    with _users_locale(user):
        if len(items) == 1:
            item = items[0]
            name = item.parcel.comment or item.parcel.code
            subject = f"{name}: {item.title}"
        else:
            subject = _("%(count)d updates on your parcels") % {"count": len(items)}
        context = {
            "user": user,
            "items": items,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe_url(user),
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    return subject[:300], text, html


def outbox_deliver(*, user: User, now: datetime | None = None) -> list[Message]:
    """Claim the user's unprocessed news once and turn it into one message per channel. News
    within the digest window of the last message waits (the every-minute sweep comes back)."""
    now = now or timezone.now()
    pending = (
        StatusChange.objects.filter(parcel__owner=user, processed_at=None).exists()
        or Alert.objects.filter(parcel__owner=user, processed_at=None).exists()
    )
    if not pending or Message.objects.filter(user=user, created_at__gt=now - DIGEST_WINDOW).exists():
        return []
    claim = uuid.uuid4()
    StatusChange.objects.filter(parcel__owner=user, processed_at=None).update(processed_at=now, claim=claim)
    Alert.objects.filter(parcel__owner=user, processed_at=None).update(processed_at=now, claim=claim)
    preferences = notification_settings_get(user=user)
    changes = [
        change
        for change in StatusChange.objects.filter(claim=claim)
        .select_related("parcel")
        .order_by("created_at", "id")
        if _wanted(change, preferences)
    ]
    alerts = [
        alert
        for alert in Alert.objects.filter(claim=claim).select_related("parcel").order_by("created_at", "id")
        if preferences.deadline_alerts and not alert.parcel.notifications_muted
    ]
    if not changes and not alerts:
        return []
    with _users_locale(user):
        items = [*map(_change_item, changes), *(alert_item(alert, now=now) for alert in alerts)]
        subject, text, html = _render(user, items)
    targets: list[Channel | None] = [None] if preferences.email_enabled and user.email else []
    targets += list(Channel.objects.filter(user=user, enabled=True))
    messages = []
    for channel in targets:
        message = Message.objects.create(
            user=user, channel=channel, subject=subject, text=text, html=html if channel is None else ""
        )
        message.changes.set(changes)
        message.alerts.set(alerts)
        messages.append(message)
    return messages


# -- sending, once ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    sent: bool = False
    retry_in: timedelta | None = None


def _message_id(message: Message) -> str:
    # The same id on a resend after a crash lets mail clients show the message once.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<parcel-tracker.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def message_send(*, message_id: int, now: datetime | None = None) -> SendOutcome:
    now = now or timezone.now()
    claimable = Q(state=Message.State.PENDING) | Q(state=Message.State.SENDING, lease_until__lt=now)
    if not Message.objects.filter(claimable, pk=message_id).update(
        state=Message.State.SENDING, lease_until=now + SENDING_LEASE, attempts=F("attempts") + 1
    ):
        return SendOutcome()  # sent, failed, or in another worker's hands
    message = Message.objects.select_related("user", "channel").get(pk=message_id)
    channel_name = message.channel.label if message.channel else f"email:{message.user.email}"
    try:
        if message.channel is None:
            email_send(
                to=message.user.email,
                subject=message.subject,
                text=message.text,
                html=message.html,
                message_id=_message_id(message),
                unsubscribe_url=unsubscribe_url(message.user),
            )
        else:
            apprise_send(url=message.channel.url, subject=message.subject, text=message.text)
    except SendError as error:
        return _send_failed(message, channel_name, error, now)
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.SENT, sent_at=now, lease_until=None, last_error=""
    )
    Notification.objects.create(message=message, channel=channel_name, outcome=Notification.Outcome.SENT)
    return SendOutcome(sent=True)


def _send_failed(message: Message, channel_name: str, error: SendError, now: datetime) -> SendOutcome:
    retry = error.transient and message.attempts < MAX_ATTEMPTS
    Notification.objects.create(
        message=message,
        channel=channel_name,
        outcome=Notification.Outcome.RETRY if retry else Notification.Outcome.FAILED,
        error=str(error)[:300],
    )
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.PENDING if retry else Message.State.FAILED,
        lease_until=None,
        last_error=str(error)[:300],
    )
    if retry:
        return SendOutcome(retry_in=RETRY_FIRST * 2 ** (message.attempts - 1))
    if message.channel is not None:
        Channel.objects.filter(pk=message.channel_id).update(
            enabled=False,
            disabled_reason=_("Turned off after it kept failing: %(error)s") % {"error": str(error)[:200]},
        )
    return SendOutcome()


def users_with_news() -> set[int]:
    """Users with unclaimed news (for the sweep that catches anything a lost task left behind)."""
    return set(
        StatusChange.objects.filter(processed_at=None).values_list("parcel__owner_id", flat=True)
    ) | set(Alert.objects.filter(processed_at=None).values_list("parcel__owner_id", flat=True))


def messages_stuck(*, now: datetime | None = None) -> list[int]:
    """Pending messages no task is working on, and sends whose worker died (lease expired)."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(
            Q(state=Message.State.PENDING, attempts=0, created_at__lt=now - 2 * RETRY_FIRST)
            | Q(state=Message.State.SENDING, lease_until__lt=now)
        ).values_list("id", flat=True)
    )


# -- preferences and channels --------------------------------------------------------------------------


def channel_add(*, user: User, label: str, url: str) -> Channel:
    return Channel.objects.create(user=user, label=label.strip() or url.split(":", 1)[0], url=url.strip())


def channel_test(*, channel: Channel) -> None:
    """Send a test now; raises SendError with the reason when it does not arrive."""
    with translation.override(channel.user.language or settings.LANGUAGE_CODE):
        apprise_send(
            url=channel.url,
            subject=_("Parcel tracker: test"),
            text=_("This channel works: parcel news will arrive here."),
        )
    Channel.objects.filter(pk=channel.pk).update(enabled=True, disabled_reason="")


def parcel_mute_set(*, parcel: Parcel, muted: bool) -> None:
    Parcel.objects.filter(pk=parcel.pk).update(notifications_muted=muted)
