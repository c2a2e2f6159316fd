"""What a pasted track code is: normalized, recognized, checked, and explained. Pure functions only.

`identify()` never raises on a string. Specific formats are tried before generic ones; a code is
`valid` only when its format is known and every check it carries (check digit, country) holds.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import tracking_numbers
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from parcels.posts import CAINIAO, CARRIER_SITES, NATIONAL_POSTS, RUSSIAN_POST, SANDBOX, SEVENTEEN_TRACK

MAX_CODE_LENGTH = 40
MIN_CODE_LENGTH = 8


class CodeKind(TextChoices):
    S10 = "s10", _("International postal item (UPU S10)")
    RUSSIAN_POST = "russian_post", _("Russian Post domestic barcode")
    MARKETPLACE = "marketplace", _("Marketplace logistics number")
    EXPRESS = "express", _("Express courier number")
    LOCAL = "local", _("Local number of a Chinese courier")
    ORDER_NUMBER = "order_number", _("Order number, not a track code")
    DEMO = "demo", _("Demo code (sandbox carrier)")
    UNKNOWN = "unknown", _("Unknown format")


class Problem(TextChoices):
    EMPTY = "empty", _("No code")
    BAD_CHARACTERS = "bad_characters", _("Characters a track code cannot have")
    TOO_SHORT = "too_short", _("Too short")
    TOO_LONG = "too_long", _("Too long")
    WRONG_CHECK_DIGIT = "wrong_check_digit", _("Wrong check digit")
    UNKNOWN_COUNTRY = "unknown_country", _("Unknown country code")
    ORDER_NUMBER = "order_number", _("Order number")
    UNKNOWN_FORMAT = "unknown_format", _("Unknown format")


@dataclass(frozen=True)
class Recognition:
    input: str
    code: str
    kind: str
    valid: bool
    country: str | None = None
    service: Any = None  # a (lazily translated) name, or None
    carriers: tuple[str, ...] = ()
    trackable_end_to_end: bool | None = None
    problems: tuple[str, ...] = ()
    advice: tuple[Any, ...] = ()
    changes: tuple[Any, ...] = ()
    expected_check_digit: str | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def country_name(self) -> str:
        return str(countries.name(self.country)) if self.country else ""

    @property
    def kind_label(self) -> str:
        return str(CodeKind(self.kind).label)

    @property
    def problem_labels(self) -> list[str]:
        return [str(Problem(problem).label) for problem in self.problems]

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "code": self.code,
            "kind": self.kind,
            "valid": self.valid,
            "country": self.country,
            "country_name": self.country_name or None,
            "service": str(self.service) if self.service is not None else None,
            "carriers": list(self.carriers),
            "trackable_end_to_end": self.trackable_end_to_end,
            "problems": list(self.problems),
            "advice": [str(text) for text in self.advice],
            "normalized": [str(text) for text in self.changes],
            "expected_check_digit": self.expected_check_digit,
            **({"details": self.details} if self.details else {}),
        }


# ---------------------------------------------------------------------------------------------
# Normalization

# Cyrillic capitals that look like Latin ones on a keyboard with the Russian layout.
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_SEPARATORS = {
    "spaces": re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+"),
    "dashes": re.compile(r"[-\u2010-\u2015\u2212_]+"),
    "dots": re.compile(r"[.\u00b7]+"),
}
_WRAPPING = re.compile(r"^[\"'«»“”„‘’()\[\]{}<>#№:;,]+|[\"'«»“”„‘’()\[\]{}<>#№:;,]+$")
_SEPARATOR_CHANGES = {
    "spaces": _("removed spaces"),
    "dashes": _("removed dashes"),
    "dots": _("removed dots"),
}


@dataclass(frozen=True)
class Normalized:
    code: str
    changes: tuple[Any, ...]


def normalize(raw: str) -> Normalized:
    changes: list[Any] = []
    text = unicodedata.normalize("NFKC", raw)
    if text != raw:
        changes.append(_("converted full-width characters"))
    stripped = text.strip()
    unwrapped = _WRAPPING.sub("", stripped)
    if unwrapped != stripped:
        changes.append(_("removed quotes and punctuation around the code"))
    text = unwrapped
    for name, pattern in _SEPARATORS.items():
        joined = pattern.sub("", text)
        if joined != text:
            changes.append(_SEPARATOR_CHANGES[name])
        text = joined
    upper = text.upper()
    if upper != text:
        changes.append(_("changed to capital letters"))
    latin = upper.translate(_CYRILLIC_LOOKALIKES)
    if latin != upper:
        replaced = sorted({c for c, latin_c in zip(upper, latin, strict=True) if c != latin_c})
        changes.append(
            _("replaced Cyrillic letters that look Latin: %(letters)s") % {"letters": ", ".join(replaced)}
        )
    return Normalized(code=latin, changes=tuple(changes))


# ---------------------------------------------------------------------------------------------
# Check digits


def s10_check_digit(serial: str) -> str:
    """The UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: "0", 11: "5"}.get(check, str(check))


