"""17TRACK API v2.2: register codes once (the quota is small), read them 40 at a time, stop them
when done; and its push webhook, ingested through the same parser."""

import hashlib
import hmac
import json
from datetime import datetime

from parcels.carriers.base import (
    BadAnswer,
    Carrier,
    CarrierError,
    CarrierEvent,
    CodeRefused,
    CodeResult,
    results_for_missing,
)
from parcels.codes import CodeKind
from parcels.posts import SEVENTEEN_TRACK
from parcels.status import Status

DEFAULT_URL = "https://api.17track.net/track/v2.2"
NOT_REGISTERED = -18019902
ALREADY_REGISTERED = -18019901

# 17TRACK's main statuses; sub-statuses refine a few of them.
_MAIN_STATUS = {
    "NotFound": Status.NOT_FOUND,
    "InfoReceived": Status.INFO_RECEIVED,
    "InTransit": Status.IN_TRANSIT,
    "Expired": Status.EXPIRED,
    "AvailableForPickup": Status.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": Status.OUT_FOR_DELIVERY,
    "DeliveryFailure": Status.DELIVERY_FAILED,
    "Delivered": Status.DELIVERED,
    "Exception": Status.EXCEPTION,
}
_SUB_STATUS = {
    "InTransit_CustomsProcessing": Status.CUSTOMS,
    "InTransit_CustomsRequiringInformation": Status.CUSTOMS,
    "Exception_Returning": Status.RETURNING,
    "Exception_Returned": Status.RETURNING,
}
# Per-event stages, for events that carry no sub-status.
_STAGE = {
    "InfoReceived": Status.INFO_RECEIVED,
    "AvailableForPickup": Status.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": Status.OUT_FOR_DELIVERY,
    "Delivered": Status.DELIVERED,
    "Returning": Status.RETURNING,
    "Returned": Status.RETURNING,
    "DeliveryFailure": Status.DELIVERY_FAILED,
    "Exception": Status.EXCEPTION,
}


def status_for(sub_status: str, stage: str = "") -> str:
    if sub_status in _SUB_STATUS:
        return _SUB_STATUS[sub_status]
    if stage in _STAGE:
        return _STAGE[stage]
    return _MAIN_STATUS.get(sub_status.split("_", 1)[0], Status.IN_TRANSIT)


def _json(body: bytes) -> dict:
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadAnswer("17TRACK answered something that is not JSON") from error
    if not isinstance(answer, dict):
        raise BadAnswer("17TRACK answered JSON of an unexpected shape")
    return answer


def _events_of(item: dict) -> CodeResult:
    code = str(item["number"]).upper()
    track_info = item.get("track_info") or {}
    providers = (track_info.get("tracking") or {}).get("providers") or []
    events = []
    for provider in providers:
        provider_name = str((provider.get("provider") or {}).get("name") or "")
        for event in provider.get("events") or []:
            when = event.get("time_iso") or event.get("time_utc")
            if not when:
                continue  # 17TRACK leaves the time out of some undated carrier notes
            description = str(event.get("description") or "").strip()
            events.append(
                CarrierEvent(
                    code=code,
                    time=datetime.fromisoformat(str(when).replace("Z", "+00:00")),
                    status=status_for(str(event.get("sub_status") or ""), str(event.get("stage") or "")),
                    description=f"{description} ({provider_name})" if provider_name else description,
                    location=str(event.get("location") or ""),
                    carrier=SEVENTEEN_TRACK,
                    raw_code=str(event.get("sub_status") or event.get("stage") or ""),
                )
            )
    return CodeResult(events=tuple(events), not_found=not events)


