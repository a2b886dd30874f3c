"""The one guard for every request Netra makes to an address a tenant or a reporter chose (SSRF).

Webhook deliveries (and later link archiving) go through :func:`post` / :func:`fetch`:

* the name is resolved **once**; every address of the answer must be allowed, else nothing is sent;
* the connection goes to one of those checked addresses (never a second lookup — DNS rebinding),
  with the ``Host`` header, TLS SNI and certificate verification kept for the name;
* redirects are never followed (a 3xx is just a non-2xx answer);
* failures come back as a short category (:class:`Failure`), never the exception text: an error
  naming addresses and ports would turn the delivery log into a port scanner of our network.

Allowed addresses are public unicast ones (``ipaddress`` ``is_global``, minus multicast; IPv4
mapped/embedded in IPv6 is judged by its IPv4 address), plus the networks listed in
``NETRA_OUTBOUND_ALLOWED_NETWORKS`` (tests, an intranet receiver). The resolver is a parameter so
tests can give two different answers in a row without a DNS server.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The categories a caller may store and show (docs/integration.md).
TIMEOUT = "timeout"
CONNECT_FAILED = "connect_failed"
TLS_FAILED = "tls_failed"
DNS_FAILED = "dns_failed"
ADDRESS_REFUSED = "address_refused"
INVALID_URL = "invalid_url"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Failure(Exception):
    """Nothing (or nothing usable) came back; ``category`` is one of the constants above."""

    def __init__(self, category: str):
        super().__init__(category)
        self.category = category


@dataclass(frozen=True)
class Target:
    scheme: str
    hostname: str  # ASCII (IDNA) form
    port: int
    path: str  # path and query, never empty

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return name if self.port == default else f"{name}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int
    address: str  # the checked address the request went to
    body: bytes
    location: str = ""  # a redirect's Location (never followed here: the caller checks and decides)


def system_resolver(hostname: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse(url: str) -> Target:
    """The parts of an absolute http(s) URL without credentials, or :class:`Failure` (invalid_url)."""
    try:
        if not isinstance(url, str) or "\x00" in url:
            raise ValidationError("NUL")
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        if parts.username or parts.password or not parts.hostname:
            raise ValidationError("credentials")
        hostname = parts.hostname
        try:
            hostname = str(ipaddress.ip_address(hostname))  # a literal: no IDNA, one spelling
        except ValueError:
            hostname = hostname.encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (ValidationError, ValueError, UnicodeError):
        raise Failure(INVALID_URL) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, hostname, port, path)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.NETRA_OUTBOUND_ALLOWED_NETWORKS]


def _judged(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is what is really reached."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_allowed(address: str) -> bool:
    """Whether Netra may connect to ``address`` (a literal IP, with or without a %zone)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if any(ip in network for network in _allowed_networks()):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.teredo:
        return False  # tunnels to an IPv4 address we cannot judge
    ip = _judged(ip)
    if any(ip in network for network in _allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def resolve(target: Target, resolver: Resolver | None = None) -> list[str]:
    """The one lookup: every address of the answer checked; :class:`Failure` if any is refused."""
    try:
        addresses = [str(ipaddress.ip_address(target.hostname))]
    except ValueError:
        try:
            addresses = list((resolver or system_resolver)(target.hostname, target.port))
        except (OSError, UnicodeError):
            raise Failure(DNS_FAILED) from None
    if not addresses:
        raise Failure(DNS_FAILED)
    if not all(address_allowed(address) for address in addresses):
        raise Failure(ADDRESS_REFUSED)
    return addresses


def check(url: str, resolver: Resolver | None = None) -> str | None:
    """The category that stops ``url`` now (invalid_url, dns_failed, address_refused), or None."""
    try:
        resolve(parse(url), resolver)
    except Failure as failure:
        return failure.category
    return None


def _pool(target: Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    host = address.split("%", 1)[0]
    limits = urllib3.Timeout(connect=min(timeout, 5.0), read=timeout)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            host,
            target.port,
            timeout=limits,
            retries=False,
            maxsize=1,
            server_hostname=target.hostname,  # SNI for the name, not the address
            assert_hostname=target.hostname,  # the certificate must be the name's
            cert_reqs="CERT_REQUIRED",
            ssl_context=ssl.create_default_context(),  # system CAs, hostname check
        )
    return urllib3.HTTPConnectionPool(host, target.port, timeout=limits, retries=False, maxsize=1)


def fetch(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_body: int = 1024,
    resolver: Resolver | None = None,
) -> Answer:
    """One request to ``url`` through the guard; the answer (any status), or :class:`Failure`."""
    target = parse(url)
    addresses = resolve(target, resolver)
    sent = {**(headers or {}), "Host": target.host_header}
    failure = CONNECT_FAILED
    for address in addresses:  # all checked; the next only when this one could not be reached
        pool = _pool(target, address, timeout)
        try:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers=sent,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                data = response.read(max_body)
            finally:
                response.release_conn()
            return Answer(
                status=response.status,
                address=address,
                body=data or b"",
                location=response.headers.get("Location", "") if 300 <= response.status < 400 else "",
            )
        except NewConnectionError:  # (a subclass of ConnectTimeoutError: first)
            failure = CONNECT_FAILED
            continue
        except ConnectTimeoutError:
            failure = TIMEOUT
            continue
        except ReadTimeoutError:
            raise Failure(TIMEOUT) from None
        except SSLError:
            raise Failure(TLS_FAILED) from None
        except (ProtocolError, HTTPError, OSError):
            raise Failure(CONNECT_FAILED) from None
        finally:
            pool.close()
    raise Failure(failure)


def post(url: str, body: bytes, headers: dict[str, str], **kwargs) -> Answer:
    return fetch("POST", url, body=body, headers=headers, **kwargs)