def russian_post_check_digit(first13: str) -> str:
    """Russian Post's 14-digit barcode: digits 1, 3, …, 13 weigh 3, the others 1; mod 10."""
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(first13))
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------------------------------------
# Advice written from the domain facts (../shared/DOMAIN.md)

ADVICE_FIRST_EVENTS = _(
    "Tracking usually starts 7 to 14 days after the seller reports shipment: until then the carrier "
    "may show nothing, or only “information received”."
)
ADVICE_TRANSIT_GAP = _(
    "Between export and import there are often no events for 7 to 14 days, up to 30 in November and "
    "around New Year."
)
ADVICE_SEARCH_WINDOW = _(
    "If the parcel gets lost, the sender can ask the post to search for it within 6 months of posting."
)
ADVICE_SEARCH_WINDOW_EMS = _(
    "If the parcel gets lost, the sender can ask the post to search for it within 4 months of posting (EMS)."
)
ADVICE_UNREGISTERED = _(
    "An unregistered item: it is not tracked end to end. Events usually stop once it leaves "
    "%(country)s; it arrives without notice."
)
ADVICE_LETTER_POST = _(
    "Tracked letter-post is often tracked only partly: after export, the next event may be the "
    "arrival at your post office."
)
ADVICE_SAVER_LATVIA = _(
    "“AliExpress Saver Shipping” through Latvia: not tracked inside Russia. Russian Post shows only "
    "the arrival at your post office and the delivery."
)
ADVICE_WRONG_CHECK_DIGIT = _(
    "The check digit does not match: with these digits it should be %(expected)s. Look for a typo. "
    "If you copied the code exactly as the seller gave it, you can still add it."
)
ADVICE_UNKNOWN_COUNTRY = _(
    "“%(letters)s” is not a country code, so this is not a valid international postal code. Look for a "
    "typo in the last two letters."
)
ADVICE_S10_LENGTH = _(
    "An international postal code has 13 characters: 2 letters, 9 digits, 2 letters. This one has "
    "%(digits)s digits: a digit may be missing or doubled."
)
ADVICE_ORDER_NUMBER = _(
    "This looks like an order number, not a track code. Open the order on the marketplace and copy the "
    "track number from its shipping details."
)
ADVICE_LOCAL_NUMBER = _(
    "This looks like a local number of a Chinese courier: it is tracked only inside China and goes dark "
    "once the parcel leaves. Ask the seller for the international track number."
)
ADVICE_MAYBE_EXPRESS = _("It may also be a %(courier)s number: 17TRACK checks both.")
ADVICE_MARKETPLACE = _(
    "A logistics number of %(service)s: tracked by %(trackers)s, not by the post of your country. Near "
    "the end the parcel may get a local number, which appears in the events."
)
ADVICE_RUSSIAN_POST = _(
    "A Russian Post domestic item, posted at the office with postcode %(postcode)s (month %(month)s)."
)
ADVICE_TOO_SHORT = _(
    "Too short for a track code: they have at least 10 characters. Part of it may be missing."
)
ADVICE_TOO_LONG = _("Too long for a track code: several codes may have been pasted together.")
ADVICE_BAD_CHARACTERS = _(
    "A track code has only Latin letters and digits; this one also has: %(characters)s."
)
ADVICE_UNKNOWN_FORMAT = _(
    "This does not look like any format we know. Check it for typos. If the seller gave it exactly like "
    "this, you can still add it: 17TRACK will try to find the carrier."
)
ADVICE_EMPTY = _("Type or paste a track code.")
ADVICE_DEMO = _("A demo code: the sandbox carrier makes up its journey, nothing real is tracked.")
ADVICE_EXPRESS = _("An express courier's number: tracked by %(courier)s and 17TRACK.")


