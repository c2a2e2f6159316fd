"""Russian Post tracking API: single access (SOAP 1.2, one code a request, 100 requests a day
without a contract) and, when a contract login is set, batch access (SOAP 1.1: a ticket for up
to 3000 codes, its answer collected 15 minutes later or more).

XML is matched by namespace URI, never by prefix: the service's prefixes are not part of its
contract. Operation types and attributes follow Russian Post's published dictionary.
"""

from datetime import datetime, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo

from defusedxml.ElementTree import ParseError, fromstring

from parcels.carriers.base import (
    BadAnswer,
    Carrier,
    CarrierError,
    CarrierEvent,
    CodeRefused,
    CodeResult,
    Pending,
    results_for_missing,
)
from parcels.codes import CodeKind
from parcels.posts import RUSSIAN_POST
from parcels.status import Status

SINGLE_URL = "https://tracking.russianpost.ru/rtm34"
BATCH_URL = "https://tracking.russianpost.ru/fc"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
OPERATIONS = "http://russianpost.org/operationhistory"
DATA = "http://russianpost.org/operationhistory/data"
POSTSERVER = "http://fclient.russianpost.org/postserver"
FCLIENT = "http://fclient.russianpost.org"
MOSCOW = ZoneInfo("Europe/Moscow")
BATCH_WAIT = timedelta(minutes=15)

# Batch access error codes (getResponseByTicket).
NOT_READY = "6"
NO_INFORMATION = "12"

# (operation type, attribute) → status; (type, None) for every attribute of that type.
_OPERATIONS: dict[tuple[int, int | None], str] = {
    (1, None): Status.IN_TRANSIT,  # Приём
    (2, None): Status.DELIVERED,  # Вручение
    (2, 2): Status.RETURNING,  # Вручение отправителю
    (3, None): Status.RETURNING,  # Возврат
    (4, None): Status.IN_TRANSIT,  # Досылка почты
    (5, None): Status.EXCEPTION,  # Невручение (утрачено, изъято, …)
    (6, None): Status.AVAILABLE_FOR_PICKUP,  # Хранение
    (7, None): Status.EXCEPTION,  # Временное хранение (невостребованное)
    (8, None): Status.IN_TRANSIT,  # Обработка
    (8, 2): Status.AVAILABLE_FOR_PICKUP,  # Прибыло в место вручения
    (8, 9): Status.AVAILABLE_FOR_PICKUP,  # Прибыло в почтомат
    (8, 10): Status.AVAILABLE_FOR_PICKUP,  # Истекает срок хранения в почтомате
    (8, 14): Status.AVAILABLE_FOR_PICKUP,  # Прибыло в центр выдачи посылок
    (8, 15): Status.OUT_FOR_DELIVERY,  # Передано курьеру
    (8, 18): Status.OUT_FOR_DELIVERY,  # Передано почтальону
    (9, None): Status.IN_TRANSIT,  # Импорт международной почты
    (10, None): Status.IN_TRANSIT,  # Экспорт международной почты
    (11, None): Status.CUSTOMS,  # Приём на таможню
    (12, None): Status.DELIVERY_FAILED,  # Неудачная попытка вручения
    (13, None): Status.IN_TRANSIT,  # Регистрация отправки
    (14, None): Status.CUSTOMS,  # Таможенное оформление
    (14, 1): Status.IN_TRANSIT,  # Выпущено таможней
    (14, 2): Status.EXCEPTION,  # Возвращено таможней
    (15, None): Status.EXCEPTION,  # Передача на временное хранение
    (16, None): Status.EXCEPTION,  # Уничтожение
    (17, None): Status.EXCEPTION,  # Оформление в собственность
    (18, None): Status.EXCEPTION,  # Регистрация утраты
    (19, None): Status.CUSTOMS,  # Таможенные платежи поступили
    (20, None): Status.INFO_RECEIVED,  # Регистрация
    (21, None): Status.OUT_FOR_DELIVERY,  # Доставка
    (22, None): Status.DELIVERY_FAILED,  # Недоставка
    (23, None): Status.EXCEPTION,  # Поступление на временное хранение
    (24, None): Status.CUSTOMS,  # Продление срока выпуска таможней
    (25, None): Status.CUSTOMS,  # Вскрытие
    (26, None): Status.EXCEPTION,  # Отмена
    (27, None): Status.INFO_RECEIVED,  # Получена электронная регистрация
    (28, None): Status.INFO_RECEIVED,  # Присвоение идентификатора
    (29, None): Status.IN_TRANSIT,  # Регистрация прохождения в ММПО
    (31, None): Status.IN_TRANSIT,  # Обработка перевозчиком
    (35, None): Status.DELIVERY_FAILED,  # Отказ в курьерской доставке
    (37, None): Status.CUSTOMS,  # Предварительное оформление
    (38, None): Status.EXCEPTION,  # Задержка для уточнений у отправителя
    (39, None): Status.CUSTOMS,  # Таможенный контроль
    (40, None): Status.CUSTOMS,  # Таможенные платежи
    (42, None): Status.INFO_RECEIVED,  # Предзаказ
    (43, None): Status.AVAILABLE_FOR_PICKUP,  # Вручение разрешено
    (44, None): Status.DELIVERY_FAILED,  # Отказ в вручении
}


