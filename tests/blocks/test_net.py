"""The SSRF guard refuses every internal address class, on the first hop and after redirects."""

import ipaddress
from collections.abc import Iterator

import pytest

from blockyard.blocks.net import (
    HostHeaders,
    OutboundBlockedError,
    OutboundPolicy,
    RequestSpec,
    Resolver,
    blocked_reason,
    guarded_client,
    parse_allow_list,
    read_limited,
    send_request,
)
from blockyard.errors import ConfigError, LimitExceededError
from blockyard.settings import Settings
from tests.fakes.http_server import LocalHttpServer, Received, Reply

LOOPBACK_ONLY = OutboundPolicy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))


@pytest.fixture
def server() -> Iterator[LocalHttpServer]:
    with LocalHttpServer() as srv:
        srv.route("/hello", Reply.json({"hello": "world"}))
        yield srv


def resolver_for(mapping: dict[str, list[str]]) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return mapping[host]

    return resolve


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "shared"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
    ],
)
def test_each_internal_address_class_is_refused(address: str, reason: str) -> None:
    found = blocked_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hello",
        "http://[::1]:{port}/hello",
        "http://10.0.0.1:{port}/hello",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/hello",
        "http://2130706433:{port}/hello",
        "http://0.0.0.0:{port}/hello",
        "http://localhost:{port}/hello",
    ],
)
async def test_client_refuses_internal_urls_without_the_allow_list(
    server: LocalHttpServer, url: str
) -> None:
    async with guarded_client(OutboundPolicy()) as client:
        with pytest.raises(OutboundBlockedError, match="Refused to connect"):
            await client.get(url.format(port=server.port))
    assert server.received == []


async def test_allow_list_lets_the_operator_reach_loopback(server: LocalHttpServer) -> None:
    async with guarded_client(LOOPBACK_ONLY) as client:
        response = await client.get(server.url("/hello"))
    assert response.json() == {"hello": "world"}


async def test_allowed_host_name_may_resolve_anywhere(server: LocalHttpServer) -> None:
    policy = OutboundPolicy(
        allow_hosts=("*.internal.test",),
        resolver=resolver_for({"svc.internal.test": ["127.0.0.1"]}),
    )
    async with guarded_client(policy) as client:
        response = await client.get(server.url("/hello", host="svc.internal.test"))
    assert response.status_code == 200
    assert server.received[0].headers["host"] == f"svc.internal.test:{server.port}"


async def test_name_resolving_to_a_private_address_is_refused(server: LocalHttpServer) -> None:
    policy = OutboundPolicy(resolver=resolver_for({"evil.test": ["8.8.8.8", "127.0.0.1"]}))
    async with guarded_client(policy) as client:
        with pytest.raises(OutboundBlockedError, match=r"evil\.test \(127\.0\.0\.1\)"):
            await client.get(server.url("/hello", host="evil.test"))
    assert server.received == []


async def test_dns_rebinding_connects_to_the_checked_address(server: LocalHttpServer) -> None:
    """The resolver answers once; the connection goes to that answer, not a second lookup."""
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    policy = OutboundPolicy(
        allow_networks=LOOPBACK_ONLY.allow_networks, resolver=rebinding, max_redirects=0
    )
    async with guarded_client(policy) as client:
        response = await client.get(server.url("/hello", host="rebind.test"))
    assert response.status_code == 200
    assert len(server.received) == 1


async def test_redirect_to_a_private_address_is_refused(server: LocalHttpServer) -> None:
    """An allowed test host redirects to a private one: the second hop is refused."""
    server.route("/go", Reply(302, headers={"Location": "http://192.168.0.10/admin"}))
    async with guarded_client(LOOPBACK_ONLY) as client:
        with pytest.raises(OutboundBlockedError, match=r"192\.168\.0\.10.*private"):
            await send_request(client, RequestSpec("GET", server.url("/go")), max_redirects=3)


