import socket

import pytest
from aiosmtpd.controller import Controller


class FlakySmtp:
    """An SMTP server that answers 451 (try later) to the first `refusals` messages, then accepts."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.accepted: list[bytes] = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refused < self.refusals:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.accepted.append(envelope.content)
        return "250 OK"


@pytest.fixture
def flaky_smtp(settings):
    def start(refusals: int) -> FlakySmtp:
        handler = FlakySmtp(refusals)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()
