import pytest
from django.contrib.auth import get_user_model

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_verified_user_logs_in_by_email_and_lands_on_the_dashboard(client, user):
    response = _log_in(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/parcels/"


def test_five_wrong_passwords_in_a_row_lock_the_account_with_a_clear_message(client, user):
    for _ in range(5):
        response = _log_in(client, user.email, "wrong password")
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_the_account(client, user):
    for _ in range(4):
        _log_in(client, user.email, "wrong password")
    assert _log_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_the_throttle_message_is_translated(client, user):
    for _ in range(6):
        response = client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert "Слишком много неудачных попыток входа" in response.content.decode()


def test_sign_up_asks_to_verify_the_email_and_remembers_the_language(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    new_user = get_user_model().objects.get(email="new@example.org")
    assert new_user.language == "ru"
    assert len(mailoutbox) == 1
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Not verified yet: logging in sends the visitor back to the verification notice.
    assert _log_in(client, "new@example.org", DEFAULT_PASSWORD)["Location"] == "/accounts/confirm-email/"


def test_password_reset_mails_a_link(client, user, mailoutbox):
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
