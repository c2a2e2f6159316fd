import pytest


@pytest.fixture
def carriers_at(settings, httpserver):
    def configure(**overrides):
        settings.CARRIERS = {
            "sandbox": {"enabled": True, "time_scale": 1},
            "cainiao": {"enabled": True, "url": httpserver.url_for("/cainiao"), "timeout": 1},
            "17track": {"key": "k", "url": httpserver.url_for("/17track"), "timeout": 1},
            "russian_post": {
                "url": httpserver.url_for("/rtm34"),
                "login": "me",
                "password": "secret",
                "timeout": 1,
            },
            **overrides,
        }

    configure()
    return configure
