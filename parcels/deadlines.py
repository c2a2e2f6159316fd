"""Deadlines the post sets (pure): how long after posting a search request can be filed."""

import calendar
from datetime import datetime

SEARCH_WINDOW_MONTHS = 6
SEARCH_WINDOW_MONTHS_EMS = 4


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def search_request_deadline(*, posted_at: datetime, kind: str, code: str) -> datetime:
    """6 months after posting, 4 for EMS (international codes starting with E)."""
    ems = kind == "s10" and code.startswith("E")
    return add_months(posted_at, SEARCH_WINDOW_MONTHS_EMS if ems else SEARCH_WINDOW_MONTHS)
