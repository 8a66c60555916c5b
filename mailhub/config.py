"""Settings: defaults that work out of the box, a TOML file, then ``MAILHUB_*`` variables.

Precedence, highest first: environment, TOML file (``--config`` or ``MAILHUB_CONFIG``), defaults.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from directory import DEFAULT_PATTERN, validate_pattern

PLACEHOLDER_SERVICE_DOMAIN = "lich.example.gov.vn"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAILHUB_", extra="forbid", validate_default=True)

    home: Path = Field(default=Path("var"), description="state: SQLite database, TLS certificate")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in home by default")

    smtp_host: str = "127.0.0.1"
    submission_host: str | None = None
    inbound_host: str | None = None
    submission_port: int = Field(default=587, ge=0, le=65535)
    inbound_port: int = Field(default=25, ge=0, le=65535)
    hostname: str = Field(default="", description="name in the banner and Received headers")

    smarthost: str | None = Field(default=None, description="host:port of the province's mailbox server")
    smarthost_username: str | None = None
    smarthost_password: SecretStr | None = None
    trusted_networks: str = Field(default="", description="comma-separated CIDRs allowed to relay without AUTH")
    service_domain: str = Field(default=PLACEHOLDER_SERVICE_DOMAIN, description="mailhub's own domain: organizer "
                                "addresses, return paths (must have an MX pointing at mailhub)")
    province_domains: str = Field(default="", description="extra own domains besides the directory's")
    province_mail_servers: str = Field(
        default="", description="CIDRs of the province's mailbox servers: the only clients whose mail on port 25 may "
                                "claim the province's domains (default: the trusted networks and the smart host)")
    transport_map: str = Field(default="", description="domain=host:port pairs, comma-separated")
    dns_nameservers: str = Field(
        default="", description="address[:port] of the DNS servers for SPF, DKIM, DMARC and MX, comma-separated "
                                "(default: the system's resolver)")
    dns_timeout_seconds: float = Field(default=8.0, gt=0, le=60,
                                       description="a DNS question not answered in this time is a temporary failure")

    tls_policy: str = Field(default="may", description="outbound TLS: may, encrypt, verify, dane, or "
                                                        "domain=mode,.parent=mode,*=mode")
    tls_ca_file: Path | None = Field(default=None, description="extra CA certificates (the province's own CA) "
                                                               "for verify and MTA-STS")
    mta_sts: bool = Field(default=True, description="honour outside domains' MTA-STS policies (RFC 8461)")
    mta_sts_port: int = Field(default=443, ge=1, le=65535, description="HTTPS port of policy hosts (tests)")
    dkim_keys: Path | None = Field(default=None, description="folder of DKIM keys (default: <home>/dkim), mode 0700")
    smime_certificates: Path | None = Field(
        default=None, description="folder of agencies' S/MIME certificates (default: <home>/smime)")
    tls_cert: Path | None = None
    tls_key: Path | None = None

    max_message_size: int = Field(default=25 * 1024 * 1024, gt=0)
    max_recipients: int = Field(default=1000, gt=0)
    max_connections_per_client: int = Field(default=50, gt=0,
                                            description="concurrent SMTP connections from one address (Postfix: 50)")
    max_connections: int = Field(default=500, gt=0, description="concurrent SMTP connections in all")
    smtp_data_timeout_seconds: float = Field(default=600.0, gt=0,
                                             description="ceiling on one whole DATA phase, however it is dribbled")
    data_memory_mb: int = Field(default=96, gt=0, description="large messages (SIZE of 1 MB or more declared) the "
                                "listeners hold in memory at once, in MB; the next waits before DATA")
    retry_min_seconds: int = Field(default=300, gt=0)
    retry_max_seconds: int = Field(default=4000, gt=0)
    queue_lifetime_seconds: int = Field(default=432000, gt=0)
    delivery_concurrency: int = Field(default=100, gt=0, description="delivery connections open at once, in all")
    destination_concurrency: int = Field(default=20, gt=0,
                                         description="delivery connections to one destination at once (Postfix: 20)")
    claim_lease_seconds: int = Field(default=300, gt=0, description="a dead node's claims return after this")
    delivery_process: bool = Field(default=True, description="deliver from a process of its own, beside the "
                                   "listeners (both cores at work); false: one process does everything")
    command_server: bool = Field(default=True, description="serve keeps a process that runs this home's "
                                 "commands (a script's `mailhub notice send`) without starting Python anew")
    event_loop: str = Field(default="uvloop", pattern="^(uvloop|asyncio)$",
                            description="the server's event loop: uvloop (libuv), or asyncio's own")

    auth_imap: str | None = Field(default=None, description="host:port of the mailbox server's IMAP for AUTH")
    auth_imap_security: str = Field(default="tls", pattern="^(tls|starttls)$")
    auth_imap_verify: bool = Field(default=True, description="verify the IMAP server's certificate")
    auth_ldap_url: str | None = Field(default=None, description="ldaps://host or ldap://host (StartTLS)")
    auth_ldap_bind: str = Field(default="{login}", description="bind DN template: {local}, {login}, {domain}")
    auth_cache_seconds: int = Field(default=300, ge=0, description="how long a delegated success is trusted")

    retention_body_days: int = Field(default=30, ge=0, description="0 keeps delivered bodies forever")
    retention_log_days: int = Field(default=400, ge=0, description="0 keeps the delivery log forever")

    policies: str = Field(default="confidential-mark,uninspectable,attachment-type,size",
                          description="content policies, in order, comma-separated")
    policy_workers: int = Field(default=2, gt=0, le=64,
                                description="worker processes that check content, for each listener")
    policy_timeout_seconds: float = Field(default=30.0, gt=0,
                                          description="a check that runs longer is stopped: 451, try later")
    policy_memory_mb: int = Field(default=1024, ge=256, description="address-space cap of each worker, in MiB")

    report_to: str = Field(default="", description="who gets the six-monthly usage report (addresses, group:NAME, "
                                                 "agency:CODE, comma-separated); empty: not mailed")
    report_days_before: int = Field(default=5, ge=1, le=60, description="mail it this many days before 15/6 and 15/12")
    report_office: str = Field(default="Sở Khoa học và Công nghệ", description="the office that issues the report")
    report_abbreviation: str = Field(default="SKHCN", description="its letters in the report's number")
    monthly_digest: bool = Field(default=True, description="each month, agency heads get dormant accounts and "
                                                           "unanswered invitations")
    reminder_lead_minutes: int = Field(default=1440, ge=0, description="remind silent attendees this long before")

    address_pattern: str = DEFAULT_PATTERN
    activity_window_days: int = Field(default=30, gt=0)

    @field_validator("address_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return validate_pattern(value)

    @field_validator("policies")
    @classmethod
    def _policies(cls, value: str) -> str:
        from policies import BUILTIN

        unknown = [name for name in _split(value) if name not in BUILTIN]
        if unknown:
            raise ValueError(f"unknown policies {', '.join(unknown)}; known: {', '.join(BUILTIN)}")
        return value

    @field_validator("tls_policy")
    @classmethod
    def _tls_policy(cls, value: str) -> str:
        from mailhub.delivery.tls_policy import parse_policy

        parse_policy(value)
        return value

    @field_validator("dns_nameservers")
    @classmethod
    def _nameservers(cls, value: str) -> str:
        parse_nameservers(value)
        return value

    @field_validator("trusted_networks", "province_mail_servers")
    @classmethod
    def _networks(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"trusted_networks: {item!r} is not a network ({exc})") from exc
        return value

    @field_validator("smarthost")
    @classmethod
    def _smarthost(cls, value: str | None) -> str | None:
        if value:
            parse_host_port(value, 25)
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    # -- derived values -------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'mailhub.db').as_posix()}"

    @property
    def policy_names(self) -> tuple[str, ...]:
        return tuple(_split(self.policies))

    @property
    def trusted(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in _split(self.trusted_networks)]

    @property
    def mail_servers(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The province's mailbox servers: as configured, else the trusted networks and the smart host."""
        if self.province_mail_servers.strip():
            return [ipaddress.ip_network(item, strict=False) for item in _split(self.province_mail_servers)]
        servers = list(self.trusted)
        host = self.smarthost.rpartition(":")[0].strip("[]") if self.smarthost else ""
        with contextlib.suppress(ValueError):  # a host name: set MAILHUB_PROVINCE_MAIL_SERVERS for it
            servers.append(ipaddress.ip_network(host, strict=False))
        return servers

    @property
    def listen_submission(self) -> tuple[str, int]:
        return (self.submission_host or self.smtp_host, self.submission_port)

    @property
    def listen_inbound(self) -> tuple[str, int]:
        return (self.inbound_host or self.smtp_host, self.inbound_port)

    def masked(self) -> dict[str, Any]:
        """The effective configuration for display, with every secret masked."""
        values = self.model_dump(mode="json")
        for name, value in values.items():
            if isinstance(getattr(self, name), SecretStr) and value:
                values[name] = "********"
        values["database_url"] = mask_url(self.effective_database_url)
        return values


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


