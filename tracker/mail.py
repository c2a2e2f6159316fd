import sys
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FolderEmailBackend(BaseEmailBackend):
    """Keeps each message as an .eml file under MAIL_DIR and prints its text to the console.

    The embedded `make run` set-up has no mail server; any mail client opens these files.
    """

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        folder = Path(settings.MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sys.stdout.write(
                f"\n--- mail to {', '.join(message.recipients())}: {message.subject}\n"
                f"--- saved as {path}\n{message.body}\n--- end of mail\n"
            )
            sys.stdout.flush()
        return len(email_messages)
