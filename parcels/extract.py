"""Track codes out of what people paste: a list of lines, any text, an HTML page or an .eml file.

Pure functions: nothing here touches the database. Each candidate keeps its line number and what
was typed, so the preview can show every line and nothing is silently dropped.
"""

import email
import re
from dataclasses import dataclass
from email import policy

from bs4 import BeautifulSoup
from django.utils.translation import gettext as _

from parcels.codes import CodeKind, Recognition, identify

MAX_LINES = 500
MAX_TEXT_CHARS = 200_000
MAX_FILE_BYTES = 2 * 1024 * 1024
# Reading one byte past the limit is how an upload is known to be over it.
FILE_READ_LIMIT = MAX_FILE_BYTES + 1

# What may sit between a code and its comment on one line.
_EXPLICIT_SEPARATOR = re.compile(r"\t|;|\|")
_TRAILING_PUNCTUATION = ",;:"
# Codes are at most this many tokens when typed with spaces ("RR 1234 5678 5 CN").
_MAX_CODE_TOKENS = 6
_HTML = re.compile(r"<\s*(html|body|div|table|tr|td|p|a|span|br|b|strong)\b", re.IGNORECASE)
# Shapes worth recognizing inside free text; identify() decides what each really is.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])("
    r"[A-Za-z]{2}[ \u00a0]?\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}[ \u00a0]?[A-Za-z]{2}"
    r"|LP\d{14}|YT\d{16}|4PX\d{10,16}(?:CN)?|(?:AEWH|SYAE|SYRM|SYCN|AELL)\d{9,14}"
    r"|1Z[0-9A-Z]{16}|DEMO\d{1,12}|\d{14}|\d{20,22}"
    r")(?![A-Za-z0-9])"
)
_KINDS_FOUND_IN_TEXT = {
    CodeKind.S10,
    CodeKind.RUSSIAN_POST,
    CodeKind.MARKETPLACE,
    CodeKind.EXPRESS,
    CodeKind.DEMO,
}


class InputTooLarge(ValueError):
    """The pasted text or file is over a limit; the message says which and by how much."""


@dataclass(frozen=True)
class Candidate:
    line: int
    typed: str
    comment: str
    recognition: Recognition


@dataclass(frozen=True)
class Extraction:
    mode: str  # "lines" or "found"
    candidates: list[Candidate]
    skipped_lines: int = 0  # blank lines in "lines" mode

    def as_lines(self) -> str:
        """The found codes as a list, one per line, to be read again in "lines" mode."""
        return "\n".join(candidate.recognition.code for candidate in self.candidates)


def _split_code_and_comment(line: str, destination: str | None) -> tuple[str, str]:
    explicit = _EXPLICIT_SEPARATOR.split(line, maxsplit=1)
    if len(explicit) == 2:
        return explicit[0].strip(), explicit[1].strip()
    tokens = line.split()
    # A code typed with spaces spans several tokens: take the longest leading run that makes
    # a valid code, so "RR 1234 5678 5CN phone case" keeps "phone case" as the comment.
    for size in range(min(len(tokens), _MAX_CODE_TOKENS), 1, -1):
        joined = " ".join(tokens[:size])
        if identify(joined, destination=destination).valid:
            return joined, " ".join(tokens[size:])
    return tokens[0].rstrip(_TRAILING_PUNCTUATION), " ".join(tokens[1:])


def _check_line_limit(count: int) -> None:
    if count > MAX_LINES:
        raise InputTooLarge(
            _("At most %(limit)d lines at once; this has %(count)d. Split the list and add it in parts.")
            % {"limit": MAX_LINES, "count": count}
        )


def _read_lines(text: str, *, destination: str | None) -> Extraction:
    """Every non-blank line as a code and a comment, without the line limit."""
    lines = text.splitlines()
    candidates = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            typed, comment = _split_code_and_comment(line.strip(), destination)
            candidates.append(Candidate(number, typed, comment, identify(typed, destination=destination)))
    return Extraction("lines", candidates, skipped_lines=len(lines) - len(candidates))


def candidates_from_lines(text: str, *, destination: str | None) -> Extraction:
    _check_line_limit(sum(1 for line in text.splitlines() if line.strip()))
    return _read_lines(text, destination=destination)


def text_from_html(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    # Tracking links often carry the code only in their address.
    links = " ".join(anchor["href"] for anchor in soup.find_all("a", href=True))
    return soup.get_text(" ") + " " + links


def text_from_eml(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=policy.default)
    parts = [str(message.get("Subject", ""))]
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError):  # an unknown charset or a broken part: read it raw
            content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        parts.append(text_from_html(content) if part.get_content_subtype() == "html" else content)
    return "\n".join(parts)


def candidates_found_in_text(text: str, *, destination: str | None) -> Extraction:
    if _HTML.search(text):
        text = text_from_html(text)
    seen: dict[str, Candidate] = {}
    for match in _CANDIDATE.finditer(text):
        typed = match.group(1)
        recognition = identify(typed, destination=destination)
        if recognition.kind in _KINDS_FOUND_IN_TEXT and recognition.code not in seen:
            line = text.count("\n", 0, match.start()) + 1
            seen[recognition.code] = Candidate(line, typed, "", recognition)
    if len(seen) > MAX_LINES:
        raise InputTooLarge(
            _("At most %(limit)d codes at once; this text has %(count)d. Split it and add it in parts.")
            % {"limit": MAX_LINES, "count": len(seen)}
        )
    return Extraction("found", list(seen.values()))


def _is_a_list(extraction: Extraction) -> bool:
    """Most lines start with something shaped like a code (valid or not): a list, not prose."""
    code_like = sum(
        1 for candidate in extraction.candidates if candidate.recognition.kind != CodeKind.UNKNOWN
    )
    return bool(extraction.candidates) and code_like * 2 >= len(extraction.candidates)


def candidates_from_input(
    *,
    text: str = "",
    file_name: str = "",
    file_data: bytes = b"",
    mode: str = "auto",
    destination: str | None,
) -> Extraction:
    """Read pasted text or an uploaded file. `mode`: "lines", "found", or "auto" (decide by content)."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputTooLarge(
            _("The text is too long: at most %(limit)d characters, this has %(count)d.")
            % {"limit": MAX_TEXT_CHARS, "count": len(text)}
        )
    if file_data:
        if len(file_data) > MAX_FILE_BYTES:
            raise InputTooLarge(
                _("The file is too large: at most %(limit)d MB.") % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        if file_name.lower().endswith(".eml"):
            text = text_from_eml(file_data)
        else:
            text = file_data.decode("utf-8", "replace")
        if mode == "auto":
            mode = "found"
    if mode == "auto" and not _HTML.search(text):
        # Read as a list once; the same reading decides whether it is one.
        extraction = _read_lines(text, destination=destination)
        if _is_a_list(extraction):
            _check_line_limit(len(extraction.candidates))
            return extraction
    if mode == "auto":
        mode = "found"
    if mode == "lines":
        return candidates_from_lines(text, destination=destination)
    return candidates_found_in_text(text, destination=destination)
