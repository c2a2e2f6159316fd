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