async def test_redirect_to_metadata_by_name_is_refused(server: LocalHttpServer) -> None:
    server.route("/go", Reply(301, headers={"Location": "http://metadata.test/latest"}))
    policy = OutboundPolicy(
        allow_networks=LOOPBACK_ONLY.allow_networks,
        resolver=resolver_for({"metadata.test": ["169.254.169.254"]}),
    )
    async with guarded_client(policy) as client:
        with pytest.raises(OutboundBlockedError, match="metadata"):
            await send_request(client, RequestSpec("GET", server.url("/go")), max_redirects=3)


async def test_redirects_are_bounded(server: LocalHttpServer) -> None:
    server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    async with guarded_client(LOOPBACK_ONLY) as client:
        with pytest.raises(LimitExceededError, match="2 redirects"):
            await send_request(client, RequestSpec("GET", server.url("/loop")), max_redirects=2)
    assert len(server.received) == 3


async def test_redirect_to_another_scheme_is_refused(server: LocalHttpServer) -> None:
    server.route("/go", Reply(302, headers={"Location": "file:///etc/passwd"}))
    async with guarded_client(LOOPBACK_ONLY) as client:
        with pytest.raises(OutboundBlockedError, match="file"):
            await send_request(client, RequestSpec("GET", server.url("/go")), max_redirects=3)


async def test_scoped_credentials_stay_with_their_host(server: LocalHttpServer) -> None:
    """The credential goes to 127.0.0.1, not to 'localhost' after the redirect."""
    policy = OutboundPolicy(allow_networks=LOOPBACK_ONLY.allow_networks, allow_hosts=("localhost",))
    server.route("/go", Reply(307, headers={"Location": server.url("/hello", host="localhost")}))
    spec = RequestSpec(
        "POST",
        server.url("/go"),
        headers={"Authorization": "Bearer user-typed", "X-Plain": "1"},
        json={"a": 1},
        scoped=HostHeaders("127.0.0.1", {"X-Api-Key": "secret"}),
    )
    async with guarded_client(policy) as client:
        response = await send_request(client, spec, max_redirects=3)
        await response.aread()
    first, second = server.received
    assert first.headers["x-api-key"] == "secret"
    assert first.headers["authorization"] == "Bearer user-typed"
    assert "x-api-key" not in second.headers
    assert "authorization" not in second.headers
    assert second.headers["x-plain"] == "1"
    assert (second.method, second.body) == ("POST", b'{"a":1}')


async def test_303_turns_into_get_without_body(server: LocalHttpServer) -> None:
    server.route("/go", Reply(303, headers={"Location": "/hello"}))
    async with guarded_client(LOOPBACK_ONLY) as client:
        spec = RequestSpec("POST", server.url("/go"), json={"a": 1})
        response = await send_request(client, spec, max_redirects=3)
        await response.aread()
    second: Received = server.received[1]
    assert (second.method, second.body) == ("GET", b"")


@pytest.mark.parametrize("chunks", [0, 40])
async def test_huge_responses_are_cut_with_a_clear_error(
    server: LocalHttpServer, chunks: int
) -> None:
    body = b"x" * 65536
    server.route("/big", Reply(200, body if chunks else body * 40, chunks=chunks))
    async with guarded_client(LOOPBACK_ONLY) as client:
        response = await send_request(
            client, RequestSpec("GET", server.url("/big")), max_redirects=0
        )
        with pytest.raises(LimitExceededError, match="larger than the limit of 1,000,000 bytes"):
            await read_limited(response, 1_000_000)


def test_allow_list_from_settings() -> None:
    settings = Settings(outbound_allow="127.0.0.1, 10.0.0.0/8, [::1], Ollama.Local, *.corp.test")
    policy = OutboundPolicy.from_settings(settings)
    assert [str(n) for n in policy.allow_networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert policy.allow_hosts == ("ollama.local", "*.corp.test")
    assert policy.host_allowed("a.corp.test") and not policy.host_allowed("corp.test.evil")


def test_bad_allow_list_entry_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no IP, CIDR or host"):
        parse_allow_list(["http://x/"])
