"""Each carrier's recorded-shape answers parse into our vocabulary; unreadable ones are errors."""

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcels.carriers import cainiao, russian_post, seventeen_track
from parcels.carriers.base import BadAnswer, CarrierError, CodeRefused

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def statuses(result):
    return [event.status for event in sorted(result.events, key=lambda event: event.time)]


class TestRussianPost:
    def test_single_access_history_with_any_namespace_prefix(self):
        result = russian_post.parse_single(fixture("russian_post_single.xml"), "RR473124829CN")
        assert statuses(result) == [
            "in_transit",
            "in_transit",
            "customs",
            "available_for_pickup",
            "delivered",
        ]
        pickup = sorted(result.events, key=lambda event: event.time)[3]
        assert pickup.description == "Обработка: Прибыло в место вручения"
        assert pickup.location == "Москва 101000"
        assert pickup.raw_code == "8.2"
        assert pickup.time == datetime(2026, 10, 15, 11, 5, tzinfo=UTC)

    def test_a_fault_saying_not_found_is_not_found(self):
        result = russian_post.parse_single(fixture("russian_post_single_not_found.xml"), "RR473124829CN")
        assert result.not_found and not result.events and result.error is None

    @pytest.mark.parametrize(
        "body", [b"", b"<html>Service unavailable</html>", b"<S:Envelope xmlns:S='x'><broken", b"{}"]
    )
    def test_an_unreadable_answer_is_an_error_not_empty_history(self, body):
        with pytest.raises(BadAnswer):
            russian_post.parse_single(body, "RR473124829CN")

    def test_a_login_fault_is_a_configuration_error(self):
        body = fixture("russian_post_single_not_found.xml").replace(
            "Сообщение не найдено".encode(), "Ошибка авторизации".encode()
        )
        with pytest.raises(CarrierError, match="refused the login"):
            russian_post.parse_single(body, "X")

    def test_batch_answer_per_code_with_errors_for_some(self):
        results = russian_post.parse_batch(fixture("russian_post_batch.xml"))
        assert statuses(results["45008309000021"]) == [
            "in_transit",
            "in_transit",
            "available_for_pickup",
            "delivery_failed",
        ]
        assert statuses(results["10725809000019"]) == ["in_transit", "out_for_delivery", "delivered"]
        assert results["RA123456785RU"].not_found
        first = results["45008309000021"].events[0]
        assert first.time.isoformat() == "2026-09-08T17:07:00+03:00" and first.location == "450083"

    def test_batch_not_ready_and_ticket(self):
        assert russian_post.parse_batch(fixture("russian_post_batch_not_ready.xml")) is None
        assert russian_post.parse_ticket(fixture("russian_post_ticket.xml")) == "20261122162048476CLIENTID"

    def test_requests_are_namespaced_soap(self):
        body = russian_post.single_request("RR473124829CN", login="me", password="p<&>")
        assert b"http://russianpost.org/operationhistory/data" in body and b"p&lt;&amp;&gt;" in body
        ticket = russian_post.ticket_request(["A", "B"], login="me", password="x")
        assert ticket.count(b'Barcode="') == 2


class TestSeventeenTrack:
    def test_gettrackinfo_accepted_and_rejected(self):
        results = seventeen_track.parse(fixture("17track_gettrackinfo.json"))
        assert statuses(results["RR473124829CN"]) == ["in_transit", "in_transit", "customs"]
        assert "(China Post)" in results["RR473124829CN"].events[0].description
        assert results["LP00123456789012"].not_found
        assert isinstance(results["YT2212345678901234"].error, CodeRefused)

    def test_webhook_push(self):
        event, results = seventeen_track.parse_webhook(fixture("17track_webhook.json"))
        assert event == "TRACKING_UPDATED"
        assert statuses(results["RR473124829CN"]) == ["available_for_pickup", "delivered"]
        stopped = json.dumps({"event": "TRACKING_STOPPED", "data": {"number": "RR473124829CN"}}).encode()
        assert seventeen_track.parse_webhook(stopped) == ("TRACKING_STOPPED", {})

    def test_signature(self):
        body = fixture("17track_webhook.json")
        good = seventeen_track.webhook_signature(body, "secret")
        assert seventeen_track.webhook_signature_valid(body, good, "secret")
        assert not seventeen_track.webhook_signature_valid(body + b" ", good, "secret")
        assert not seventeen_track.webhook_signature_valid(body, good, "other")

    @pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"code": -1, "data": null}'])
    def test_unreadable_answers(self, body):
        with pytest.raises(BadAnswer):
            seventeen_track.parse(body)

    @pytest.mark.parametrize(
        ("sub_status", "stage", "status"),
        [
            ("InTransit_CustomsProcessing", "", "customs"),
            ("InTransit_CustomsReleased", "", "in_transit"),
            ("Exception_Returning", "", "returning"),
            ("Exception_Lost", "", "exception"),
            ("", "OutForDelivery", "out_for_delivery"),
            ("DeliveryFailure_Other", "", "delivery_failed"),
            ("Delivered_Other", "", "delivered"),
            ("Something_New", "", "in_transit"),
        ],
    )
    def test_status_mapping(self, sub_status, stage, status):
        assert seventeen_track.status_for(sub_status, stage) == status


class TestCainiao:
    def test_events_and_an_unknown_code(self):
        results = cainiao.parse(fixture("cainiao.json"))
        assert statuses(results["LP00123456789012"]) == [
            "info_received",
            "in_transit",
            "customs",
            "out_for_delivery",
        ]
        undated_ms = sorted(results["LP00123456789012"].events, key=lambda event: event.time)[0]
        assert undated_ms.time.isoformat() == "2026-10-01T10:15:00+08:00"
        assert results["LP99999999999999"].not_found

    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"<html>captcha</html>",
            b'{"success": false}',
            b'{"success": true}',
            b'{"success": true, "module": {}}',
        ],
    )
    def test_blocked_or_malformed_answers_are_errors(self, body):
        with pytest.raises(BadAnswer):
            cainiao.parse(body)

    def test_one_unreadable_item_does_not_spoil_the_others(self):
        answer = json.loads(fixture("cainiao.json"))
        answer["module"].append({"mailNo": "LP11111111111111", "detailList": [{"time": "yesterday"}]})
        results = cainiao.parse(json.dumps(answer).encode())
        assert isinstance(results["LP11111111111111"].error, BadAnswer)
        assert len(results["LP00123456789012"].events) == 4


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_parsers_never_raise_anything_but_carrier_errors(body):
    for parse in (
        cainiao.parse,
        seventeen_track.parse,
        lambda b: seventeen_track.parse_webhook(b),
        russian_post.parse_batch,
        lambda b: russian_post.parse_single(b, "X"),
    ):
        with contextlib.suppress(CarrierError):
            parse(body)
