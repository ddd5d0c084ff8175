"""Which addresses a webhook may reach: public ones, and the networks config allows.

A webhook URL is chosen by an API client, and the server POSTs to it: without a
check, `https://169.254.169.254/` or a name that resolves to `10.0.0.5` turns the
server into a client's way into the private network (SSRF). So every address a
URL's host resolves to must be public, unless `[webhooks] allowed_networks`
names its network (a receiver on loopback, a relay on the LAN).

The rule holds twice. At registration, `address_problem` resolves the host and
refuses a URL that points inward now. At every send, `GuardedNetwork` (the
transport's own connect) resolves the host again, vets every address, and
connects to a vetted address itself: there is no second lookup between the
check and the connect, so a name rebound after registration, or between a
lookup and the connect, is caught.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> the IP addresses a connection to it would try, in order."""

REGISTRATION_LOOKUP_SECONDS = 2.0


async def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver (getaddrinfo), run off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressRefused(Exception):
    """A send that the policy stopped before any connection was made."""


def _kind(ip: IPAddress) -> str | None:
    """What makes `ip` not public, or None if it is."""
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses, plus those in `allowed` (from `[webhooks] allowed_networks`)."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, networks: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def refusal(self, address: str) -> str | None:
        """Why `address` may not be reached, or None if it may."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in network for network in self.allowed):
            return None
        return _kind(ip)

    async def vet(self, host: str, port: int, resolve: Resolve) -> list[str]:
        """Every address of `host`, if all may be reached; `AddressRefused` otherwise.

        All of them, not only the first: a client picks among them, so one inward
        address in the answer is enough to refuse.
        """
        addresses = await resolve(host, port)
        for address in addresses:
            kind = self.refusal(address)
            if kind:
                raise AddressRefused(
                    f"{host} resolves to {address}, {kind}; only public addresses may "
                    "receive webhooks, unless [webhooks] allowed_networks names its network"
                )
        return addresses


async def address_problem(url: str, policy: AddressPolicy, resolve: Resolve) -> str | None:
    """Why `url`'s host may not receive webhooks now, or None.

    A host that does not resolve (yet) is not refused here: it reaches nothing,
    and every send vets it again before connecting.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(REGISTRATION_LOOKUP_SECONDS):
            await policy.vet(host, port, resolve)
    except AddressRefused as refused:
        return str(refused)
    except (OSError, TimeoutError, UnicodeError):
        return None
    return None


class GuardedNetwork(httpcore.AsyncNetworkBackend):
    """The transport's connect: resolve, vet every address, connect to a vetted one."""

    def __init__(self, policy: AddressPolicy, resolve: Resolve = system_resolve) -> None:
        self.policy = policy
        self.resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.policy.vet(host, port, self.resolve)
        except (OSError, TimeoutError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve the webhook host: {exc}") from exc
        failure: Exception = httpcore.ConnectError("the webhook host has no address")
        for address in addresses:  # TLS still checks the name: httpcore sends it as SNI
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
