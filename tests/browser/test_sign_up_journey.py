import re

from django.contrib.auth import get_user_model

from tests.factories import DEFAULT_PASSWORD


def test_a_new_user_signs_up_verifies_logs_in_and_switches_to_english(russian_page, live_server, mailoutbox):
    page = russian_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Создать аккаунт").click()

    page.fill("input[name=email]", "olga@example.org")
    page.fill("input[name=password1]", DEFAULT_PASSWORD)
    page.fill("input[name=password2]", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["olga@example.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")

    page.fill("input[name=login]", "olga@example.org")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/parcels/")

    assert page.locator("h1").inner_text() == "Мои посылки"
    assert "Вы пока не отслеживаете ни одной посылки" in page.get_by_test_id("empty-dashboard").inner_text()
    assert page.locator("html").get_attribute("lang") == "ru"

    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My parcels"
    assert page.locator("html").get_attribute("lang") == "en"
    assert get_user_model().objects.get(email="olga@example.org").language == "en"
