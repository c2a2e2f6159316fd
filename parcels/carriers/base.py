"""The one small interface every carrier adapter implements, and the HTTP plumbing they share.

An adapter turns a list of codes into a `CodeResult` per code: events, or a typed error. Parsing is
a pure function of the raw body, so recorded responses are parsed without a network. An empty or
unreadable answer is an error, never "no events"; "not found yet" is said only when the carrier
said so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from parcels.status import Status

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 25


@dataclass(frozen=True)
class CarrierEvent:
    code: str
    time: datetime  # timezone-aware
    status: str  # a parcels.status.Status value
    description: str
    location: str
    carrier: str
    raw_code: str = ""  # the carrier's own operation code: part of the event's identity

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "time": self.time.isoformat(),
            "status": self.status,
            "description": self.description,
            "location": self.location,
            "carrier": self.carrier,
            "raw_code": self.raw_code,
        }


class CarrierError(Exception):
    """A carrier could not answer. `transient` errors are worth retrying later."""

    transient = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TransientCarrierError(CarrierError):
    transient = True


class BadAnswer(CarrierError):
    """The carrier answered something we cannot read: a changed format, a block page, a truncated body."""

    transient = True  # usually a glitch; a lasting change opens the circuit breaker


class CodeRefused(CarrierError):
    """The carrier refused this one code (unknown format, not registered, …)."""


@dataclass(frozen=True)
class CodeResult:
    events: tuple[CarrierEvent, ...] = ()
    error: CarrierError | None = None
    not_found: bool = False  # the carrier said it has nothing for this code yet

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Pending:
    """A two-step protocol accepted the codes; the answer is collected later with `token`."""

    token: str
    collect_after: timedelta


@dataclass
class Exchange:
    """One request and its answer, kept for the admin to debug a carrier that changed its format."""

    carrier: str
    request: str
    response: str = ""
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0


ExchangeRecorder = Callable[[Exchange], None]


def _no_recording(exchange: Exchange) -> None:
    pass


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(
            0.0,
            (
                parsedate_to_datetime(value) - datetime.now(parsedate_to_datetime(value).tzinfo)
            ).total_seconds(),
        )
    except (TypeError, ValueError):
        return None


class Carrier:
    """Base of every adapter. Subclasses set the class attributes and implement `track` and `parse`."""

    slug: str = ""
    name: str = ""
    batch_size: int = 1
    requests_per_second: float = 1.0
    daily_budget: int | None = None  # requests a day, when the carrier caps them
    # Served only when no other enabled carrier serves the code (17TRACK's quota is precious).
    fallback: bool = False
    # Polling delays are divided by this: the sandbox runs its journeys faster than real time.
    time_scale: float = 1.0

    def __init__(self, *, settings: dict, record: ExchangeRecorder = _no_recording):
        self.settings = settings
        self.record = record
        self._session: requests.Session | None = None

    # -- what subclasses provide ------------------------------------------------------------

    def missing_settings(self) -> list[str]:
        """Names of settings this carrier needs and does not have; empty when it can run."""
        return []

    def serves(self, recognition) -> bool:
        raise NotImplementedError

    def track(self, codes: list[str]) -> dict[str, CodeResult] | Pending:
        raise NotImplementedError

    def collect(self, token: str, codes: list[str]) -> dict[str, CodeResult] | Pending:
        """Second step of a two-step protocol (see `Pending`)."""
        raise NotImplementedError

    def stop(self, codes: list[str]) -> None:
        """Tell the carrier we no longer need updates (delivered or deleted parcels)."""

    # -- shared -------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return not self.missing_settings()

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            # Quick retries of connection failures only; 429 and 5xx are left to the engine,
            # which backs off per carrier and honours Retry-After without blocking a worker.
            retry = Retry(
                total=2,
                connect=2,
                read=False,  # re-raise a read timeout as itself, not as a generic connection error
                status=0,
                other=0,
                backoff_factor=0.3,
                allowed_methods=None,
                respect_retry_after_header=False,
                raise_on_status=False,
            )
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.headers["User-Agent"] = "parcel-tracker/1.0 (self-hosted)"
            self._session = session
        return self._session

    def http(self, method: str, url: str, *, summary: str, **kwargs) -> requests.Response:
        """One HTTP call with timeouts, typed errors, and the exchange recorded."""
        exchange = Exchange(carrier=self.slug, request=f"{method} {url}\n{summary}"[:20_000])
        started = time.monotonic()
        try:
            timeout = (CONNECT_TIMEOUT, float(self.settings.get("timeout") or READ_TIMEOUT))
            response = self.session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout as error:
            exchange.error = f"timeout: {error}"
            raise TransientCarrierError(f"{self.name} did not answer in time") from error
        except requests.RequestException as error:
            exchange.error = f"{error.__class__.__name__}: {error}"
            raise TransientCarrierError(f"{self.name} is unreachable: {error.__class__.__name__}") from error
        else:
            exchange.status_code = response.status_code
            exchange.response = response.text[:20_000]
        finally:
            exchange.duration_ms = int((time.monotonic() - started) * 1000)
            self.record(exchange)
        if response.status_code == 429:
            raise TransientCarrierError(
                f"{self.name} asks to slow down (429)", retry_after=_retry_after_seconds(response)
            )
        if response.status_code >= 500:
            raise TransientCarrierError(
                f"{self.name} answered {response.status_code}", retry_after=_retry_after_seconds(response)
            )
        if response.status_code >= 400:
            raise CarrierError(f"{self.name} refused the request ({response.status_code})")
        if not response.content.strip():
            raise BadAnswer(f"{self.name} answered with an empty body")
        return response


def results_for_missing(
    codes: list[str], results: dict[str, CodeResult], carrier: str
) -> dict[str, CodeResult]:
    """Every asked code gets a result: one the carrier silently left out is an error, not 'no events'."""
    for code in codes:
        results.setdefault(code, CodeResult(error=BadAnswer(f"{carrier} left {code} out of its answer")))
    return results


@dataclass
class StatusMap:
    """A carrier's codes onto our vocabulary, with a default for codes we have not met."""

    table: dict[str, str] = field(default_factory=dict)
    default: str = Status.IN_TRANSIT

    def __call__(self, *keys: str) -> str:
        for key in keys:
            if key and key in self.table:
                return self.table[key]
        return self.default
