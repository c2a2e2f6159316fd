from email.message import EmailMessage

import pytest

from parcels.extract import (
    MAX_LINES,
    InputTooLarge,
    candidates_found_in_text,
    candidates_from_input,
    candidates_from_lines,
    text_from_eml,
)
from tests.parcels.test_codes import russian_barcode, s10

CN = s10("RR", "12345678", "CN")
DE = s10("CP", "87654321", "DE")
RU = russian_barcode("1010000300001")


def test_each_line_is_a_code_and_an_optional_comment():
    text = f"{CN} phone case\n\n  {DE}\tbig box from Germany  \n{RU};book\nLP00123456789012\n"
    found = candidates_from_lines(text, destination="RU")
    assert [(c.line, c.recognition.code, c.comment) for c in found.candidates] == [
        (1, CN, "phone case"),
        (3, DE, "big box from Germany"),
        (4, RU, "book"),
        (5, "LP00123456789012", ""),
    ]
    assert found.skipped_lines == 1


def test_a_code_typed_with_spaces_keeps_its_comment():
    spaced = f"{CN[:2]} {CN[2:6]} {CN[6:11]} {CN[11:]}"
    [candidate] = candidates_from_lines(f"{spaced} кеды 42 размер", destination="RU").candidates
    assert candidate.recognition.code == CN
    assert candidate.comment == "кеды 42 размер"


def test_broken_lines_are_kept_with_their_problem():
    found = candidates_from_lines("hello there\n8123456789012345 order\n", destination="RU")
    assert [c.recognition.kind for c in found.candidates] == ["unknown", "order_number"]
    assert found.candidates[0].typed == "hello" and found.candidates[0].comment == "there"


def test_more_than_the_line_limit_is_refused_with_the_count():
    with pytest.raises(InputTooLarge, match=f"At most {MAX_LINES} lines at once; this has {MAX_LINES + 1}"):
        candidates_from_lines("\n".join([CN] * (MAX_LINES + 1)), destination="RU")
    assert len(candidates_from_lines("\n".join([CN] * MAX_LINES), destination="RU").candidates) == MAX_LINES


def test_codes_are_found_in_a_shipping_email_in_html():
    html = f"""<html><body><p>Order <b>8123456789012345</b> has shipped!</p>
      <table><tr><td>Tracking number:</td><td>{CN[:2]} {CN[2:5]} {CN[5:8]} {CN[8:11]} {CN[11:]}</td></tr></table>
      <a href="https://www.pochta.ru/tracking?barcode={RU}">Track</a>
      <p>Call us: +7 495 123-45-67. Also {DE}, and again {CN}.</p></body></html>"""
    found = candidates_found_in_text(html, destination="RU")
    assert [c.recognition.code for c in found.candidates] == [CN, DE, RU]
    assert found.mode == "found"


def test_codes_are_found_in_an_eml_file():
    message = EmailMessage()
    message["Subject"] = "Ваш заказ отправлен"
    message["From"] = "shop@example.com"
    message.set_content(f"Трек-номер: {CN}")
    message.add_alternative(f"<p>Трек-номер: <a href='#'>{CN}</a>, второй: {DE}</p>", subtype="html")
    text = text_from_eml(message.as_bytes())
    assert "Ваш заказ отправлен" in text
    found = candidates_from_input(file_name="order.eml", file_data=message.as_bytes(), destination="RU")
    assert [c.recognition.code for c in found.candidates] == [CN, DE]


def test_auto_mode_reads_a_list_as_lines_and_prose_as_text():
    assert candidates_from_input(text=f"{CN} a\n{DE} b\nnonsense", destination="RU").mode == "lines"
    prose = f"Hello! Your parcel {CN} left the warehouse.\nThank you for shopping.\nBest regards"
    assert candidates_from_input(text=prose, destination="RU").mode == "found"


def test_too_much_text_or_a_too_large_file_is_refused():
    with pytest.raises(InputTooLarge, match="The text is too long"):
        candidates_from_input(text="x" * 200_001, destination="RU")
    with pytest.raises(InputTooLarge, match="The file is too large"):
        candidates_from_input(file_name="a.eml", file_data=b"x" * (2 * 1024 * 1024 + 1), destination="RU")
