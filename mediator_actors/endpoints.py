"""SSRF rules for the chain endpoint, shared by the settings check at start and the chain
client (which also applies them to what the host name resolves to, before reconnecting).

Pure functions with no I/O: each returns what is wrong, or None.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services reachable by name.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})


def literal_ip(host: str) -> IPAddress | None:
    """The address a host string names literally (IPv4-mapped IPv6 unwrapped), or None."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback_host(host: str) -> bool:
    address = literal_ip(host)
    return host.lower() == "localhost" or (address is not None and address.is_loopback)


def url_problem(url: str) -> tuple[SplitResult, str | None]:
    """The URL's parts, and what makes it unusable as an endpoint (scheme, credentials,
    missing host, a metadata host name, a dangerous literal address), or None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return parts, f"must be an http:// or https:// URL, not {parts.scheme}:"
    if parts.username or parts.password:
        return parts, "must not carry credentials; set CHAIN_API_KEY instead"
    host = (parts.hostname or "").lower()
    if not host:
        return parts, "has no host"
    if host in METADATA_HOSTS:
        return parts, f"host {host} is a cloud metadata service"
    return parts, address_problem(host, allow_private=True)


def address_problem(host_or_address: str, *, allow_private: bool) -> str | None:
    """What is wrong with a literal address (None for a host name, which has none yet)."""
    address = literal_ip(host_or_address)
    if address is None:
        return None
    if address.is_link_local or address.is_unspecified or address.is_multicast:
        return (
            f"address {address} is link-local, unspecified or multicast (cloud metadata "
            "services live there); point it at the chain node"
        )
    if not allow_private and address.is_private and not address.is_loopback:
        return f"address {address} is private"
    return None
