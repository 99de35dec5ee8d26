"""Find duplicate and near-duplicate photos using perceptual hashing.

Users often upload the same picture twice: once from the phone, once re-exported from an
editor at a different size or JPEG quality. Byte-level hashes (MD5/SHA) miss those, so we
compute a *difference hash* (dHash): shrink the image to 9x8 grayscale pixels and record, for
each row, whether each pixel is brighter than its right-hand neighbour. Visually similar
images produce hashes that differ in only a few bits, measured by Hamming distance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from PIL import Image

HASH_SIZE = 8
# Up to this many differing bits (out of 64) counts as "the same photo".
DEFAULT_MAX_DISTANCE = 6


def dhash(path: Path, hash_size: int = HASH_SIZE) -> int:
    """Compute the 64-bit difference hash of the image at ``path``."""
    with Image.open(path) as img:
        small = img.convert("L").resize((hash_size + 1, hash_size), Image.Resampling.LANCZOS)
        pixels = list(small.getdata())
    bits = 0
    for row in range(hash_size):
        offset = row * (hash_size + 1)
        for col in range(hash_size):
            left = pixels[offset + col]
            right = pixels[offset + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits


def hamming_distance(a: int, b: int) -> int:
    """Number of bit positions in which two hashes differ."""
    return bin(a ^ b).count("1")


@dataclass
class DuplicateGroup:
    """A set of photos that look the same; ``keep`` is the one we suggest keeping."""

    keep: Path
    duplicates: list[Path] = field(default_factory=list)


def find_duplicates(
    paths: Iterable[Path], max_distance: int = DEFAULT_MAX_DISTANCE
) -> list[DuplicateGroup]:
    """Group visually identical photos among ``paths``.

    Uses bucketing on the hash's four 16-bit bands to avoid comparing every pair: by the
    pigeonhole principle, two hashes within distance <= 3 share at least one identical band.
    For larger ``max_distance`` this is a heuristic that may miss a few matches, which is an
    acceptable trade-off for libraries with hundreds of thousands of photos.
    """
    hashes: dict[Path, int] = {}
    for path in paths:
        try:
            hashes[path] = dhash(path)
        except OSError:
            continue  # unreadable or not an image; the EXIF step already logged it

    bands: dict[tuple[int, int], list[Path]] = defaultdict(list)
    for path, h in hashes.items():
        for band in range(4):
            bands[(band, (h >> (16 * band)) & 0xFFFF)].append(path)

    parent = {p: p for p in hashes}

    def find(p: Path) -> Path:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for candidates in bands.values():
        for i, a in enumerate(candidates):
            for b in candidates[i + 1 :]:
                if hamming_distance(hashes[a], hashes[b]) <= max_distance:
                    parent[find(a)] = find(b)

    clusters: dict[Path, list[Path]] = defaultdict(list)
    for p in hashes:
        clusters[find(p)].append(p)

    groups = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        keep = _best_copy(members)
        groups.append(DuplicateGroup(keep=keep, duplicates=sorted(m for m in members if m != keep)))
    groups.sort(key=lambda g: str(g.keep))
    return groups


def _best_copy(paths: list[Path]) -> Path:
    """Prefer the largest file: usually the original rather than a recompressed copy."""
    return max(paths, key=lambda p: (p.stat().st_size, -len(str(p))))
