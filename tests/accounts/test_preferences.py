import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_russian_is_chosen_for_browsers_that_ask_for_it(client):
    assert (
        "Все ваши посылки в одном месте"
        in client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").content.decode()
    )
    assert "All your parcels in one place" in client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()


def test_the_language_switch_sets_the_cookie_for_visitors(client):
    response = client.post("/account/language/", {"language": "ru", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Все ваши посылки" in client.get("/").content.decode()


def test_the_language_switch_is_remembered_on_the_account(signed_in_client, user):
    signed_in_client.post("/account/language/", {"language": "ru", "next": "/parcels/"})
    user.refresh_from_db()
    assert user.language == "ru"
    # The saved language wins over what the browser asks for.
    page = signed_in_client.get("/parcels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Мои посылки" in page


def test_an_unknown_language_changes_nothing(signed_in_client, user):
    signed_in_client.post("/account/language/", {"language": "ru", "next": "/"})
    signed_in_client.post("/account/language/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ru"


def test_the_account_page_saves_language_time_zone_and_destination(signed_in_client, user):
    response = signed_in_client.post(
        "/account/", {"language": "en", "time_zone": "Asia/Vladivostok", "destination_country": "KZ"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.time_zone, user.destination_country.code) == ("en", "Asia/Vladivostok", "KZ")
    page = signed_in_client.get("/account/")
    assert page.context["TIME_ZONE"] == "Asia/Vladivostok"


def test_the_account_page_refuses_an_unknown_time_zone(signed_in_client, user):
    response = signed_in_client.post(
        "/account/", {"language": "en", "time_zone": "Mars/Olympus", "destination_country": "RU"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == ""


def test_the_site_time_zone_applies_until_the_user_picks_one(signed_in_client):
    assert signed_in_client.get("/account/").context["TIME_ZONE"] == settings.TIME_ZONE


def test_a_user_without_a_saved_language_keeps_the_one_they_use(signed_in_client, user):
    signed_in_client.get("/parcels/", HTTP_ACCEPT_LANGUAGE="ru")
    user.refresh_from_db()
    assert user.language == "ru"
