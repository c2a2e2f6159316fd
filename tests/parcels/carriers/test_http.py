"""Adapters against a local HTTP server playing the carrier: good answers and every kind of bad one."""

import json
import time

import pytest
from werkzeug import Response

from parcels.carriers import carrier_get
from parcels.carriers.base import BadAnswer, CarrierError, Pending, TransientCarrierError
from tests.parcels.carriers.test_parsers import fixture


def test_cainiao_asks_for_several_codes_in_one_request(carriers_at, httpserver):
    httpserver.expect_oneshot_request(
        "/cainiao", query_string={"mailNos": "LP00123456789012,LP99999999999999", "lang": "en-US"}
    ).respond_with_data(fixture("cainiao.json"), content_type="application/json")
    results = carrier_get("cainiao").track(["LP00123456789012", "LP99999999999999"])
    assert len(results["LP00123456789012"].events) == 4 and results["LP99999999999999"].not_found


def test_a_code_left_out_of_the_answer_is_an_error(carriers_at, httpserver):
    httpserver.expect_request("/cainiao").respond_with_data(fixture("cainiao.json"))
    results = carrier_get("cainiao").track(["LP00123456789012", "LP55555555555555"])
    assert isinstance(results["LP55555555555555"].error, BadAnswer)


def test_timeout_is_a_transient_error(carriers_at, httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response("{}")

    httpserver.expect_request("/cainiao").respond_with_handler(slow)
    with pytest.raises(TransientCarrierError, match="did not answer in time"):
        carrier_get("cainiao").track(["LP00123456789012"])


@pytest.mark.parametrize(
    ("status", "body", "error", "retry_after"),
    [
        (500, "oops", TransientCarrierError, None),
        (503, "down", TransientCarrierError, 120.0),
        (429, "slow down", TransientCarrierError, 120.0),
        (403, "forbidden", CarrierError, None),
        (200, "", BadAnswer, None),
        (200, "<html>captcha</html>", BadAnswer, None),
        (200, '{"success": true, "module": [', BadAnswer, None),
    ],
)
def test_bad_answers_are_typed_errors(carriers_at, httpserver, status, body, error, retry_after):
    headers = {"Retry-After": "120"} if retry_after else {}
    httpserver.expect_request("/cainiao").respond_with_data(body, status=status, headers=headers)
    with pytest.raises(error) as raised:
        carrier_get("cainiao").track(["LP00123456789012"])
    assert raised.value.retry_after == retry_after


def test_17track_sends_its_token_and_reads_a_partly_rejected_batch(carriers_at, httpserver):
    httpserver.expect_request(
        "/17track/gettrackinfo", method="POST", headers={"17token": "k"}
    ).respond_with_data(fixture("17track_gettrackinfo.json"), content_type="application/json")
    results = carrier_get("17track").track(["RR473124829CN", "LP00123456789012", "YT2212345678901234"])
    assert len(results["RR473124829CN"].events) == 3
    assert results["LP00123456789012"].not_found
    assert results["YT2212345678901234"].error is not None
    sent = json.loads(httpserver.log[0][0].data)
    assert sent == [
        {"number": "RR473124829CN"},
        {"number": "LP00123456789012"},
        {"number": "YT2212345678901234"},
    ]


def test_17track_registration_treats_already_registered_as_done(carriers_at, httpserver):
    httpserver.expect_request("/17track/register").respond_with_json(
        {
            "code": 0,
            "data": {
                "accepted": [{"number": "RR473124829CN", "carrier": 3011}],
                "rejected": [
                    {
                        "number": "LP00123456789012",
                        "error": {"code": -18019901, "message": "already registered"},
                    },
                    {"number": "BAD", "error": {"code": -18010012, "message": "invalid number"}},
                ],
            },
        }
    )
    outcome = carrier_get("17track").register(["RR473124829CN", "LP00123456789012", "BAD"])
    assert outcome["RR473124829CN"] is None and outcome["LP00123456789012"] is None
    assert isinstance(outcome["BAD"], CarrierError)


def test_russian_post_single_access_speaks_soap_12(carriers_at, httpserver):
    httpserver.expect_request(
        "/rtm34", method="POST", headers={"Content-Type": "application/soap+xml; charset=utf-8"}
    ).respond_with_data(fixture("russian_post_single.xml"))
    results = carrier_get("russian_post").track(["RR473124829CN"])
    assert len(results["RR473124829CN"].events) == 5
    assert b"<ns1:login>me</ns1:login>" in httpserver.log[0][0].data or b">me<" in httpserver.log[0][0].data


def test_russian_post_batch_ticket_then_answer(carriers_at, httpserver, settings):
    carriers_at(
        russian_post={
            "batch_url": httpserver.url_for("/fc"),
            "batch_login": "contract",
            "batch_password": "p",
        }
    )
    httpserver.expect_ordered_request("/fc").respond_with_data(fixture("russian_post_ticket.xml"))
    httpserver.expect_ordered_request("/fc").respond_with_data(fixture("russian_post_batch_not_ready.xml"))
    httpserver.expect_ordered_request("/fc").respond_with_data(fixture("russian_post_batch.xml"))
    carrier = carrier_get("russian_post")
    assert carrier.batch_size == 3000 and carrier.daily_budget is None
    codes = ["45008309000021", "10725809000019", "RA123456785RU"]
    pending = carrier.track(codes)
    assert isinstance(pending, Pending) and pending.token == "20261122162048476CLIENTID"
    assert isinstance(carrier.collect(pending.token, codes), Pending)
    results = carrier.collect(pending.token, codes)
    assert results["10725809000019"].events[-1].status == "delivered"
    assert b"20261122162048476CLIENTID" in httpserver.log[-1][0].data


def test_a_carrier_without_credentials_is_disabled(carriers_at):
    carriers_at(**{"17track": {"key": ""}, "russian_post": {}})
    assert carrier_get("17track").missing_settings() == ["SEVENTEEN_TRACK_KEY"]
    assert not carrier_get("russian_post").enabled
