import re

from parcels.models import Parcel
from tests.factories import DEFAULT_PASSWORD


def test_a_demo_parcel_moves_and_its_email_leads_back_to_it(
    russian_page, live_server, user, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    # The sandbox runs its journey 10 million times faster than real time: it is over at once.
    settings.CARRIERS = {**settings.CARRIERS, "sandbox": {"enabled": True, "time_scale": 10**7}}
    page = russian_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/parcels/")

    page.goto(live_server.url + "/parcels/add/")
    page.fill("input[name=code]", "demo 4242 0")
    page.fill("input[name=comment]", "Наушники")
    page.get_by_role("button", name="Добавить", exact=True).click()
    parcel = Parcel.objects.get(code="DEMO42420")
    page.wait_for_url(f"**/parcels/{parcel.pk}/")

    # The worker (inline in tests) polls when the user asks for a refresh.
    page.get_by_role("button", name="Обновить").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Обновить").click()
    page.wait_for_load_state()
    parcel.refresh_from_db()
    assert parcel.status == "delivered"
    assert page.get_by_test_id("timeline").locator("li").count() == 10

    assert len(mailoutbox) == 1  # the later changes wait for the digest window
    message = mailoutbox[0]
    assert message.subject == "Наушники: Информация получена"
    link = re.search(rf"{re.escape(live_server.url)}/parcels/\d+/", message.body).group(0)
    page.goto(link)
    assert "DEMO42420" in page.locator("h1").inner_text()
    assert "Вручена" in page.locator("h1").inner_text()
