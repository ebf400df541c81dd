"""Reading a clinician's time zone from what they type, and resolving it to a tzinfo."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Offered as buttons; everything else can be typed.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@cache
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for name in available_timezones():
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    return cities


def parse_timezone(typed: str) -> str | None:
    """Returns a canonical zone name for an IANA name, a city, or an offset like UTC+2; else None.

    Fixed offsets are kept as "UTC+05:30" because the Etc/GMT zones cover whole hours only
    (and invert the sign, which confuses people reading them back).
    """
    cleaned = typed.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > 64:
        return None
    lowered = cleaned.lower()
    if lowered in {"utc", "gmt", "z", "utc+0", "gmt+0", "utc-0", "gmt-0"}:
        return "UTC"
    exact = _zones_by_lower().get(lowered)
    if exact is not None:
        return exact
    city = _zones_by_city().get(lowered)
    if city is not None and len(city) == 1:
        return city[0]
    match = _OFFSET.match(typed.strip())
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60 or (hours == 14 and minutes):
        return None
    if hours == 0 and minutes == 0:
        return "UTC"
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def resolve(zone_name: str) -> tzinfo:
    """The tzinfo for a name produced by parse_timezone (IANA zone or fixed UTC offset)."""
    if zone_name.startswith("UTC") and len(zone_name) > 3:
        sign = -1 if zone_name[3] == "-" else 1
        hours, minutes = zone_name[4:].split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)), zone_name)
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {zone_name!r}") from exc


def clinician_zone(zone_name: str | None) -> tuple[str, tzinfo]:
    """The clinician's zone, or UTC when they have none (or one no longer known)."""
    if zone_name:
        try:
            return zone_name, resolve(zone_name)
        except ValueError:
            pass
    return "UTC", UTC


def local_zone(zone_name: str | None) -> tzinfo:
    """The tzinfo of `clinician_zone`: the clinician's own, or UTC."""
    return clinician_zone(zone_name)[1]


def knows_zone(zone_name: str | None) -> bool:
    """Whether a zone is set and this machine's tz data knows it: prompts can be timed."""
    return bool(zone_name) and clinician_zone(zone_name)[0] == zone_name
