import json

import pytest
from django.core.management import CommandError, call_command

from tests.parcels.carriers.test_parsers import FIXTURES


@pytest.mark.parametrize(
    ("carrier", "name", "count"),
    [
        ("russian_post", "russian_post_single.xml", 5),
        ("russian_post_batch", "russian_post_batch.xml", 7),
        ("17track", "17track_gettrackinfo.json", 3),
        ("17track_webhook", "17track_webhook.json", 2),
        ("cainiao", "cainiao.json", 4),
    ],
)
def test_carrier_parse_prints_events_with_iso_times(capsys, carrier, name, count):
    call_command("carrier_parse", carrier, str(FIXTURES / name))
    events = json.loads(capsys.readouterr().out)
    assert len(events) == count
    for event in events:
        assert {"code", "time", "status", "description", "location", "carrier"} <= set(event)
        assert event["time"][-6] in "+-"  # ISO 8601 with an offset


def test_carrier_parse_refuses_an_unreadable_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("<html>blocked</html>")
    with pytest.raises(CommandError, match="not a readable cainiao response"):
        call_command("carrier_parse", "cainiao", str(broken))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("carrier_parse", "cainiao", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_track_asks_each_enabled_carrier(capsys):
    call_command("track", "DEMO12340")
    out = capsys.readouterr().out
    assert "Sandbox (demo): 1 events" in out
    call_command("track", "RR473124829CN")
    out = capsys.readouterr().out
    assert "Russian Post: disabled (set RUSSIAN_POST_LOGIN, RUSSIAN_POST_PASSWORD)" in out