# ---------------------------------------------------------------------------------------------
# Recognizers, most specific first. Each returns a Recognition or None.

_S10 = re.compile(r"^([A-Z])([A-Z])(\d{8})(\d)([A-Z]{2})$")
_S10_WRONG_LENGTH = re.compile(r"^[A-Z]{2}(\d{6,12})[A-Z]{2}$")
_OZON_POSTING = re.compile(r"^\s*\d{8,10}-\d{4}(?:-\d{1,3})?\s*$")
_DEMO = re.compile(r"^DEMO\d{1,12}$")
_RUSSIAN_BARCODE = re.compile(r"^([1-6]\d{5})(0[1-9]|1[0-2])(\d{5})(\d)$")
_DIGITS = re.compile(r"^\d+$")
_ALPHANUMERIC = re.compile(r"^[A-Z0-9]+$")

S10_SERVICES: dict[str, tuple[Any, bool | None]] = {
    "E": (_("EMS"), True),
    "C": (_("parcel"), True),
    "R": (_("registered small packet or letter"), True),
    "L": (_("tracked letter-post"), None),
    "V": (_("insured item"), True),
    "U": (_("unregistered item"), False),
}

# (pattern, carrier site slug, service name, who tracks it)
MARKETPLACE_FORMATS: tuple[tuple[re.Pattern[str], str, str, tuple[str, ...]], ...] = (
    (re.compile(r"^LP\d{14}$"), CAINIAO, "Cainiao", (CAINIAO, SEVENTEEN_TRACK)),
    (
        re.compile(r"^(?:AEWH|SYAE|SYRM|SYCN|AELL)\d{9,14}$"),
        CAINIAO,
        "AliExpress / Cainiao",
        (CAINIAO, SEVENTEEN_TRACK),
    ),
    (re.compile(r"^YT\d{16}$"), "yunexpress", "YunExpress", (SEVENTEEN_TRACK,)),
    (re.compile(r"^[A-Z]{2}\d{9}YP$"), "yanwen", "Yanwen", (SEVENTEEN_TRACK,)),
    (re.compile(r"^4PX\d{10,16}(?:CN)?$"), "4px", "4PX", (SEVENTEEN_TRACK,)),
)

# Domestic Chinese couriers with letters in their numbers.
LOCAL_FORMATS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^SF\d{12,13}$"), "SF Express"),
    (re.compile(r"^JT\d{13}$"), "J&T Express"),
    (re.compile(r"^YT\d{13}$"), "YTO Express"),
    (re.compile(r"^JD[A-Z0-9]{10,18}$"), "JD Logistics"),
)


def _search_window(first_letter: str) -> Any:
    return ADVICE_SEARCH_WINDOW_EMS if first_letter == "E" else ADVICE_SEARCH_WINDOW


def _post_slugs(*countries_: str | None) -> list[str]:
    slugs: list[str] = []
    for country in countries_:
        post = NATIONAL_POSTS.get(country or "")
        if post and post.slug not in slugs:
            slugs.append(post.slug)
    return slugs


