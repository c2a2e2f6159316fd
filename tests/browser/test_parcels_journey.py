from parcels.models import Parcel
from tests.factories import DEFAULT_PASSWORD
from tests.parcels.test_codes import s10


def _twenty_lines():
    valid = [
        s10(prefix, f"{n:08d}", country)
        for n, (prefix, country) in enumerate(
            [
                ("RR", "CN"),
                ("RB", "CN"),
                ("LP", "CN"),
                ("CP", "DE"),
                ("EE", "CN"),
                ("RA", "SG"),
                ("RC", "HK"),
                ("RD", "LV"),
                ("CA", "US"),
                ("RE", "GB"),
                ("RF", "CN"),
                ("RG", "CN"),
                ("RH", "TR"),
                ("RI", "KZ"),
                ("RJ", "CN"),
            ],
            start=11111111,
        )
    ]
    broken = [
        code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
        for code in (s10("RK", "22222222", "CN"), s10("RL", "33333333", "CN"))
    ]
    lines = [f"{code} товар {n}" for n, code in enumerate(valid, start=1)]
    lines += [
        f"{broken[0]} опечатка продавца",
        f"{broken[1]} вторая опечатка",
        "8123456789012345 номер заказа",
        "не номер вовсе",
        f"{valid[0].lower()} ещё раз",
    ]
    return valid, broken, lines


def test_bulk_paste_folders_move_search_open_and_archive(russian_page, live_server, user):
    page = russian_page
    valid, broken, lines = _twenty_lines()
    assert len(lines) == 20

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/parcels/")

    page.get_by_role("link", name="Добавить трек-номера").click()
    page.fill("textarea[name=text]", "\n".join(lines))
    page.get_by_role("button", name="Проверить номера").click()
    rows = page.get_by_test_id("preview-row")
    rows.first.wait_for()
    assert rows.count() == 20
    assert Parcel.objects.count() == 0  # the preview saves nothing
    assert "Неверная контрольная цифра" in page.locator(f"[data-code='{broken[0]}']").inner_text()
    assert "Номер заказа" in page.locator("[data-code='8123456789012345']").inner_text()
    page.check("#confirm-16")  # add the first broken code anyway
    page.get_by_role("button", name="Добавить", exact=True).click()

    assert page.get_by_test_id("added").locator("li").count() == 16
    refused = page.get_by_test_id("refused-row")
    assert refused.count() == 4
    refused_text = refused.all_inner_texts()
    assert any("#20" in text and "уже есть в вашем списке" in text for text in refused_text)
    assert any("#17" in text and "подтверждения" in text for text in refused_text)
    assert Parcel.objects.filter(owner=user).count() == 16

    page.goto(live_server.url + "/parcels/folders/")
    for name in ("AliExpress", "Подарки"):
        page.fill("main input[name=name]:not([value])", name)
        page.get_by_role("button", name="Создать").click()
        page.wait_for_load_state()
    assert page.get_by_test_id("folder-list").locator("li").count() == 2

    page.goto(live_server.url + "/parcels/")
    for code in valid[:3]:
        page.locator(f"[data-code='{code}'] input[name=parcels]").check()
    page.select_option("#move-folder", label="Подарки")
    page.get_by_role("button", name="Переместить", exact=True).click()
    page.wait_for_load_state()
    assert "3 посылки перемещены в «Подарки»" in page.locator(".alert-success").inner_text()
    assert Parcel.objects.filter(folder__name="Подарки").count() == 3

    page.fill("input[name=q]", "ТОВАР 5")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("parcel-row").count() == 1
    page.locator(f"[data-code='{valid[4]}'] a.code").click()
    page.wait_for_url(f"**/parcels/{Parcel.objects.get(code=valid[4]).pk}/")
    assert "товар 5" in page.locator("main").inner_text()
    assert page.get_by_test_id("carrier-links").locator("a").count() >= 3

    page.get_by_role("button", name="Архив").click()
    page.wait_for_load_state()
    assert "В архиве" in page.locator("h1").inner_text()
    assert Parcel.objects.get(code=valid[4]).archived
    page.goto(live_server.url + "/parcels/?archived=1")
    assert page.get_by_test_id("parcel-row").count() == 1
