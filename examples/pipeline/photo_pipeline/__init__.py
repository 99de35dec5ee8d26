"""Offline processing for the photo library: EXIF extraction, duplicate detection, reports."""