def _recognize_s10(code: str, destination: str | None) -> dict[str, Any] | None:
    match = _S10.match(code)
    if not match:
        wrong = _S10_WRONG_LENGTH.match(code)
        if wrong and len(wrong.group(1)) != 9:
            digits = len(wrong.group(1))
            return {
                "kind": CodeKind.S10,
                "valid": False,
                "problems": (Problem.TOO_SHORT if digits < 9 else Problem.TOO_LONG,),
                "advice": (ADVICE_S10_LENGTH % {"digits": digits},),
                "carriers": (SEVENTEEN_TRACK,),
            }
        return None
    first, second, serial, check, country = match.groups()
    service, trackable = S10_SERVICES.get(first, (_("postal item"), None))
    problems: list[str] = []
    advice: list[Any] = []
    expected = s10_check_digit(serial)
    if expected != check:
        problems.append(Problem.WRONG_CHECK_DIGIT)
        advice.append(ADVICE_WRONG_CHECK_DIGIT % {"expected": expected})
    known_country = country in countries
    if not known_country:
        problems.append(Problem.UNKNOWN_COUNTRY)
        advice.append(ADVICE_UNKNOWN_COUNTRY % {"letters": country})
    carriers = _post_slugs(country if known_country else None)
    if country == "CN":
        carriers.append(CAINIAO)
    if destination == "RU" or country == "RU":
        carriers.append(RUSSIAN_POST)
    carriers.extend(slug for slug in _post_slugs(destination) if slug not in carriers)
    carriers.append(SEVENTEEN_TRACK)

    if first + second == "ZA" and country == "LV":
        service = _("AliExpress Saver Shipping (through Latvia)")
        if destination == "RU":
            trackable = False
            advice.append(ADVICE_SAVER_LATVIA)
    elif first == "U":
        advice.append(
            ADVICE_UNREGISTERED % {"country": countries.name(country) if known_country else country}
        )
    elif first == "L":
        advice.append(ADVICE_LETTER_POST)
    if not problems:
        advice.extend((ADVICE_FIRST_EVENTS, ADVICE_TRANSIT_GAP, _search_window(first)))
    return {
        "kind": CodeKind.S10,
        "valid": not problems,
        "country": country if known_country else None,
        "service": service,
        "carriers": tuple(dict.fromkeys(carriers)),
        "trackable_end_to_end": trackable,
        "problems": tuple(problems),
        "advice": tuple(advice),
        "expected_check_digit": expected if expected != check else None,
    }


def _recognize_marketplace(code: str, destination: str | None) -> dict[str, Any] | None:
    for pattern, site, service, trackers in MARKETPLACE_FORMATS:
        if pattern.match(code):
            names = ", ".join(str(CARRIER_SITES[slug].name) for slug in trackers)
            return {
                "kind": CodeKind.MARKETPLACE,
                "valid": True,
                "country": "CN",
                "service": service,
                "carriers": tuple(dict.fromkeys((*trackers, site))),
                "trackable_end_to_end": True,
                "advice": (ADVICE_MARKETPLACE % {"service": service, "trackers": names}, ADVICE_FIRST_EVENTS),
            }
    return None


def _recognize_local_with_letters(code: str, destination: str | None) -> dict[str, Any] | None:
    for pattern, service in LOCAL_FORMATS:
        if pattern.match(code):
            return _local(service)
    return None


def _local(service: Any, *extra_advice: Any) -> dict[str, Any]:
    return {
        "kind": CodeKind.LOCAL,
        "valid": True,
        "country": "CN",
        "service": service,
        "carriers": (SEVENTEEN_TRACK,),
        "trackable_end_to_end": False,
        "advice": (ADVICE_LOCAL_NUMBER, *extra_advice),
    }


def _recognize_russian_barcode(code: str, destination: str | None) -> dict[str, Any] | None:
    match = _RUSSIAN_BARCODE.match(code)
    if not match:
        return None
    postcode, month, _serial, check = match.groups()
    expected = russian_post_check_digit(code[:13])
    valid = expected == check
    advice: list[Any] = []
    if valid:
        advice.append(ADVICE_RUSSIAN_POST % {"postcode": postcode, "month": month})
    else:
        advice.append(ADVICE_WRONG_CHECK_DIGIT % {"expected": expected})
    return {
        "kind": CodeKind.RUSSIAN_POST,
        "valid": valid,
        "country": "RU",
        "service": _("Russian Post domestic item"),
        "carriers": (RUSSIAN_POST, SEVENTEEN_TRACK),
        "trackable_end_to_end": True,
        "problems": () if valid else (Problem.WRONG_CHECK_DIGIT,),
        "advice": tuple(advice),
        "expected_check_digit": None if valid else expected,
        "details": {"postcode": postcode, "month": month},
    }


