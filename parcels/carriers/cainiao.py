"""Cainiao global tracking: public JSON, no key, several codes per request."""

import json
import re
from datetime import UTC, datetime, timedelta, timezone

from parcels.carriers.base import BadAnswer, Carrier, CarrierEvent, CodeResult, results_for_missing
from parcels.posts import CAINIAO
from parcels.status import Status

DEFAULT_URL = "https://global.cainiao.com/global/detail.json"

# Cainiao's action codes name a stage; the same words recur across its many codes, so rules on
# the words map codes we have never met. First match wins.
_ACTION_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"RETURN"), Status.RETURNING),
    (re.compile(r"FAIL|EXCEPTION|REJECT"), Status.DELIVERY_FAILED),
    (re.compile(r"SIGN|DELIVERED"), Status.DELIVERED),
    (re.compile(r"SELF_PICK|PICKUP_READY|STA_INBOUND|WAIT_PICK"), Status.AVAILABLE_FOR_PICKUP),
    (re.compile(r"DELIVERING|DISPATCH_DELIVER|OUT_FOR"), Status.OUT_FOR_DELIVERY),
    (re.compile(r"^CC_IM_SUCCESS|CC_HO_OUT|CUSTOMS_RELEASE"), Status.IN_TRANSIT),
    (re.compile(r"^CC_IM|CC_HO_IN|CUSTOMS"), Status.CUSTOMS),
    (re.compile(r"CREATE|WAIT_ACCEPT|ORDER"), Status.INFO_RECEIVED),
)
_ZONE = re.compile(r"GMT([+-])(\d{1,2})(?::?(\d{2}))?")


def status_for_action(action: str) -> str:
    for pattern, status in _ACTION_RULES:
        if pattern.search(action.upper()):
            return status
    return Status.IN_TRANSIT


def _event_time(detail: dict) -> datetime:
    if isinstance(detail.get("time"), int | float):
        return datetime.fromtimestamp(detail["time"] / 1000, tz=UTC)
    zone = _ZONE.match(str(detail.get("timeZone") or "GMT+8"))
    offset = (
        timedelta(hours=int(zone.group(2)), minutes=int(zone.group(3) or 0)) if zone else timedelta(hours=8)
    )
    if zone and zone.group(1) == "-":
        offset = -offset
    return datetime.strptime(str(detail["timeStr"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(offset))


def parse(body: bytes) -> dict[str, CodeResult]:
    """Cainiao's answer → a result per code. Pure."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadAnswer("Cainiao answered something that is not JSON (blocked or changed?)") from error
    if (
        not isinstance(answer, dict)
        or answer.get("success") is not True
        or not isinstance(answer.get("module"), list)
    ):
        raise BadAnswer(f"Cainiao did not answer with success: {str(answer)[:200]}")
    results: dict[str, CodeResult] = {}
    for item in answer["module"]:
        code = str((item or {}).get("mailNo") or "").upper()
        if not code:
            continue
        try:
            events = tuple(
                CarrierEvent(
                    code=code,
                    time=_event_time(detail),
                    status=status_for_action(str(detail.get("actionCode") or "")),
                    description=str(detail.get("standerdDesc") or detail.get("desc") or "").strip(),
                    location=str(detail.get("location") or ""),
                    carrier=CAINIAO,
                    raw_code=str(detail.get("actionCode") or ""),
                )
                for detail in item.get("detailList") or []
            )
        except (KeyError, TypeError, ValueError) as error:
            results[code] = CodeResult(
                error=BadAnswer(f"Cainiao sent an unreadable event for {code}: {error}")
            )
            continue
        # An unknown code comes back as a "successful" item without events: nothing yet.
        results[code] = CodeResult(events=events, not_found=not events)
    return results


class CainiaoCarrier(Carrier):
    slug = CAINIAO
    name = "Cainiao"
    batch_size = 10
    requests_per_second = 1.0

    def missing_settings(self) -> list[str]:
        return [] if self.settings.get("enabled", True) else ["CAINIAO_ENABLED"]

    def serves(self, recognition) -> bool:
        return CAINIAO in recognition.carriers

    def track(self, codes: list[str]) -> dict[str, CodeResult]:
        response = self.http(
            "GET",
            self.settings.get("url") or DEFAULT_URL,
            summary=",".join(codes),
            params={"mailNos": ",".join(codes), "lang": "en-US"},
        )
        return results_for_missing(codes, parse(response.content), self.name)
