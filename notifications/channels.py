"""Sending one message through one channel; failures come back typed: transient or permanent."""

import smtplib

import apprise
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


class SendError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def _smtp_error(error: Exception) -> SendError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return SendError(f"recipient refused: {codes}", transient=any(400 <= code < 500 for code in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return SendError(
            f"SMTP {error.smtp_code}: {error.smtp_error!r}", transient=400 <= error.smtp_code < 500
        )
    # Disconnects, refused connections and timeouts: the server may well be back soon.
    return SendError(f"{error.__class__.__name__}: {error}", transient=True)


def email_send(*, to: str, subject: str, text: str, html: str, message_id: str, unsubscribe_url: str) -> None:
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id,
            # RFC 8058 one-click unsubscribe: the mail client POSTs to this URL.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if html:
        email.attach_alternative(html, "text/html")
    try:
        sent = get_connection(fail_silently=False).send_messages([email])
    except (smtplib.SMTPException, OSError) as error:
        raise _smtp_error(error) from error
    if sent != 1:
        raise SendError("the mail backend did not send the message", transient=True)


def apprise_url_valid(url: str) -> bool:
    return apprise.Apprise().add(url)


def apprise_send(*, url: str, subject: str, text: str) -> None:
    service = apprise.Apprise()
    if not service.add(url):
        raise SendError("the Apprise URL is not valid", transient=False)
    if not service.notify(title=subject, body=text):
        raise SendError("the service did not accept the notification", transient=True)
