"""SANDBOX — a demo carrier that makes journeys up. It never talks to anyone real.

It serves only `DEMO` codes (digits after DEMO; the last digit picks the scenario). A journey
starts the first time the sandbox is asked about a code and advances with the clock, `time_scale`
times faster than real time, so a demo user sees a whole journey in minutes.
"""

from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from parcels.carriers.base import Carrier, CarrierEvent, CodeResult
from parcels.codes import CodeKind
from parcels.status import Status

H = 3600  # seconds in an hour of the journey

_DEPARTURE = [
    (0, Status.INFO_RECEIVED, "Electronic information received (demo)", "Shenzhen, CN"),
    (30 * H, Status.IN_TRANSIT, "Accepted at the post office (demo)", "Shenzhen, CN"),
    (60 * H, Status.IN_TRANSIT, "Left the sorting centre (demo)", "Guangzhou, CN"),
    (120 * H, Status.IN_TRANSIT, "Export: handed over to the airline (demo)", "Guangzhou, CN"),
]
_ARRIVAL = [
    (260 * H, Status.IN_TRANSIT, "Import: arrived in the destination country (demo)", "Moscow, RU"),
    (270 * H, Status.CUSTOMS, "Received by customs (demo)", "Moscow, RU"),
]
_RELEASE = [
    (300 * H, Status.IN_TRANSIT, "Released by customs (demo)", "Moscow, RU"),
    (330 * H, Status.IN_TRANSIT, "Sorting (demo)", "Moscow, RU"),
    (380 * H, Status.AVAILABLE_FOR_PICKUP, "Arrived at the delivery office (demo)", "101000 Moscow, RU"),
]
_CUSTOMS_DELAY = 21 * 24 * H

SCENARIOS: dict[str, list[tuple[int, str, str, str]]] = {
    "delivered": [
        *_DEPARTURE,
        *_ARRIVAL,
        *_RELEASE,
        (420 * H, Status.DELIVERED, "Delivered to the recipient (demo)", "101000 Moscow, RU"),
    ],
    "customs_delay": [
        *_DEPARTURE,
        *_ARRIVAL,
        *[(offset + _CUSTOMS_DELAY, status, text, place) for offset, status, text, place in _RELEASE],
        (
            420 * H + _CUSTOMS_DELAY,
            Status.DELIVERED,
            "Delivered to the recipient (demo)",
            "101000 Moscow, RU",
        ),
    ],
    "lost": _DEPARTURE,
    "returned": [
        *_DEPARTURE,
        *_ARRIVAL,
        *_RELEASE,
        (
            380 * H + 30 * 24 * H,
            Status.RETURNING,
            "Storage period expired: returned to the sender (demo)",
            "101000 Moscow, RU",
        ),
    ],
    "pickup": [*_DEPARTURE, *_ARRIVAL, *_RELEASE],
    "never": [],
}
SCENARIO_BY_LAST_DIGIT = ["delivered", "customs_delay", "lost", "returned", "pickup", "never"]


def scenario_for(code: str) -> str:
    return SCENARIO_BY_LAST_DIGIT[int(code[-1]) % len(SCENARIO_BY_LAST_DIGIT)]


def journey(code: str, *, started: datetime, now: datetime, time_scale: float) -> list[CarrierEvent]:
    """The events of `code`'s journey that have happened by `now` (pure)."""
    events = []
    for step, (offset, status, description, location) in enumerate(SCENARIOS[scenario_for(code)]):
        happened = started + timedelta(seconds=offset / time_scale)
        if happened <= now:
            # Each step is its own operation: compressed time may put several in one minute.
            events.append(
                CarrierEvent(
                    code, happened, status, description, location, SandboxCarrier.slug, f"step{step}"
                )
            )
    return events


class SandboxCarrier(Carrier):
    slug = "sandbox"
    name = "Sandbox (demo)"
    batch_size = 50
    requests_per_second = 50.0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.time_scale = float(self.settings.get("time_scale") or 1.0)

    def missing_settings(self) -> list[str]:
        return [] if self.settings.get("enabled") else ["SANDBOX_ENABLED"]

    def serves(self, recognition) -> bool:
        return recognition.kind == CodeKind.DEMO

    def track(self, codes: list[str]) -> dict[str, CodeResult]:
        now = timezone.now()
        results = {}
        for code in codes:
            # The journey starts when the sandbox first hears of the code.
            cache.add(f"sandbox:start:{code}", now.timestamp(), timeout=None)
            started = datetime.fromtimestamp(cache.get(f"sandbox:start:{code}", now.timestamp()), tz=UTC)
            events = journey(code, started=started, now=now, time_scale=self.time_scale)
            results[code] = CodeResult(events=tuple(events), not_found=not events)
        return results