def _express(code: str) -> tuple[str, str, str | None] | None:
    """(courier, product, our site slug) when the tracking-numbers library knows the code."""
    found = tracking_numbers.get_tracking_number(code)
    if found is None or not found.valid or found.courier.code == "s10":
        return None
    slug = found.courier.code if found.courier.code in CARRIER_SITES else None
    return found.courier.name, found.product.name, slug


def _recognize_express(code: str, destination: str | None) -> dict[str, Any] | None:
    # Short all-digit codes pass some couriers' checksums by chance; for our users they are far
    # more often Chinese local numbers, handled below.
    if _DIGITS.match(code) and len(code) < 20:
        return None
    express = _express(code)
    if express is None:
        return None
    courier, product, slug = express
    return {
        "kind": CodeKind.EXPRESS,
        "valid": True,
        "service": product,
        "carriers": tuple(dict.fromkeys(filter(None, (slug, SEVENTEEN_TRACK)))),
        "trackable_end_to_end": True,
        "advice": (ADVICE_EXPRESS % {"courier": courier},),
    }


def _recognize_digits(code: str, destination: str | None) -> dict[str, Any] | None:
    if not _DIGITS.match(code) or len(code) < 10:
        return None
    if len(code) >= 16:
        return _order_number(_("marketplace order"))
    express = _express(code)
    extra = (ADVICE_MAYBE_EXPRESS % {"courier": express[0]},) if express else ()
    return _local(_("Chinese courier (domestic)"), *extra)


def _order_number(service: Any) -> dict[str, Any]:
    return {
        "kind": CodeKind.ORDER_NUMBER,
        "valid": False,
        "service": service,
        "problems": (Problem.ORDER_NUMBER,),
        "advice": (ADVICE_ORDER_NUMBER,),
    }


def _recognize_demo(code: str, destination: str | None) -> dict[str, Any] | None:
    if not _DEMO.match(code):
        return None
    return {
        "kind": CodeKind.DEMO,
        "valid": True,
        "service": _("Sandbox"),
        "carriers": (SANDBOX,),
        "trackable_end_to_end": True,
        "advice": (ADVICE_DEMO,),
    }


RECOGNIZERS = (
    _recognize_demo,
    _recognize_marketplace,
    _recognize_s10,
    _recognize_local_with_letters,
    _recognize_russian_barcode,
    _recognize_express,
    _recognize_digits,
)


def identify(raw: str, *, destination: str | None = "RU") -> Recognition:
    """Recognize one typed or pasted code. `destination`: ISO country the parcel goes to."""
    normalized = normalize(raw)
    code = normalized.code
    base = {"input": raw, "code": code, "changes": normalized.changes}

    def unrecognized(problem: str, advice: Any, **extra: Any) -> Recognition:
        return Recognition(
            **base, kind=CodeKind.UNKNOWN, valid=False, problems=(problem,), advice=(advice,), **extra
        )

    if not code:
        return unrecognized(Problem.EMPTY, ADVICE_EMPTY)
    if _OZON_POSTING.match(raw):
        return Recognition(**base, **_order_number("Ozon"))
    if len(code) > MAX_CODE_LENGTH:
        return unrecognized(Problem.TOO_LONG, ADVICE_TOO_LONG)
    if not _ALPHANUMERIC.match(code):
        strange = "".join(sorted({c for c in code if not ("A" <= c <= "Z" or "0" <= c <= "9")}))
        return unrecognized(
            Problem.BAD_CHARACTERS,
            ADVICE_BAD_CHARACTERS % {"characters": " ".join(repr(c) for c in strange[:10])},
        )
    for recognizer in RECOGNIZERS:
        found = recognizer(code, destination)
        if found is not None:
            return Recognition(**base, **found)
    if len(code) < MIN_CODE_LENGTH or (_DIGITS.match(code) and len(code) < 10):
        return unrecognized(Problem.TOO_SHORT, ADVICE_TOO_SHORT)
    return unrecognized(Problem.UNKNOWN_FORMAT, ADVICE_UNKNOWN_FORMAT, carriers=(SEVENTEEN_TRACK,))
