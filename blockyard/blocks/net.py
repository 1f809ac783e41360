"""The SSRF guard: every outbound connection a block makes goes through here.

A user who can make the server fetch a URL could otherwise reach what only the server can:
the cloud metadata service (credentials), the database, Redis, admin ports on loopback, the
private network. So before any TCP connection the guard resolves the host itself, refuses
it if *any* address is loopback, private, link-local, multicast, reserved, shared (CGNAT),
unspecified or a known metadata address (IPv4 and IPv6, looking inside IPv4-mapped, 6to4,
Teredo and NAT64 addresses), and then connects to the very address it checked. The check
and the connection cannot disagree, so DNS rebinding (a name that answers a public address
to the check and a private one to the connect) gets nowhere.

It works at the lowest level httpx offers: a network backend for httpcore's connection pool.
Every connection the client opens, including each redirect hop, passes through
:meth:`GuardedBackend.connect_tcp`; the URL keeps the host name, so the ``Host`` header, TLS
SNI and certificate checks stay right. Redirects are still followed by hand
(:func:`send_request`) so that host-scoped credentials are only ever sent to their host.

The operator may allow some internal destinations (``BLOCKYARD_OUTBOUND_ALLOW``: IPs, CIDRs
and host names, e.g. a local Ollama or MinIO).
"""

import asyncio
import fnmatch
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from blockyard.errors import ConfigError, LimitExceededError, PermissionDeniedError
from blockyard.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> addresses``; tests pass their own to play a hostile DNS server."""

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
SHARED_NET = ipaddress.ip_network("100.64.0.0/10")
THIS_NET = ipaddress.ip_network("0.0.0.0/8")
NAT64_NET = ipaddress.ip_network("64:ff9b::/96")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ORIGIN_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class OutboundBlockedError(PermissionDeniedError):
    """The guard refused a destination; the message names the host and why."""


def blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be reached from a block, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and (reason := blocked_reason(inner)):
            return f"{reason} (IPv4 {inner} inside an IPv6 address)"
    checks: tuple[tuple[bool, str], ...] = (
        (ip in METADATA_ADDRESSES, "a cloud metadata address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified or (ip.version == 4 and ip in THIS_NET), "an unspecified address"),
        (ip.version == 4 and ip in SHARED_NET, "a shared (carrier-grade NAT) address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64_NET:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Where blocks may connect, and how much they may fetch."""

    allow_networks: tuple[IPNetwork, ...] = ()
    allow_hosts: tuple[str, ...] = ()
    """Lower-case host names or ``*.domain`` patterns trusted whatever they resolve to."""
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    timeout: float = 30.0
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> "OutboundPolicy":
        networks, hosts = parse_allow_list(settings.outbound_allow)
        fields: dict[str, Any] = {
            "allow_networks": networks,
            "allow_hosts": hosts,
            "max_bytes": settings.outbound_max_bytes,
            "max_redirects": settings.outbound_max_redirects,
        }
        fields.update(overrides)
        return cls(**fields)

    def host_allowed(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.allow_hosts)

    def check_address(self, host: str, address: str) -> IPAddress:
        """The parsed address when it may be reached; ``OutboundBlockedError`` otherwise."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in net for net in self.allow_networks if net.version == ip.version):
            return ip
        reason = blocked_reason(ip)
        if reason is not None:
            shown = host if host == str(ip) else f"{host} ({ip})"
            raise OutboundBlockedError(
                f"Refused to connect to {shown}: it is {reason}. An operator can allow it "
                "with BLOCKYARD_OUTBOUND_ALLOW.",
                host=host,
                address=str(ip),
            )
        return ip

    async def resolve_checked(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and check every address; connect only to what this returns."""
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = await self._resolve(host, port)
        if self.host_allowed(host):
            return addresses
        return [str(self.check_address(host, address)) for address in addresses]

    async def _resolve(self, host: str, port: int) -> list[str]:
        try:
            addresses = await asyncio.wait_for(self.resolver(host, port), self.timeout)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"Could not resolve host {host!r}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"Host {host!r} has no address")
        return addresses


def parse_allow_list(entries: Iterable[str]) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
    """Split operator entries into networks (IPs, CIDRs) and host name patterns."""
    networks: list[IPNetwork] = []
    hosts: list[str] = []
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            if not all(part.isalnum() or part in "-.*_" for part in entry):
                raise ConfigError(
                    f"BLOCKYARD_OUTBOUND_ALLOW: {raw!r} is no IP, CIDR or host"
                ) from None
            hosts.append(entry.rstrip("."))
    return tuple(networks), tuple(hosts)


