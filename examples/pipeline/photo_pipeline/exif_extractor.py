"""Extract EXIF metadata (camera, capture time, GPS position) from uploaded photos.

The gallery shows "taken on <date> with <camera>" and places photos on a map, so the
pipeline reads a small, normalised subset of EXIF tags rather than dumping everything.
Raw EXIF is messy: timestamps have no time zone, GPS coordinates are stored as
degree/minute/second rationals, and some phones write garbage, so every field is optional.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from PIL import Image, UnidentifiedImageError
from PIL.ExifTags import GPSTAGS, TAGS

log = logging.getLogger(__name__)

# EXIF stores DateTimeOriginal as "YYYY:MM:DD HH:MM:SS" in the camera's local time.
EXIF_DATETIME_FORMAT = "%Y:%m:%d %H:%M:%S"
GPS_INFO_TAG = 0x8825


@dataclass(frozen=True)
class PhotoMetadata:
    """The EXIF fields the product uses. Any of them may be missing."""

    path: str
    camera_make: Optional[str] = None
    camera_model: Optional[str] = None
    taken_at: Optional[datetime] = None
    width: Optional[int] = None
    height: Optional[int] = None
    orientation: int = 1
    latitude: Optional[float] = None
    longitude: Optional[float] = None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def extract_metadata(path: Path) -> PhotoMetadata:
    """Read the EXIF block of the image at ``path`` and return the normalised metadata.

    Files that are not images, or have no EXIF at all, yield a PhotoMetadata with only
    ``path`` (and dimensions, if the image could be opened) filled in.
    """
    try:
        with Image.open(path) as img:
            width, height = img.size
            raw = img.getexif()
            named = {TAGS.get(tag, tag): value for tag, value in raw.items()}
            gps = _read_gps_block(raw)
    except (UnidentifiedImageError, OSError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return PhotoMetadata(path=str(path))

    lat, lon = _gps_to_decimal(gps) if gps else (None, None)
    return PhotoMetadata(
        path=str(path),
        camera_make=_clean_str(named.get("Make")),
        camera_model=_clean_str(named.get("Model")),
        taken_at=_parse_exif_datetime(named.get("DateTimeOriginal") or named.get("DateTime")),
        width=width,
        height=height,
        orientation=int(named.get("Orientation", 1) or 1),
        latitude=lat,
        longitude=lon,
    )


def _read_gps_block(raw_exif: Image.Exif) -> dict[str, Any]:
    """Return the GPS IFD with human-readable tag names, or an empty dict."""
    try:
        gps_ifd = raw_exif.get_ifd(GPS_INFO_TAG)
    except KeyError:
        return {}
    return {GPSTAGS.get(tag, tag): value for tag, value in gps_ifd.items()}


def _gps_to_decimal(gps: dict[str, Any]) -> tuple[Optional[float], Optional[float]]:
    """Convert EXIF degree/minute/second rationals to signed decimal degrees."""
    try:
        lat = _dms_to_degrees(gps["GPSLatitude"])
        lon = _dms_to_degrees(gps["GPSLongitude"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if gps.get("GPSLatitudeRef", "N") == "S":
        lat = -lat
    if gps.get("GPSLongitudeRef", "E") == "W":
        lon = -lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None, None
    # Many phones write 0,0 when they have no fix; that is the Gulf of Guinea, not a photo.
    if lat == 0.0 and lon == 0.0:
        return None, None
    return round(lat, 6), round(lon, 6)


def _dms_to_degrees(dms: tuple) -> float:
    degrees, minutes, seconds = (float(v) for v in dms)
    return degrees + minutes / 60.0 + seconds / 3600.0


def _parse_exif_datetime(value: Any) -> Optional[datetime]:
    if not value:
        return None
    text = str(value).strip().rstrip("\x00")
    try:
        return datetime.strptime(text, EXIF_DATETIME_FORMAT)
    except ValueError:
        # "0000:00:00 00:00:00" and other placeholders are common; treat them as unknown.
        log.debug("unparseable EXIF timestamp %r", text)
        return None


def _clean_str(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None
