"""The carrier registry: every adapter, configured from settings.CARRIERS.

Adding a carrier is one module with a `Carrier` subclass, listed here, plus its tests.
"""

from django.conf import settings

from parcels.carriers.base import Carrier, ExchangeRecorder
from parcels.carriers.cainiao import CainiaoCarrier
from parcels.carriers.russian_post import RussianPostCarrier
from parcels.carriers.sandbox import SandboxCarrier
from parcels.carriers.seventeen_track import SeventeenTrackCarrier

CARRIER_CLASSES: tuple[type[Carrier], ...] = (
    SandboxCarrier,
    RussianPostCarrier,
    CainiaoCarrier,
    SeventeenTrackCarrier,
)


def carrier_get(slug: str, *, record: ExchangeRecorder | None = None) -> Carrier:
    for carrier_class in CARRIER_CLASSES:
        if carrier_class.slug == slug:
            config = settings.CARRIERS.get(slug, {})
            return carrier_class(settings=config, **({"record": record} if record else {}))
    raise KeyError(f"unknown carrier {slug!r}")


def carriers_all(*, record: ExchangeRecorder | None = None) -> list[Carrier]:
    return [carrier_get(carrier_class.slug, record=record) for carrier_class in CARRIER_CLASSES]


def carriers_serving(recognition, *, record: ExchangeRecorder | None = None) -> list[Carrier]:
    """The enabled carriers to follow a code with: every specific one that serves it, else the
    fallback (17TRACK, whose free quota is small)."""
    serving = [carrier for carrier in carriers_all(record=record) if carrier.serves(recognition)]
    specific = [carrier for carrier in serving if carrier.enabled and not carrier.fallback]
    return specific or [carrier for carrier in serving if carrier.enabled and carrier.fallback]