def current_policy(**overrides: Any) -> OutboundPolicy:
    """The operator's policy, read from the environment (every serve and worker shares it)."""
    return OutboundPolicy.from_settings(Settings(), **overrides)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy has just checked."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.policy.resolve_checked(host, port)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundBlockedError("Blocks may not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request mapping, errors) over a guarded connection pool."""

    def __init__(self, policy: OutboundPolicy, *, verify: bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise ConfigError("This httpx version is not supported by the SSRF guard")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=20,
            max_keepalive_connections=10,
            network_backend=GuardedBackend(policy),
        )


def guarded_client(
    settings_or_policy: Settings | OutboundPolicy | None = None,
    *,
    timeout: float | None = None,
    verify: bool = True,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """An httpx client whose every connection passes the SSRF guard.

    Redirects are off: follow them with :func:`send_request`, or pass
    ``follow_redirects=True`` per request (each hop is still checked).
    """
    if isinstance(settings_or_policy, OutboundPolicy):
        policy = settings_or_policy
    elif isinstance(settings_or_policy, Settings):
        policy = OutboundPolicy.from_settings(settings_or_policy)
    else:
        policy = current_policy()
    return httpx.AsyncClient(
        transport=GuardedTransport(policy, verify=verify),
        timeout=timeout if timeout is not None else policy.timeout,
        follow_redirects=False,
        trust_env=False,
        headers=headers,
    )


@dataclass(frozen=True, slots=True)
class HostHeaders:
    """Headers (a credential) that may only be sent to one host or ``*.domain``."""

    host: str
    headers: Mapping[str, str]

    def applies_to(self, url: httpx.URL) -> bool:
        pattern = self.host.lower().rstrip(".")
        return fnmatch.fnmatchcase(url.host.lower().rstrip("."), pattern)


@dataclass(slots=True)
class RequestSpec:
    """Everything needed to build the same request again at each redirect hop."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Mapping[str, Any] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    content: bytes | str | None = None
    scoped: HostHeaders | None = None

    def has_body(self) -> bool:
        return any(x is not None for x in (self.json, self.data, self.files, self.content))


async def send_request(
    client: httpx.AsyncClient, spec: RequestSpec, *, max_redirects: int
) -> httpx.Response:
    """Send ``spec``, following at most ``max_redirects`` redirects by hand.

    The response is streamed: read it with :func:`read_limited` and close it. Credentials
    in ``spec.scoped`` go only to their host; ``Authorization`` and ``Cookie`` headers are
    dropped once a redirect leaves the first origin.
    """
    origin = httpx.URL(spec.url)
    for _hop in range(max_redirects + 1):
        response = await client.send(_build(client, spec, origin), stream=True)
        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        await response.aclose()
        _follow(spec, response.url.join(location), response.status_code)
    raise LimitExceededError(f"Stopped after {max_redirects} redirects", url=spec.url)


def _build(client: httpx.AsyncClient, spec: RequestSpec, origin: httpx.URL) -> httpx.Request:
    url = httpx.URL(spec.url)
    same_origin = (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)
    headers = {
        k: v for k, v in spec.headers.items() if same_origin or k.lower() not in ORIGIN_HEADERS
    }
    if spec.scoped is not None and spec.scoped.applies_to(url):
        headers.update(spec.scoped.headers)
    return client.build_request(
        spec.method,
        url,
        headers=headers,
        params=spec.params,
        json=spec.json,
        data=spec.data,
        files=spec.files,
        content=spec.content,
    )


def _follow(spec: RequestSpec, target: httpx.URL, status: int) -> None:
    if target.scheme not in ("http", "https"):
        raise OutboundBlockedError(f"Refused a redirect to {target.scheme!r} URL {target}")
    spec.url = str(target)
    spec.params = None
    if status == 303 or (status in (301, 302) and spec.method == "POST"):
        spec.method = "GET" if spec.method != "HEAD" else "HEAD"
        spec.json = spec.data = spec.files = spec.content = None


async def read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """The whole body, refusing (and closing) anything over ``max_bytes``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        await response.aclose()
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            await response.aclose()
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> LimitExceededError:
    return LimitExceededError(
        f"The response is larger than the limit of {max_bytes:,} bytes "
        "(BLOCKYARD_OUTBOUND_MAX_BYTES)"
    )


def describe_error(exc: Exception, url: str = "") -> str:
    """A sentence a builder understands for anything a guarded request can raise."""
    where = f" {url}" if url else ""
    if isinstance(exc, OutboundBlockedError | LimitExceededError):
        return exc.message
    if isinstance(exc, httpx.TimeoutException):
        return f"The request to{where} timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"Could not connect to{where}: {exc}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"Invalid URL{where}: {exc}"
    if isinstance(exc, httpx.HTTPError):
        return f"The request to{where} failed: {exc}"
    return f"The request to{where} failed: {type(exc).__name__}: {exc}"
