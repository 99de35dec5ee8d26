"""Load pipeline settings from a YAML file, overridden by environment variables.

Precedence, lowest to highest: built-in defaults, ``pipeline.yaml``, then ``PHOTOS_*``
environment variables. Environment variables win so that the same image can run in staging
and production with only its deployment environment changed (twelve-factor style).

Example::

    # pipeline.yaml
    source_dir: /data/uploads
    report_dir: /data/reports
    duplicate_max_distance: 6

    $ PHOTOS_REPORT_DIR=/tmp/reports python -m photo_pipeline
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

ENV_PREFIX = "PHOTOS_"
DEFAULT_CONFIG_FILE = Path("pipeline.yaml")


class ConfigError(ValueError):
    """Raised for unknown keys or values of the wrong type."""


@dataclass(frozen=True)
class PipelineConfig:
    source_dir: Path = Path("uploads")
    report_dir: Path = Path("reports")
    duplicate_max_distance: int = 6
    workers: int = 4
    skip_gps: bool = False
    log_level: str = "INFO"


def load_config(
    path: Optional[Path] = None, environ: Optional[Mapping[str, str]] = None
) -> PipelineConfig:
    """Build the effective configuration.

    ``path`` defaults to ``$PHOTOS_CONFIG`` or ``pipeline.yaml``; a missing default file is
    fine, but a missing file given explicitly is an error.
    """
    env = os.environ if environ is None else environ
    explicit = path is not None or "PHOTOS_CONFIG" in env
    config_path = path or Path(env.get("PHOTOS_CONFIG", DEFAULT_CONFIG_FILE))

    values: dict[str, Any] = {}
    if config_path.exists():
        with open(config_path, encoding="utf-8") as fh:
            loaded = yaml.safe_load(fh) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{config_path}: top level must be a mapping")
        values.update(loaded)
    elif explicit:
        raise ConfigError(f"config file {config_path} does not exist")

    for f in fields(PipelineConfig):
        env_name = ENV_PREFIX + f.name.upper()
        if env_name in env:
            values[f.name] = env[env_name]

    return _build(values, source=str(config_path))


def _build(values: dict[str, Any], source: str) -> PipelineConfig:
    known = {f.name: f for f in fields(PipelineConfig)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    converted = {}
    for name, raw in values.items():
        default = known[name].default
        try:
            converted[name] = _coerce(raw, type(default))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {name}: {exc}") from exc
    return PipelineConfig(**converted)


def _coerce(raw: Any, target: type) -> Any:
    """Convert YAML scalars and environment strings to the field's type."""
    if target is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if target is int:
        if isinstance(raw, bool):
            raise TypeError("expected an integer, got a boolean")
        return int(raw)
    if issubclass(target, Path):
        return Path(str(raw)).expanduser()
    return str(raw)
