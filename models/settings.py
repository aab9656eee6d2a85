"""Portal settings: declared once, validated at start, read from the environment
(``PORTAL_*``) and from the ``[portal]`` table of ``.streamlit/secrets.toml``."""

from __future__ import annotations

import contextlib
import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from models.db import PRIVATE_FILE_MODE, make_private, private_folder
from models.errors import plain_message
from models.i18n import LANGUAGES, SOURCE_LANGUAGE, _, use_language

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class SettingsError(ValueError):
    """A setting has a bad value; the message names the setting and the problem."""


class _SecretsTomlSource(PydanticBaseSettingsSource):
    """Reads the ``[portal]`` table of ``.streamlit/secrets.toml`` when the file exists."""

    def get_field_value(
        self, field: FieldInfo, field_name: str
    ) -> tuple[Any, str, bool]:  # pragma: no cover - unused by pydantic here
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = Path(self.config.get("secrets_file") or SECRETS_FILE)
        if not path.is_file():
            return {}
        with path.open("rb") as handle:
            table = tomllib.load(handle).get("portal", {})
        return dict(table) if isinstance(table, dict) else {}


class Settings(BaseSettings):
    """Every setting of the portal, with its default and what it is for."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    db_path: Path = Field(
        default=PROJECT_ROOT / "data" / "portal.duckdb",
        description="Path of the DuckDB database file; relative paths start at the project folder.",
    )
    database_url: str | None = Field(
        default=None,
        pattern=r"^postgres(?:ql)?://",
        description="PostgreSQL database shared by several portal servers (postgresql://user@host:port/name;"
        " a password goes in PGPASSWORD or ~/.pgpass); unset, the portal keeps its data in the DuckDB file"
        " at db_path, whose folder keeps this server's own files either way.",
    )
    organisation_name: str = Field(
        default="Harbourview Financial",
        min_length=1,
        max_length=120,
        description="Name of the organisation shown in the portal's header.",
    )
    currency: str = Field(
        default="AUD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code used for savings and costs (three capital letters).",
    )
    default_language: str = Field(
        default=SOURCE_LANGUAGE,
        description="Language of the portal for a person who has chosen none and whose browser asks for none of"
        " its languages: en, uk, ru or lt.",
    )
    anonymity_min_group: int = Field(
        default=5,
        ge=3,
        le=100,
        description="Smallest group whose engagement results or comments may be shown (never below 3).",
    )
    kudos_monthly_allowance: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="Kudos each person may give per calendar month; 0 means no limit.",
    )
    kudos_badge_threshold: int = Field(
        default=10,
        ge=1,
        le=10000,
        description="Kudos a person must receive to earn the kudos badge.",
    )
    session_lifetime_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 30,
        description="How long a sign-in lasts before the person must sign in again.",
    )
    demo_mode: bool = Field(
        default=False,
        description="Seed the demo organisation into an empty database on first start.",
    )
    demo_seed: int = Field(default=2026, description="Seed of the demo organisation generator.")
    demo_scale: float = Field(
        default=1.0,
        gt=0,
        le=200,
        description="Size of the demo organisation; 1 is about 150 agents in 10 teams.",
    )
    secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Key that signs sign-in cookies; generated into data/.secret_key when unset.",
    )
    max_upload_mb: int = Field(default=200, ge=1, le=2048, description="Largest file accepted by an upload, in MiB.")
    smtp_host: str | None = Field(
        default=None,
        max_length=255,
        description="SMTP server that emails the inbox's messages too; unset, nothing leaves the machine.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_user: str | None = Field(default=None, description="User name for the SMTP server; unset, no sign-in.")
    smtp_password: SecretStr | None = Field(default=None, description="Password for the SMTP server.")
    smtp_from: str = Field(
        default="portal@localhost",
        min_length=3,
        max_length=255,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="Sender address of the portal's emails.",
    )
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS before sending.")

    @field_validator("smtp_host", "smtp_user")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("default_language")
    @classmethod
    def _a_portal_language(cls, value: str) -> str:
        code = value.strip().lower()
        if code not in LANGUAGES:
            raise ValueError(
                _(
                    "'{value}' is not one of the portal's languages ({languages})",
                    value=value,
                    languages=", ".join(LANGUAGES),
                )
            )
        return code

    @property
    def sends_email(self) -> bool:
        """Whether the inbox's messages go by email too (an SMTP server is configured)."""
        return self.smtp_host is not None

    @field_validator("db_path")
    @classmethod
    def _anchor_relative_path(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _SecretsTomlSource(settings_cls))

    def signing_key(self) -> str:
        """The cookie-signing key: the configured one, else one kept beside the database."""
        if self.secret_key:
            return self.secret_key
        key_file = self.db_path.parent / ".secret_key"
        if not key_file.exists():
            private_folder(key_file.parent)
            with contextlib.suppress(FileExistsError):  # another process made it first
                descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(secrets.token_urlsafe(48))
        make_private(key_file)
        return key_file.read_text().strip()


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning a validation failure into one readable message, in the
    language the ``default_language`` setting names (English when it names none)."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        with use_language(configured_language(**overrides)):
            problems = []
            for issue in error.errors():
                name = ".".join(str(part) for part in issue["loc"]) or "settings"
                problems.append(f"PORTAL_{name.upper()} ({name}): {plain_message(issue)}")
            raise SettingsError(_("Invalid setting — {problems}", problems="; ".join(problems))) from None


def configured_language(**overrides: Any) -> str:
    """The language the ``default_language`` setting names, read on its own so that the
    refusal of another setting is said in it too; English when it is unset or not a language
    of the portal. The admin command line and the start-up messages speak it."""
    value = overrides.get("default_language")
    if value is None:
        value = next((os.environ[name] for name in os.environ if name.upper() == "PORTAL_DEFAULT_LANGUAGE"), None)
    if value is None:
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError, AttributeError):
            value = _SecretsTomlSource(Settings)().get("default_language")
    code = str(value or "").strip().lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once; tests clear the cache to change them."""
    return load_settings()
