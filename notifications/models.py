from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import Parcel


class StatusChoice(models.TextChoices):
    ALL = "all", _("Every status change")
    IMPORTANT = "important", _("Only the important ones: waiting for pickup, delivered, problems")
    NONE = "none", _("None")


class NotificationSettings(models.Model):
    """A user's preferences; the defaults come from what buyers live through (see DOMAIN.md)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    status_changes = models.CharField(
        _("status changes to tell me about"),
        max_length=12,
        choices=StatusChoice.choices,
        default=StatusChoice.ALL,
    )
    deadline_alerts = models.BooleanField(_("stall and deadline alerts"), default=True)
    email_enabled = models.BooleanField(_("send email"), default=True)
    not_tracked_days = models.PositiveSmallIntegerField(_("not tracked yet after (days)"), default=10)
    dispute_days = models.PositiveSmallIntegerField(
        _("suggest a dispute after (days without tracking)"), default=15
    )
    transit_stall_days = models.PositiveSmallIntegerField(_("no movement in transit for (days)"), default=14)
    customs_stall_days = models.PositiveSmallIntegerField(_("no movement in customs for (days)"), default=21)
    maybe_lost_days = models.PositiveSmallIntegerField(_("silent, may be lost, after (days)"), default=30)
    search_reminder_days = models.PositiveSmallIntegerField(
        _("remind before the search-request window closes (days)"), default=14
    )
    pickup_reminder_days = models.PositiveSmallIntegerField(
        _("remind about a parcel waiting after (days)"), default=5
    )
    storage_days = models.PositiveSmallIntegerField(
        _("storage period at the pickup office (days)"), default=30
    )
    storage_reminder_days = models.PositiveSmallIntegerField(
        _("remind before storage ends (days)"), default=5
    )
    protection_first_reminder_days = models.PositiveSmallIntegerField(
        _("first reminder before buyer protection ends (days)"), default=5
    )
    protection_last_reminder_days = models.PositiveSmallIntegerField(
        _("last reminder before buyer protection ends (days)"), default=1
    )

    def __str__(self) -> str:
        return f"settings of {self.user_id}"


class Channel(models.Model):
    """Another way to reach the user (Telegram, ntfy, Discord, Slack, …) through an Apprise URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channels")
    label = models.CharField(_("name"), max_length=60)
    url = models.CharField(_("Apprise URL"), max_length=500)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label


class AlertRule(models.TextChoices):
    NOT_TRACKED = "not_tracked", _("Not tracked yet")
    DISPUTE = "dispute", _("Still not tracked: time for a dispute")
    WENT_DARK = "went_dark", _("Not tracked after export")
    TRANSIT_STALL = "transit_stall", _("No movement in transit")
    CUSTOMS_STALL = "customs_stall", _("Held in customs")
    MAYBE_LOST = "maybe_lost", _("Silent for a long time: may be lost")
    SEARCH_DEADLINE = "search_deadline", _("The window for a search request closes soon")
    PICKUP_WAITING = "pickup_waiting", _("Waiting at the pickup office")
    STORAGE_ENDING = "storage_ending", _("Storage at the pickup office ends soon")
    PROTECTION_FIRST = "protection_first", _("Buyer protection ends soon")
    PROTECTION_LAST = "protection_last", _("Buyer protection ends tomorrow")


class Alert(models.Model):
    """A stall or deadline rule fired for a parcel: once per episode, claimed once for delivery."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(max_length=24, choices=AlertRule.choices)
    # What re-arms the rule: the parcel's last event, a date the user set, …
    episode = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint("parcel", "rule", "episode", name="alert_once_per_episode")]
        indexes = [
            models.Index(
                fields=["created_at"], name="alert_unprocessed", condition=models.Q(processed_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.rule}"


class Message(models.Model):
    """One message to one channel (an email, or one Apprise channel), possibly a digest."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL)  # None: email
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    changes = models.ManyToManyField("parcels.StatusChange", blank=True, related_name="messages")
    alerts = models.ManyToManyField(Alert, blank=True, related_name="messages")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.subject}"


class Notification(models.Model):
    """One attempt to send a message, whatever came of it."""

    class Outcome(models.TextChoices):
        SENT = "sent"
        RETRY = "retry", _("failed, will retry")
        FAILED = "failed", _("failed for good")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    channel = models.CharField(max_length=80)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.outcome}"
