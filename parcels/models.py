from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from parcels.codes import CodeKind, Recognition, identify
from parcels.status import STATUS_COLOURS, Status


class StatusDisplay:
    """Badge colour and label of a model with a `status` from the shared vocabulary."""

    status: str

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[Status(self.status)]

    @property
    def status_label(self) -> str:
        # get_status_display() translates every choice on each call; this translates one.
        return str(Status(self.status).label)


class Folder(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="folder_unique_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Parcel(StatusDisplay, models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parcels")
    code = models.CharField(_("track code"), max_length=64)
    typed_code = models.CharField(_("code as typed"), max_length=200, blank=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    folder = models.ForeignKey(
        Folder,
        verbose_name=_("folder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parcels",
    )
    kind = models.CharField(_("kind of code"), max_length=20, choices=CodeKind.choices)
    code_valid = models.BooleanField(
        _("code is valid"), help_text=_("False when the user added a code that failed its checks.")
    )
    origin_country = CountryField(_("from"), blank=True)
    destination_country = CountryField(_("to"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NOT_FOUND)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_event = models.ForeignKey(
        "TrackingEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    protection_ends_on = models.DateField(
        _("buyer protection ends on"),
        null=True,
        blank=True,
        help_text=_("The marketplace's buyer-protection timer: we remind you before it runs out."),
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    notifications_muted = models.BooleanField(_("mute notifications"), default=False)
    # When a stall or deadline rule may next come due (set by the notifications app): the
    # hourly check reads this index instead of every parcel.
    next_alert_check_at = models.DateTimeField(null=True, blank=True)
    # Code and comment case-folded in Python: SQLite folds only ASCII, and users search in Russian.
    search_text = models.CharField(max_length=300, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint("owner", "code", name="parcel_unique_code_per_owner"),
        ]
        indexes = [
            models.Index(
                F("owner"),
                F("archived_at"),
                Coalesce("folder", 0),  # "no folder" first, on SQLite (no NULLS FIRST) and PostgreSQL
                F("created_at").desc(),
                F("id").desc(),
                name="parcel_dashboard_order",
            ),
            models.Index(fields=["owner", "status"], name="parcel_owner_status"),
            models.Index(
                fields=["next_alert_check_at"],
                name="parcel_alert_check_due",
                condition=models.Q(next_alert_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.comment}".strip()

    def save(self, *args, **kwargs) -> None:
        self.search_text = f"{self.code} {self.comment}".casefold()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"code", "comment"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("parcels:detail", args=[self.pk])

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def recognition(self) -> Recognition:
        return identify(self.code, destination=self.destination_country.code or None)


class TrackingEvent(StatusDisplay, models.Model):
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    happened_at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    carrier = models.CharField(_("carrier"), max_length=32)
    raw_code = models.CharField(_("carrier's event code"), max_length=64, blank=True)
    # Identifies an event independent of the carrier's wording (see parcels/services.py).
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_at", "-id"]
        constraints = [
            models.UniqueConstraint("parcel", "fingerprint", name="event_unique_fingerprint_per_parcel"),
        ]
        indexes = [models.Index(fields=["parcel", "-happened_at"], name="event_parcel_time")]

    def __str__(self) -> str:
        return f"{self.happened_at:%Y-%m-%d %H:%M} {self.description}"


class Tracking(models.Model):
    """One parcel followed at one carrier: when to ask next, and how the last asks went."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="trackings")
    carrier = models.CharField(max_length=32)
    # None: not polled any more (delivered, archived, stopped). The dispatcher's index.
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # The task that last claimed it: its redelivery after a crash may poll again at once.
    claimed_by = models.CharField(max_length=64, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)  # carriers that register codes first
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("parcel", "carrier", name="tracking_unique_carrier_per_parcel")
        ]
        indexes = [
            models.Index(
                fields=["next_poll_at"], name="tracking_due", condition=models.Q(next_poll_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}@{self.carrier}"


class StatusChange(models.Model):
    """A parcel's status changed: written once per change, claimed once by the notifications."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    event = models.ForeignKey(
        TrackingEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Fingerprint of the event that caused the change: a second writer of the same change collides.
    cause = models.CharField(max_length=64)
    # The first answer about a parcel: it may already be delivered, which is no news to the user.
    first_sync = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Which delivery run took this change (compare-and-swap on processed_at); see notifications.
    claim = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint("parcel", "to_status", "cause", name="status_change_once_per_cause"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], name="status_change_unprocessed", condition=models.Q(processed_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.from_status} → {self.to_status}"


class CarrierState(models.Model):
    """Shared by every worker: the carrier's rate limit, daily budget, quota and circuit breaker."""

    carrier = models.CharField(max_length=32, primary_key=True)
    next_request_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    budget_day = models.DateField(null=True, blank=True)
    budget_used = models.PositiveIntegerField(default=0)
    quota_total = models.PositiveIntegerField(null=True, blank=True)
    quota_used = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.carrier


class CarrierExchange(models.Model):
    """The last raw requests and answers per carrier (a bounded number), for the admin."""

    carrier = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    request = models.TextField()
    response = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.created_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class CarrierTicket(models.Model):
    """A two-step request (Russian Post's batch access): codes sent, answer collected later."""

    carrier = models.CharField(max_length=32)
    token = models.CharField(max_length=100, unique=True)
    codes = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    collect_after = models.DateTimeField()
    collected_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.token