Nameserver = tuple[str, int]


def parse_nameservers(text: str) -> list[Nameserver]:
    """``127.0.0.1:5353, 10.0.0.53`` -> [("127.0.0.1", 5353), ("10.0.0.53", 53)]; IPv6 as ``[::1]:53``."""
    servers: list[Nameserver] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        host, port = item, 53
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            if rest.startswith(":"):
                port = int(rest[1:])
        elif item.count(":") == 1:
            host, _, port_text = item.partition(":")
            port = int(port_text)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            host = ""
        if not host or not 0 < port < 65536:
            raise ValueError(f"{item!r} is not a name server (an IP address, or address:port)")
        servers.append((host, port))
    return servers


def parse_host_port(value: str, default_port: int) -> tuple[str, int]:
    host, sep, port = value.strip().rpartition(":")
    if not sep:
        return value.strip(), default_port
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{value!r} is not host:port")
    return host.strip("[]"), int(port)


def mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def load_settings(config_file: Path | None = None) -> Settings:
    """Settings from the environment and an optional TOML file (``--config`` or ``MAILHUB_CONFIG``)."""
    if config_file is None and os.environ.get("MAILHUB_CONFIG"):
        config_file = Path(os.environ["MAILHUB_CONFIG"])
    if config_file is None:
        return Settings()
    if not config_file.is_file():
        raise FileNotFoundError(f"configuration file {config_file} does not exist")
    with_file = type("Settings", (Settings,), {
        "model_config": SettingsConfigDict(**{**Settings.model_config, "toml_file": config_file}),
        "__module__": __name__,
    })
    settings: Settings = with_file()
    return settings
