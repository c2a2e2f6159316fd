import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from parcels.codes import CodeKind, Problem, identify, russian_post_check_digit, s10_check_digit


def s10(prefix: str, serial: str, country: str) -> str:
    return f"{prefix}{serial}{s10_check_digit(serial)}{country}"


def russian_barcode(first13: str) -> str:
    return first13 + russian_post_check_digit(first13)


class TestS10:
    def test_a_worked_example(self):
        # 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 200; 200 mod 11 = 2; 11 − 2 = 9
        assert s10_check_digit("47312482") == "9"
        assert identify("AA473124829GB").valid
        found = identify("RR473124829CN")
        assert (found.kind, found.valid, found.country, found.problems) == ("s10", True, "CN", ())

    @pytest.mark.parametrize(
        ("code", "country", "service", "end_to_end"),
        [
            (s10("EE", "12345678", "CN"), "CN", "EMS", True),
            (s10("CP", "12345678", "DE"), "DE", "parcel", True),
            (s10("RB", "87654321", "SG"), "SG", "registered small packet or letter", True),
            (s10("LP", "11223344", "CN"), "CN", "tracked letter-post", None),
            (s10("UA", "55555555", "HK"), "HK", "unregistered item", False),
            (s10("VV", "10203040", "US"), "US", "insured item", True),
        ],
    )
    def test_kind_of_item_country_and_tracking_from_the_code(self, code, country, service, end_to_end):
        found = identify(code)
        assert found.valid and found.kind == CodeKind.S10
        assert found.country == country
        assert str(found.service) == service
        assert found.trackable_end_to_end is end_to_end

    def test_a_wrong_check_digit_names_the_right_one(self):
        good = s10("RR", "12345678", "CN")
        bad = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
        found = identify(bad)
        assert not found.valid
        assert found.problems == (Problem.WRONG_CHECK_DIGIT,)
        assert found.expected_check_digit == good[10]
        assert f"should be {good[10]}" in str(found.advice[0])

    def test_the_check_digit_rules_for_10_and_11(self):
        # sums whose remainders give 10 → 0 and 11 → 5
        serials = {s10_check_digit(f"{n:08d}") for n in range(0, 2000)}
        assert "0" in serials and "5" in serials
        for n in range(0, 2000):
            serial = f"{n:08d}"
            total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
            if 11 - total % 11 == 10:
                assert s10_check_digit(serial) == "0"
            if 11 - total % 11 == 11:
                assert s10_check_digit(serial) == "5"

    def test_an_unknown_country_is_not_valid(self):
        found = identify(s10("RR", "12345678", "XX"))
        assert not found.valid
        assert Problem.UNKNOWN_COUNTRY in found.problems
        assert found.country is None

    @pytest.mark.parametrize(
        ("code", "problem"), [("RR12345678CN", Problem.TOO_SHORT), ("RR1234567890CN", Problem.TOO_LONG)]
    )
    def test_a_digit_missing_or_doubled(self, code, problem):
        found = identify(code)
        assert found.kind == CodeKind.S10 and not found.valid
        assert found.problems == (problem,)

    def test_saver_shipping_through_latvia_is_not_tracked_inside_russia(self):
        found = identify(s10("ZA", "12345678", "LV"), destination="RU")
        assert found.valid and found.country == "LV"
        assert found.trackable_end_to_end is False
        assert any("not tracked inside Russia" in str(a) for a in found.advice)

    def test_carriers_are_origin_post_cainiao_destination_post_and_17track(self):
        assert identify(s10("RR", "12345678", "CN"), destination="RU").carriers == (
            "china_post",
            "cainiao",
            "russian_post",
            "17track",
        )
        assert identify(s10("RR", "12345678", "DE"), destination="KZ").carriers == (
            "deutsche_post",
            "kazpost",
            "17track",
        )

    def test_ems_search_window_is_four_months(self):
        assert any("4 months" in str(a) for a in identify(s10("EA", "12345678", "CN")).advice)
        assert any("6 months" in str(a) for a in identify(s10("RA", "12345678", "CN")).advice)


class TestNormalization:
    def test_spaces_dashes_dots_and_case(self):
        code = s10("RR", "12345678", "CN")
        found = identify(f"  {code[:2].lower()} {code[2:6]}-{code[6:9]}.{code[9:11]} {code[11:].lower()} ")
        assert found.code == code and found.valid
        changes = " ".join(str(c) for c in found.changes)
        for word in ("spaces", "dashes", "dots", "capital"):
            assert word in changes

    def test_cyrillic_lookalikes_become_latin(self):
        code = s10("RA", "12345678", "CN")
        typed = code.replace("A", "А").replace("C", "С")  # Cyrillic А and С
        found = identify(typed)
        assert found.code == code and found.valid
        assert "А, С" in " ".join(str(c) for c in found.changes)

    def test_fullwidth_and_quotes(self):
        code = s10("RR", "12345678", "CN")
        fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
        assert identify(f"«{fullwidth}»").code == code