def status_for_operation(operation: int, attribute: int | None) -> str:
    return _OPERATIONS.get((operation, attribute)) or _OPERATIONS.get((operation, None), Status.IN_TRANSIT)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().lstrip("-").isdigit() else None


def _xml(body: bytes):
    try:
        return fromstring(body)
    except ParseError as error:
        raise BadAnswer(f"Russian Post answered XML we cannot read: {error}") from error


def _text(element, *path: str) -> str:
    for step in path:
        if element is None:
            return ""
        element = element.find(step)
    return (element.text or "").strip() if element is not None else ""


# -- single access ---------------------------------------------------------------------------


def single_request(code: str, *, login: str, password: str, language: str = "RUS") -> bytes:
    envelope = Element(f"{{{SOAP12}}}Envelope")
    SubElement(envelope, f"{{{SOAP12}}}Header")
    call = SubElement(SubElement(envelope, f"{{{SOAP12}}}Body"), f"{{{OPERATIONS}}}getOperationHistory")
    request = SubElement(call, f"{{{DATA}}}OperationHistoryRequest")
    SubElement(request, f"{{{DATA}}}Barcode").text = code
    SubElement(request, f"{{{DATA}}}MessageType").text = "0"
    SubElement(request, f"{{{DATA}}}Language").text = language
    auth = SubElement(call, f"{{{DATA}}}AuthorizationHeader", {f"{{{SOAP12}}}mustUnderstand": "1"})
    SubElement(auth, f"{{{DATA}}}login").text = login
    SubElement(auth, f"{{{DATA}}}password").text = password
    return tostring(envelope, encoding="utf-8", xml_declaration=True)


