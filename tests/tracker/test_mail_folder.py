import email
import email.header
import email.policy

from django.core.mail import EmailMultiAlternatives

from tracker.mail import FolderEmailBackend


def test_each_message_is_kept_as_an_eml_file_and_printed(settings, tmp_path, capsys):
    settings.MAIL_DIR = tmp_path / "mail"
    message = EmailMultiAlternatives(
        "Посылка прибыла", "Ваша посылка ждёт в отделении.", "tracker@localhost", ["buyer@example.org"]
    )
    message.attach_alternative("<p>Ваша посылка ждёт в отделении.</p>", "text/html")

    sent = FolderEmailBackend().send_messages([message, message])

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert sent == 2 and len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    raw_subject = email.message_from_bytes(files[0].read_bytes())["Subject"]
    assert str(email.header.make_header(email.header.decode_header(raw_subject))) == "Посылка прибыла"
    assert parsed["To"] == "buyer@example.org"
    assert parsed.get_body(("plain",)).get_content().strip() == "Ваша посылка ждёт в отделении."
    printed = capsys.readouterr().out
    assert str(files[0]) in printed and "Ваша посылка ждёт в отделении." in printed
