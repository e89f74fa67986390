"""How every Kafka client of the platform connects: the broker list and TLS/SASL.

One :class:`KafkaClientConfig` (built from the settings by ``ServiceSettings.kafka``) feeds
the FastStream broker (:meth:`faststream_security`) and every plain aiokafka client, the
admin client included (:meth:`client_options`), so no client can connect differently.

The broker list is always a list: FastStream 0.7.8 hands a comma-separated string to
aiokafka as ONE host (``Unable to bootstrap from [('a:1,b:2,c', 3)]``), so a multi-broker
address must be split before it reaches any client.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

_SASL_CLASSES: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


# host[:port]: a name or IPv4 address, or a bracketed IPv6 address.
_SERVER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?")


def split_servers(value: str | Sequence[str]) -> list[str]:
    """``"a:9092, b:9092"`` (what an operator writes) or a list, as a list of ``host:port``.

    Raises ``ValueError`` for an empty list or an entry that cannot be an address."""
    items = value.split(",") if isinstance(value, str) else list(value)
    servers = [item.strip() for item in items if item.strip()]
    if not servers:
        raise ValueError("at least one Kafka bootstrap server is needed (host:port,host:port)")
    for server in servers:
        if not _SERVER.fullmatch(server):
            raise ValueError(f"{server!r} is not a Kafka address: write host:port,host:port")
    return servers


@dataclass(frozen=True)
class KafkaClientConfig:
    """The connection settings every Kafka client of a service shares."""

    bootstrap_servers: tuple[str, ...]
    security_protocol: SecurityProtocol = "PLAINTEXT"
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_key_password: str | None = None
    sasl_mechanism: SaslMechanism = "PLAIN"
    sasl_username: str | None = None
    sasl_password: str | None = None

    @classmethod
    def plain(cls, servers: str | Sequence[str]) -> KafkaClientConfig:
        """A PLAINTEXT connection (local brokers, tests, tools)."""
        return cls(tuple(split_servers(servers)))

    @property
    def uses_ssl(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context (hostname checked, CA from ``ssl_cafile`` or the system's)."""
        if not self.uses_ssl:
            return None
        context: ssl.SSLContext = create_ssl_context(
            cafile=self.ssl_cafile,
            certfile=self.ssl_certfile,
            keyfile=self.ssl_keyfile,
            password=self.ssl_key_password,
        )
        return context

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer``/``Consumer``/``AdminClient``."""
        options: dict[str, Any] = {
            "bootstrap_servers": list(self.bootstrap_servers),
            "security_protocol": self.security_protocol,
        }
        if self.uses_ssl:
            options["ssl_context"] = self.ssl_context()
        if self.uses_sasl:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password
        return options

    def faststream_security(self) -> BaseSecurity | None:
        """The same settings as FastStream's security object (``KafkaBroker(security=...)``).

        FastStream turns it back into aiokafka's ``security_protocol``/``sasl_*`` options
        (``faststream.kafka.security.parse_security``)."""
        if self.uses_sasl:
            sasl = _SASL_CLASSES[self.sasl_mechanism]
            return sasl(
                username=self.sasl_username or "",
                password=self.sasl_password or "",
                ssl_context=self.ssl_context(),
                use_ssl=self.uses_ssl,
            )
        if self.uses_ssl:
            return BaseSecurity(ssl_context=self.ssl_context(), use_ssl=True)
        return None
