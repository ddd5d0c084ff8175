"""The webhook SSRF guard: which addresses pass, the check at registration, and at the send.

Sends go to a real receiver on loopback through the real transport. Rebinding
needs a name whose answer changes between two lookups, which no resolver here
gives, so those tests hand the guard a resolver (`Names`) that answers as DNS
would for a rebinding attacker; everything after the lookup is the real path.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.receiver import Receiver

from batchyard.config import ConfigError, WebhookSettings
from batchyard.webhooks import (
    AddressPolicy,
    address_problem,
    http_client,
    post_event,
    system_resolve,
)

PUBLIC = "93.184.215.14"  # a global unicast address
LOOPBACK = ["127.0.0.0/8", "::1/128"]


class Names:
    """A resolver whose answers for a name are given in order, the last one repeating."""

    def __init__(self, host: str, *answers: list[str]) -> None:
        self.host = host
        self.answers = list(answers)
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host != self.host:
            raise OSError(f"{host}: unknown name")
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().running() as running:
        yield running


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        (PUBLIC, None),
        ("2606:4700::1111", None),
        ("127.0.0.1", "a loopback address"),
        ("127.8.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata
        ("fe80::1%eth0", "a link-local address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd00::1", "a private address"),
        ("::ffff:10.0.0.5", "a private address"),
        ("0.0.0.0", "a private address"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("224.0.0.1", "not a public address"),
    ],
)
def test_only_public_addresses_pass_by_default(address: str, refusal: str | None) -> None:
    assert AddressPolicy().refusal(address) == refusal


def test_allowed_networks_open_only_what_they_name() -> None:
    policy = AddressPolicy.of(["127.0.0.0/8", "10.1.0.0/16"])
    assert policy.refusal("127.0.0.1") is None and policy.refusal("10.1.2.3") is None
    assert policy.refusal("10.2.0.1") == "a private address"
    assert policy.refusal("::1") == "a loopback address"  # IPv6 loopback is not named
    with pytest.raises(ConfigError, match="allowed_networks"):
        WebhookSettings(allowed_networks=["10.0.0.0/33"])


async def test_registration_resolves_the_name_and_refuses_an_inward_answer() -> None:
    policy = AddressPolicy()
    problem = await address_problem("https://localhost/hook", policy, system_resolve)
    assert problem is not None and "localhost resolves to" in problem and "loopback" in problem
    inward = Names("hooks.example.com", [PUBLIC, "10.0.0.7"])  # one inward answer is enough
    problem = await address_problem("https://hooks.example.com/", policy, inward)
    assert problem is not None and "10.0.0.7, a private address" in problem
    public = Names("hooks.example.com", [PUBLIC])
    assert await address_problem("https://hooks.example.com/", policy, public) is None
    unknown = "https://no-such-host.invalid/"  # reaches nothing; the send vets it again
    assert await address_problem(unknown, policy, system_resolve) is None
    loopback = AddressPolicy.of(LOOPBACK)
    assert await address_problem("https://localhost/hook", loopback, system_resolve) is None


async def test_a_name_rebound_to_loopback_after_registration_is_not_sent_to(
    receiver: Receiver,
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://rebind.example:{port}/hook"
    names = Names("rebind.example", [PUBLIC], ["127.0.0.1"])
    assert await address_problem(url, AddressPolicy(), names) is None  # public when saved
    async with http_client(WebhookSettings(timeout_seconds=2), names) as client:
        attempt = await post_event(client, url, "msg_1", "{}", ["whsec_" + "A" * 44])
    assert (attempt.status_code, attempt.error) == (0, "address_refused")
    assert names.lookups == ["rebind.example", "rebind.example"]
    assert receiver.deliveries == []  # no connection was made


async def test_the_send_connects_to_the_address_it_vetted(receiver: Receiver) -> None:
    """The name resolves only through the guard's own lookup: the connect makes no other."""
    port = receiver.url.split(":")[2].split("/")[0]
    names = Names("hooks.internal.test", ["127.0.0.1"])
    settings = WebhookSettings(timeout_seconds=2, allowed_networks=LOOPBACK)
    async with http_client(settings, names) as client:
        url = f"http://hooks.internal.test:{port}/hook"
        attempt = await post_event(client, url, "msg_1", "{}", ["whsec_" + "A" * 44])
    assert attempt.ok, attempt
    assert names.lookups == ["hooks.internal.test"]
    (delivery,) = receiver.deliveries
    assert delivery.headers["host"] == f"hooks.internal.test:{port}"


async def test_the_real_resolver_is_vetted_at_the_send_too(receiver: Receiver) -> None:
    url = receiver.url.replace("127.0.0.1", "localhost")
    async with http_client(WebhookSettings(timeout_seconds=2)) as client:
        attempt = await post_event(client, url, "msg_1", "{}", ["whsec_" + "A" * 44])
    assert attempt.error == "address_refused" and receiver.deliveries == []
    settings = WebhookSettings(timeout_seconds=2, allowed_networks=LOOPBACK)
    async with http_client(settings) as client:
        attempt = await post_event(client, url, "msg_2", "{}", ["whsec_" + "A" * 44])
    assert attempt.ok and len(receiver.deliveries) == 1
