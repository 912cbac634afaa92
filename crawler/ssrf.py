"""Refuse requests to addresses a news crawler has no business reaching (SSRF).

    refusal(ip_address("169.254.169.254"), ())           -> "cloud metadata"
    refusal(ip_address("10.0.0.1"), ())                  -> "private"
    refusal(ip_address("127.0.0.1"), (ip_network("127.0.0.0/8"),))   -> None

A page, a redirect or a sitemap entry can point anywhere: the cloud metadata
service (http://169.254.169.254/), the office router, a database on
localhost. Every request passes the downloader middlewares, redirect targets
too (RedirectMiddleware hands them back to the engine as new requests) and
robots.txt requests (fetched through the engine), so this one middleware
guards links, redirects and sitemap entries alike.

A request whose host is, or resolves to, an address that is not public
(private, loopback, link-local, shared, reserved, multicast, unspecified, or a
cloud metadata address) raises IgnoreRequest("refused address: …"), which the
request's errback records against its URL as `refused_address`
(crawler.outcomes.failure_kind). The profile's `crawl.allow_networks` lets
networks through: the loopback demo allows 127.0.0.0/8 and ::1.

Known limit, DNS rebinding: the name is resolved here and again when the
download handler connects; a name whose answer changes between the two (a
short TTL, an attacker's DNS) can still reach a refused address. Closing that
needs the connection itself pinned to the checked address (a resolver or an
egress proxy that refuses them), which Scrapy's handlers do not offer.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import OrderedDict

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services: AWS/GCP/Azure/OpenStack/DigitalOcean (and AWS over
# IPv6), AWS ECS task credentials, Alibaba, Oracle. Named apart from "link-local",
# so that a log line says what was at stake.
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.169.253",
    "100.100.100.200", "192.0.0.192",
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64: an IPv4 address inside
CACHE_SIZE = 4096  # hosts; one crawl talks to a handful


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (::ffff:10.0.0.1, 64:ff9b::a00:1), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address, allowed) -> str | None:
    """Why the crawl must not connect to `address` (a few words), or None when it may:
    a public address, or one inside an allowed network."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    inner = embedded_ipv4(address)
    if inner is not None:
        why = refusal(inner, allowed)
        return f"{why} (as {inner})" if why else None
    if address in METADATA:
        return "cloud metadata"
    # Most telling first: Python counts 0.0.0.0/8 and 240.0.0.0/4 among the private too.
    for why in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(address, f"is_{why}"):
            return why.replace("_", "-")
    if not address.is_global:  # 100.64.0.0/10 (carrier NAT), 192.0.0.0/24 and the like
        return "not public"
    return None


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[Address]:
    # Every address the name has, IPv4 and IPv6: the connection may use any of them.
    # getaddrinfo also reads the odd spellings of an address ("2130706433", "0x7f.1").
    found = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = literal_address(sockaddr[0])
        if address is not None and address not in found:
            found.append(address)
    return found


class AddressGuardMiddleware:
    """Downloader middleware: IgnoreRequest for a request to a refused address."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.resolved: OrderedDict[str, list[Address]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def allowed(self):
        profile = getattr(self.crawler.spider, "profile", None)
        return getattr(profile, "allow_networks", ())

    async def addresses(self, host: str, port: int) -> list[Address]:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        if host in self.resolved:
            self.resolved.move_to_end(host)
            return self.resolved[host]
        try:
            # In a thread: getaddrinfo blocks, the reactor must not.
            found = await maybe_deferred_to_future(deferToThread(_resolve, host, port))
        except (OSError, UnicodeError):
            return []  # unresolvable: the download fails on its own, as "dns"
        self.resolved[host] = found
        if len(self.resolved) > CACHE_SIZE:
            self.resolved.popitem(last=False)
        return found

    async def process_request(self, request, spider=None):
        parts = urlparse_cached(request)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            # A news site has no business sending the crawler to file:// (Scrapy's file
            # handler would read the local disk), ftp:// or data: URLs.
            self.crawler.stats.inc_value("newsdb/ssrf/refused")
            raise IgnoreRequest(f"refused address: a {parts.scheme or 'schemeless'} URL, only http and https are crawled")
        if not host:
            return None  # no host to check: the download fails on its own
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = 80  # a port out of range: the download refuses it; the host still gets checked
        allowed = self.allowed()
        for address in await self.addresses(host, port):
            why = refusal(address, allowed)
            if why:
                self.crawler.stats.inc_value("newsdb/ssrf/refused")
                shown = host if literal_address(host) == address else f"{host} ({address})"
                raise IgnoreRequest(f"refused address: {shown} is {why}, outside the profile's crawl.allow_networks")
        return None