def parse_single(body: bytes, code: str) -> CodeResult:
    """A getOperationHistory answer → the code's result. Pure."""
    root = _xml(body)
    fault = root.find(f".//{{{SOAP12}}}Fault")
    if fault is not None:
        reason = " ".join(text.strip() for text in fault.itertext() if text.strip())
        lowered = reason.lower()
        if "не найден" in lowered or "not found" in lowered:
            return CodeResult(not_found=True)
        if "авториз" in lowered or "authoriz" in lowered or "пароль" in lowered:
            raise CarrierError(f"Russian Post refused the login: {reason[:200]}")
        raise BadAnswer(f"Russian Post fault: {reason[:200]}")
    data = root.find(f".//{{{DATA}}}OperationHistoryData")
    if data is None:
        raise BadAnswer("Russian Post answered without operation history")
    events = []
    for record in data.findall(f"{{{DATA}}}historyRecord"):
        parameters = record.find(f"{{{DATA}}}OperationParameters")
        operation = _int(_text(parameters, f"{{{DATA}}}OperType", f"{{{DATA}}}Id"))
        attribute = _int(_text(parameters, f"{{{DATA}}}OperAttr", f"{{{DATA}}}Id"))
        when = _text(parameters, f"{{{DATA}}}OperDate")
        if operation is None or not when:
            raise BadAnswer("Russian Post sent an operation without a type or a date")
        name = _text(parameters, f"{{{DATA}}}OperType", f"{{{DATA}}}Name")
        detail = _text(parameters, f"{{{DATA}}}OperAttr", f"{{{DATA}}}Name")
        address = record.find(f"{{{DATA}}}AddressParameters/{{{DATA}}}OperationAddress")
        try:
            happened = datetime.fromisoformat(when)
        except ValueError as error:
            raise BadAnswer(f"Russian Post sent an unreadable date {when!r}") from error
        events.append(
            CarrierEvent(
                code=code,
                time=happened if happened.tzinfo else happened.replace(tzinfo=MOSCOW),
                status=status_for_operation(operation, attribute),
                description=f"{name}: {detail}" if detail and detail != name else name,
                location=_text(address, f"{{{DATA}}}Description") or _text(address, f"{{{DATA}}}Index"),
                carrier=RUSSIAN_POST,
                raw_code=f"{operation}.{attribute if attribute is not None else ''}",
            )
        )
    return CodeResult(events=tuple(events), not_found=not events)


# -- batch access ----------------------------------------------------------------------------


def _batch_envelope(method: str) -> tuple[Element, Element]:
    envelope = Element(f"{{{SOAP11}}}Envelope")
    SubElement(envelope, f"{{{SOAP11}}}Header")
    call = SubElement(SubElement(envelope, f"{{{SOAP11}}}Body"), f"{{{POSTSERVER}}}{method}")
    return envelope, call


def ticket_request(codes: list[str], *, login: str, password: str, language: str = "RUS") -> bytes:
    envelope, call = _batch_envelope("ticketRequest")
    request = SubElement(call, "request")
    for code in codes:
        SubElement(request, f"{{{FCLIENT}}}Item", {"Barcode": code})
    SubElement(call, "login").text = login
    SubElement(call, "password").text = password
    SubElement(call, "language").text = language
    return tostring(envelope, encoding="utf-8", xml_declaration=True)


def answer_request(ticket: str, *, login: str, password: str) -> bytes:
    envelope, call = _batch_envelope("answerByTicketRequest")
    SubElement(call, "ticket").text = ticket
    SubElement(call, "login").text = login
    SubElement(call, "password").text = password
    return tostring(envelope, encoding="utf-8", xml_declaration=True)


def _batch_error(element) -> tuple[str, str] | None:
    error = element.find("error") if element is not None else None
    if error is None:
        return None
    return error.get("ErrorTypeID", ""), error.get("ErrorName", "")


def parse_ticket(body: bytes) -> str:
    response = _xml(body).find(f".//{{{POSTSERVER}}}ticketResponse")
    if response is None:
        raise BadAnswer("Russian Post answered getTicket without a ticket response")
    if error := _batch_error(response):
        raise (CarrierError if error[0] == "3" else BadAnswer)(f"Russian Post refused the ticket: {error[1]}")
    ticket = _text(response, "value")
    if not ticket:
        raise BadAnswer("Russian Post answered getTicket with an empty ticket")
    return ticket


