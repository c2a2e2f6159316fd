"""The one status vocabulary every carrier maps onto (values fixed; labels translatable)."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    NOT_FOUND = "not_found", _("Not found yet")
    INFO_RECEIVED = "info_received", _("Information received")
    IN_TRANSIT = "in_transit", _("In transit")
    CUSTOMS = "customs", _("Customs")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Waiting for pickup")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNING = "returning", _("Returning to sender")
    EXCEPTION = "exception", _("Problem")
    EXPIRED = "expired", _("No updates for a long time")


# Bootstrap colour of each status badge.
STATUS_COLOURS = {
    Status.NOT_FOUND: "secondary",
    Status.INFO_RECEIVED: "info",
    Status.IN_TRANSIT: "primary",
    Status.CUSTOMS: "warning",
    Status.AVAILABLE_FOR_PICKUP: "success",
    Status.OUT_FOR_DELIVERY: "success",
    Status.DELIVERY_FAILED: "danger",
    Status.DELIVERED: "success",
    Status.RETURNING: "danger",
    Status.EXCEPTION: "danger",
    Status.EXPIRED: "dark",
}


# A later event of one of these kinds does not undo a delivery: carriers often report a late
# "handed to courier" or a sorting scan after the parcel was handed over.
_DELIVERY_STICKS_AGAINST = {
    Status.INFO_RECEIVED,
    Status.IN_TRANSIT,
    Status.OUT_FOR_DELIVERY,
    Status.AVAILABLE_FOR_PICKUP,
    Status.CUSTOMS,
}


def status_from_events(events) -> str:
    """The parcel's status from all carriers' events (objects with `.status` and `.happened_at` or
    `.time`): the latest meaningful one. "Information received" never hides real movement; a
    delivery is final unless a later event says the parcel is returning or in trouble."""
    ordered = sorted(events, key=lambda event: getattr(event, "happened_at", None) or event.time)
    status = Status.NOT_FOUND
    for event in ordered:
        if event.status == Status.INFO_RECEIVED and status != Status.NOT_FOUND:
            continue
        if status == Status.DELIVERED and event.status in _DELIVERY_STICKS_AGAINST:
            continue
        # On its way back, the return leg's own scans (and even its hand-over to the sender) are
        # still "returning"; only a problem is news.
        if status == Status.RETURNING and event.status != Status.EXCEPTION:
            continue
        status = event.status
    return status