class TestOtherFormats:
    def test_russian_post_barcode_with_postcode_and_month(self):
        code = russian_barcode("1010000300001")
        found = identify(code)
        assert (found.kind, found.valid, found.country) == ("russian_post", True, "RU")
        assert found.details == {"postcode": "101000", "month": "03"}
        assert found.carriers[0] == "russian_post"

    def test_russian_post_barcode_with_a_typo(self):
        code = russian_barcode("1010000300001")
        broken = code[:-1] + str((int(code[-1]) + 3) % 10)
        found = identify(broken)
        assert found.kind == "russian_post" and not found.valid
        assert found.expected_check_digit == code[-1]

    def test_cainiao_lp_number(self):
        found = identify("LP00123456789012")
        assert (found.kind, found.valid, found.carriers[:2]) == ("marketplace", True, ("cainiao", "17track"))

    @pytest.mark.parametrize("code", ["8123456789012345", "3001234567890123456"])
    def test_an_order_number_is_flagged(self, code):
        found = identify(code)
        assert found.kind == "order_number" and not found.valid
        assert any("order number" in str(a) for a in found.advice)

    def test_an_ozon_posting_number_is_an_order_number(self):
        assert identify("12345678-0001-1").kind == "order_number"

    def test_a_local_number_goes_dark_at_the_border(self):
        found = identify("75123456789012")
        assert found.kind == "local" and found.trackable_end_to_end is False
        assert any("international track number" in str(a) for a in found.advice)

    @pytest.mark.parametrize(
        ("code", "service"), [("1Z999AA10123456784", "UPS"), ("9400111201080805483016", "USPS 91")]
    )
    def test_express_formats_come_from_the_tracking_numbers_library(self, code, service):
        found = identify(code)
        assert found.kind == "express" and found.valid and str(found.service) == service

    @pytest.mark.parametrize(
        ("typed", "problem"),
        [
            ("", Problem.EMPTY),
            ("12345", Problem.TOO_SHORT),
            ("A" * 41, Problem.TOO_LONG),
            ("RR<b>1</b>", Problem.BAD_CHARACTERS),
            ("HELLOWORLD42", Problem.UNKNOWN_FORMAT),
        ],
    )
    def test_bad_input_gets_a_specific_problem(self, typed, problem):
        found = identify(typed)
        assert not found.valid and found.problems == (problem,)
        assert found.advice

    def test_advice_is_translated(self):
        with translation.override("ru"):
            found = identify("8123456789012345")
            assert "номер заказа" in str(found.advice[0])


@given(st.text(max_size=80))
@settings(max_examples=400, deadline=None)
def test_identify_never_raises(text):
    found = identify(text)
    assert isinstance(found.valid, bool)
    json.dumps(found.as_json())


def _s10_remainder(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11


@given(
    prefix=st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2),
    serial=st.text(alphabet=string.digits, min_size=8, max_size=8),
    country=st.sampled_from(["CN", "RU", "DE", "US", "LV", "HK", "SG", "GB", "KZ"]),
)
@settings(max_examples=300, deadline=None)
def test_every_correct_s10_is_valid_and_every_single_digit_change_is_caught(prefix, serial, country):
    """Every single-digit change is caught, except the one blind spot of the standard itself:
    remainders 0 and 6 both give check digit 5 (11 → 5, and 11 − 6 = 5), so a change that moves
    the weighted sum between them keeps the check digit right. We report those as valid, as the
    post would, and prove that nothing else slips through."""
    code = s10(prefix, serial, country)
    if prefix == "LP" or code.endswith("YP"):  # Cainiao and Yanwen formats are tried first
        return
    assert identify(code).valid
    for position in range(2, 11):
        for digit in string.digits:
            if digit == code[position]:
                continue
            changed = code[:position] + digit + code[position + 1 :]
            blind_spot = position < 10 and {_s10_remainder(serial), _s10_remainder(changed[2:10])} == {0, 6}
            assert identify(changed).valid is blind_spot, changed


def test_the_identify_command_prints_one_json_line_per_code(capsys):
    call_command("identify", "RR473124829CN", "RА473124827СN", "8123456789012345", "--language", "ru")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    first, typo, order = (json.loads(line) for line in lines)
    for key in (
        "input",
        "code",
        "kind",
        "valid",
        "country",
        "service",
        "carriers",
        "trackable_end_to_end",
        "advice",
    ):
        assert key in first
    assert first["valid"] is True and first["country"] == "CN" and first["country_name"] == "Китай"
    assert typo["code"] == "RA473124827CN" and typo["valid"] is False and typo["expected_check_digit"] == "9"
    assert order["kind"] == "order_number" and order["advice"]


def test_the_identify_command_exits_non_zero_on_a_usage_error_only():
    def run(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "identify", *args],
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings.test"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run().returncode != 0
    broken = run("not a code", "RR473124820CN")
    assert broken.returncode == 0
    assert [json.loads(line)["valid"] for line in broken.stdout.splitlines()] == [False, False]
