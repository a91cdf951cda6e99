"""Turning untrusted tag values into sane strings and numbers.

Tags come from anywhere: binary junk, megabyte-long titles, "99999999/0" track numbers,
"−3.2 dB" with a Unicode minus. Everything a tag reader stores passes through here.
"""

from __future__ import annotations

import math
import re
import unicodedata

from player.domain.numbers import roman_to_int

MAX_TEXT = 300
"""Longest text kept from one tag; longer values are cut (and the cut is reported)."""

MAX_NUMBER = 9999
"""Largest disc, track or movement number believed."""

_NUMBER = re.compile(r"[-+]?\s*\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"\s+")


def clean_text(value: object, *, limit: int = MAX_TEXT) -> str:
    """One tag value as a single printable line of at most ``limit`` characters.

    Control characters are dropped; a value that is mostly unprintable (binary junk read as
    text) becomes ``""``.
    """
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if (  # the usual tag: printable, single-spaced, trimmed, short (a fast path for scans)
        text.isprintable()
        and len(text) <= limit
        and "  " not in text
        and "\ufffd" not in text
        and text == text.strip()
    ):
        return text
    if len(text) > 4 * limit:  # do not scan megabytes of junk character by character
        text = text[: 4 * limit]
    kept = [c for c in text if c != "\ufffd" and (c.isspace() or unicodedata.category(c)[0] != "C")]
    if text and len(kept) < 0.7 * len(text):
        return ""
    line = _SPACE.sub(" ", "".join(kept)).strip()
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def parse_position(value: object) -> tuple[int | None, int | None]:
    """``"3/12"`` → ``(3, 12)``; ``"IV"`` → ``(4, None)``; nonsense → ``(None, None)``."""
    if isinstance(value, tuple):  # MP4 stores (number, total)
        numbers = [v if isinstance(v, int) else None for v in value[:2]] + [None, None]
        return _sane(numbers[0]), _sane(numbers[1])
    text = clean_text(value, limit=40)
    head, _, tail = text.partition("/")
    return _position_number(head), _position_number(tail)


def _position_number(text: str) -> int | None:
    text = text.strip().rstrip(".")
    if text.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        return _sane(int(text))
    return roman_to_int(text)


def _sane(number: int | None) -> int | None:
    return number if number is not None and 0 < number <= MAX_NUMBER else None


def parse_float(value: object, *, low: float, high: float) -> float | None:
    """The first number in ``value`` ("−3.2 dB", "+1,5 dB", "0.98") if it lies in [low, high]."""
    text = clean_text(value, limit=60)
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace(",", ".")
    match = _NUMBER.search(text)
    if not match:
        return None
    number = float(match.group().replace(" ", ""))
    return number if math.isfinite(number) and low <= number <= high else None


def parse_gain(value: object) -> float | None:
    """A ReplayGain gain in dB; values beyond ±60 dB are nonsense and dropped."""
    return parse_float(value, low=-60.0, high=60.0)


def parse_peak(value: object) -> float | None:
    """A ReplayGain peak (linear, 1.0 = full scale); beyond 0–10 is nonsense and dropped."""
    return parse_float(value, low=0.0, high=10.0)
