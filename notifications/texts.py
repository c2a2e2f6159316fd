"""What we tell the user: advice for each status and each alert, and a ready message to the seller.

Advice is translated; the seller message stays in English, the language sellers read.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from notifications.models import AlertRule
from parcels.status import Status

IMPORTANT_STATUSES = {
    Status.AVAILABLE_FOR_PICKUP,
    Status.DELIVERED,
    Status.DELIVERY_FAILED,
    Status.RETURNING,
    Status.EXCEPTION,
    Status.EXPIRED,
}


def status_advice(status: str) -> str:
    advice = {
        Status.INFO_RECEIVED: _(
            "The seller registered the parcel; the carrier has not got it yet. The first scans usually "
            "follow within a few days."
        ),
        Status.CUSTOMS: _(
            "Customs can hold a parcel for up to about three weeks; the status stays the same meanwhile."
        ),
        Status.AVAILABLE_FOR_PICKUP: _(
            "Take your passport and the notice (or the code from the post's app) to the office. Storage is "
            "limited, usually 30 days, then the parcel goes back to the sender."
        ),
        Status.OUT_FOR_DELIVERY: _("A courier has it: keep your phone at hand."),
        Status.DELIVERY_FAILED: _("Arrange another delivery, or pick the parcel up at the office."),
        Status.DELIVERED: _(
            "If you did not get it, contact the post office at once: the sooner, the better."
        ),
        Status.RETURNING: _(
            "It is going back to the sender: ask the seller for a refund or to send it again."
        ),
        Status.EXCEPTION: _(
            "Check the carrier's page. If the parcel is lost or damaged, the sender has to ask the post to "
            "search for it: write to the seller."
        ),
    }
    return advice.get(status, "")


@dataclass(frozen=True)
class AlertText:
    advice: str
    seller_message: str = ""


def _day(value: str) -> str:
    return formats.date_format(date.fromisoformat(value), "DATE_FORMAT") if value else ""


def alert_text(rule: str, *, code: str, days: int, context: dict[str, str]) -> AlertText:
    deadline, storage, protection = (
        context.get("search_deadline", ""),
        context.get("storage_ends", ""),
        context.get("protection_ends_on", ""),
    )
    match rule:
        case AlertRule.NOT_TRACKED:
            return AlertText(
                _(
                    "Still no tracking %(days)d days after shipment. Write to the seller and ask them to check "
                    "the code: a short message is enough."
                )
                % {"days": days},
                f"Hello! The tracking number {code} is not tracked yet, {days} days after shipment. "
                "Please check where my parcel is. Thank you!",
            )
        case AlertRule.DISPUTE:
            return AlertText(
                _(
                    "%(days)d days without any tracking. If the seller has not helped, open a dispute on the "
                    "marketplace (“no tracking information”) before buyer protection ends; screenshots of the "
                    "empty tracking help."
                )
                % {"days": days},
                f"Hello! My parcel {code} still has no tracking information after {days} days. "
                "Please send it again or refund the order, otherwise I will have to open a dispute.",
            )
        case AlertRule.WENT_DARK:
            return AlertText(
                _(
                    "This kind of code is not followed after it leaves the sending country, so no news now is "
                    "normal. Such parcels usually arrive within 3 to 6 weeks: watch for the notice from your "
                    "post office."
                )
            )
        case AlertRule.TRANSIT_STALL:
            return AlertText(
                _(
                    "No movement for %(days)d days. Pauses of 7 to 14 days between export and import are usual, "
                    "up to 30 around the holidays; if it lasts longer, ask the seller."
                )
                % {"days": days},
                f"Hello! My parcel {code} has not moved for {days} days. Could you please check with the carrier?",
            )
        case AlertRule.CUSTOMS_STALL:
            return AlertText(
                _(
                    "In customs for %(days)d days. Longer than three weeks usually means customs needs a "
                    "document or a payment: look for a message from customs or the post, or call them."
                )
                % {"days": days}
            )
        case AlertRule.MAYBE_LOST:
            return AlertText(
                _(
                    "No news for %(days)d days: the parcel may be lost. Only the sender (the seller) can ask the "
                    "post to search for it: ask them to, and keep buyer protection running meanwhile."
                )
                % {"days": days},
                f"Hello! My parcel {code} has had no updates for {days} days and may be lost. "
                "Please open a search request with the post and let me know, or refund the order.",
            )
        case AlertRule.SEARCH_DEADLINE:
            return AlertText(
                _(
                    "A search request can be filed until %(deadline)s; after that the post will not search. Ask the seller to file it now."
                )
                % {"deadline": _day(deadline)},
                f"Hello! My parcel {code} may be lost. The deadline for a search request at the post is "
                f"{deadline}. Please file it before then. Thank you!",
            )
        case AlertRule.PICKUP_WAITING:
            return AlertText(
                _(
                    "Your parcel has been waiting at the pickup office for %(days)d days. Storage ends about "
                    "%(storage)s; after that it goes back to the sender."
                )
                % {"days": days, "storage": _day(storage)}
            )
        case AlertRule.STORAGE_ENDING:
            return AlertText(
                _("Storage ends about %(storage)s: pick the parcel up before, or it goes back to the sender.")
                % {"storage": _day(storage)}
            )
        case AlertRule.PROTECTION_FIRST | AlertRule.PROTECTION_LAST:
            return AlertText(
                _(
                    "Buyer protection ends on %(date)s and the parcel has not arrived. Ask the seller to extend "
                    "it, or open a dispute before it ends."
                )
                % {"date": _day(protection)},
                f"Hello! My parcel {code} has not arrived yet and the buyer protection ends on {protection}. "
                "Could you please extend the protection time? Thank you!",
            )
    return AlertText("")