def parse(body: bytes) -> dict[str, CodeResult]:
    """A gettrackinfo answer → a result per code. Pure."""
    answer = _json(body)
    if answer.get("code") != 0 or not isinstance(answer.get("data"), dict):
        raise BadAnswer(f"17TRACK refused the request: {str(answer)[:200]}")
    results: dict[str, CodeResult] = {}
    for item in answer["data"].get("accepted") or []:
        try:
            results[str(item["number"]).upper()] = _events_of(item)
        except (KeyError, TypeError, ValueError) as error:
            number = str((item or {}).get("number", "?")).upper()
            results[number] = CodeResult(error=BadAnswer(f"17TRACK sent an unreadable item: {error}"))
    for item in answer["data"].get("rejected") or []:
        number = str(item.get("number", "")).upper()
        error = item.get("error") or {}
        results[number] = CodeResult(error=CodeRefused(f"17TRACK: {error.get('message') or error}"))
    return results


def parse_webhook(body: bytes) -> tuple[str, dict[str, CodeResult]]:
    """A push (TRACKING_UPDATED or TRACKING_STOPPED) → its event name and the result for its code."""
    answer = _json(body)
    event = answer.get("event")
    data = answer.get("data")
    if (
        event not in {"TRACKING_UPDATED", "TRACKING_STOPPED"}
        or not isinstance(data, dict)
        or "number" not in data
    ):
        raise BadAnswer(f"not a 17TRACK push: {str(answer)[:200]}")
    if event == "TRACKING_STOPPED":
        return event, {}
    try:
        return event, {str(data["number"]).upper(): _events_of(data)}
    except (TypeError, ValueError) as error:
        raise BadAnswer(f"17TRACK push with an unreadable event: {error}") from error


def webhook_signature(body: bytes, key: str) -> str:
    """17TRACK signs a push as SHA-256 of the raw body, a slash and the account's key."""
    return hashlib.sha256(body + b"/" + key.encode()).hexdigest()


def webhook_signature_valid(body: bytes, signature: str, key: str) -> bool:
    return bool(key) and hmac.compare_digest(webhook_signature(body, key), signature.strip().lower())


class SeventeenTrackCarrier(Carrier):
    slug = SEVENTEEN_TRACK
    name = "17TRACK"
    batch_size = 40
    requests_per_second = 3.0
    fallback = True

    def missing_settings(self) -> list[str]:
        return [] if self.settings.get("key") else ["SEVENTEEN_TRACK_KEY"]

    def serves(self, recognition) -> bool:
        return recognition.kind not in {CodeKind.DEMO, CodeKind.ORDER_NUMBER} and not (
            set(recognition.problems) & {"empty", "too_long", "bad_characters"}
        )

    def _post(self, endpoint: str, payload: list) -> bytes:
        return self.http(
            "POST",
            f"{(self.settings.get('url') or DEFAULT_URL).rstrip('/')}/{endpoint}",
            summary=json.dumps(payload)[:2000],
            json=payload,
            headers={"17token": self.settings["key"]},
        ).content

    def register(self, codes: list[str]) -> dict[str, CarrierError | None]:
        """Spend quota on codes 17TRACK does not follow yet; None for each now registered."""
        answer = _json(self._post("register", [{"number": code} for code in codes]))
        if answer.get("code") != 0 or not isinstance(answer.get("data"), dict):
            raise BadAnswer(f"17TRACK refused the registration: {str(answer)[:200]}")
        outcome: dict[str, CarrierError | None] = {
            str(item["number"]).upper(): None for item in answer["data"].get("accepted") or []
        }
        for item in answer["data"].get("rejected") or []:
            error = item.get("error") or {}
            already = error.get("code") == ALREADY_REGISTERED
            outcome[str(item["number"]).upper()] = (
                None if already else CodeRefused(f"17TRACK: {error.get('message')}")
            )
        return outcome

    def quota(self) -> tuple[int, int] | None:
        data = _json(self._post("getquota", [])).get("data") or {}
        if "quota_total" in data:
            return int(data["quota_total"]), int(data.get("quota_used") or 0)
        return None

    def track(self, codes: list[str]) -> dict[str, CodeResult]:
        body = self._post("gettrackinfo", [{"number": code} for code in codes])
        return results_for_missing(codes, parse(body), self.name)

    def stop(self, codes: list[str]) -> None:
        self._post("stoptrack", [{"number": code} for code in codes])