def parse_batch(body: bytes) -> dict[str, CodeResult] | None:
    """A getResponseByTicket answer → a result per code, or None when it is not ready yet. Pure."""
    response = _xml(body).find(f".//{{{POSTSERVER}}}answerByTicketResponse")
    if response is None:
        raise BadAnswer("Russian Post answered without an answerByTicketResponse")
    if error := _batch_error(response):
        if error[0] == NOT_READY:
            return None
        raise BadAnswer(f"Russian Post batch error {error[0]}: {error[1]}")
    value = response.find("value")
    if value is None:
        raise BadAnswer("Russian Post batch answer has no value")
    results: dict[str, CodeResult] = {}
    for item in value.findall(f"{{{FCLIENT}}}Item"):
        code = (item.get("Barcode") or "").upper()
        item_error = item.find(f"{{{FCLIENT}}}Error")
        if item_error is not None:
            if item_error.get("ErrorTypeID") == NO_INFORMATION:
                results[code] = CodeResult(not_found=True)
            else:
                results[code] = CodeResult(
                    error=CodeRefused(f"Russian Post: {item_error.get('ErrorName', '')}")
                )
            continue
        try:
            events = tuple(
                CarrierEvent(
                    code=code,
                    # DateOper is the local time of the office; Moscow time is the best guess we have.
                    time=datetime.strptime(operation.get("DateOper", ""), "%d.%m.%Y %H:%M:%S").replace(
                        tzinfo=MOSCOW
                    ),
                    status=status_for_operation(
                        int(operation.get("OperTypeID", "")), _int(operation.get("OperCtgID"))
                    ),
                    description=operation.get("OperName", ""),
                    location=operation.get("IndexOper", ""),
                    carrier=RUSSIAN_POST,
                    raw_code=f"{operation.get('OperTypeID')}.{operation.get('OperCtgID', '')}",
                )
                for operation in item.findall(f"{{{FCLIENT}}}Operation")
            )
        except ValueError as error:
            results[code] = CodeResult(error=BadAnswer(f"Russian Post sent an unreadable operation: {error}"))
            continue
        results[code] = CodeResult(events=events, not_found=not events)
    return results


class RussianPostCarrier(Carrier):
    slug = RUSSIAN_POST
    name = "Russian Post"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.batch = bool(self.settings.get("batch_login"))
        if self.batch:
            self.batch_size, self.requests_per_second, self.daily_budget = 3000, 1.0, None
        else:
            self.batch_size, self.requests_per_second, self.daily_budget = 1, 1.0, 100

    def missing_settings(self) -> list[str]:
        if self.batch or (self.settings.get("login") and self.settings.get("password")):
            return []
        return ["RUSSIAN_POST_LOGIN", "RUSSIAN_POST_PASSWORD"]

    def serves(self, recognition) -> bool:
        return recognition.kind == CodeKind.RUSSIAN_POST or (
            recognition.kind == CodeKind.S10 and RUSSIAN_POST in recognition.carriers
        )

    def _soap(self, url: str, body: bytes, *, summary: str, content_type: str) -> bytes:
        return self.http(
            "POST", url, summary=summary, data=body, headers={"Content-Type": content_type}
        ).content

    def _batch_call(self, build, subject, *, summary: str) -> bytes:
        """One batch-access SOAP 1.1 call; `build` makes its body from `subject` and the login."""
        body = build(
            subject, login=self.settings["batch_login"], password=self.settings.get("batch_password", "")
        )
        return self._soap(
            self.settings.get("batch_url") or BATCH_URL,
            body,
            summary=summary,
            content_type="text/xml; charset=utf-8",
        )

    def track(self, codes: list[str]) -> dict[str, CodeResult] | Pending:
        if self.batch:
            answer = self._batch_call(ticket_request, codes, summary=f"getTicket {len(codes)} codes")
            return Pending(token=parse_ticket(answer), collect_after=BATCH_WAIT)
        results = {}
        for code in codes:
            body = single_request(code, login=self.settings["login"], password=self.settings["password"])
            answer = self._soap(
                self.settings.get("url") or SINGLE_URL,
                body,
                summary=f"getOperationHistory {code}",
                content_type="application/soap+xml; charset=utf-8",
            )
            try:
                results[code] = parse_single(answer, code)
            except BadAnswer as error:
                results[code] = CodeResult(error=error)
        return results

    def collect(self, token: str, codes: list[str]) -> dict[str, CodeResult] | Pending:
        results = parse_batch(self._batch_call(answer_request, token, summary=f"getResponseByTicket {token}"))
        if results is None:
            return Pending(token=token, collect_after=BATCH_WAIT)
        return results_for_missing(codes, results, self.name)
