"""Which hosts go down with the company: its own domains, and addresses only reachable inside.

Used by the validator (links written in step text) and by the independence check of the built
site, so both agree on what "a company-only resource" is.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from urllib.parse import unquote

import idna

# Suffixes that never resolve on the public internet: RFC 6762 appendix G (local, intranet,
# internal, private, corp, home, lan), RFC 8375 (home.arpa) and RFC 6761 (localhost).
INTRANET_SUFFIXES = (
    "local",
    "lan",
    "internal",
    "intranet",
    "private",
    "corp",
    "home",
    "home.arpa",
    "localdomain",
    "localhost",
)
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
    )
)

URL_SCHEMES = ("http", "https", "ftp", "ftps", "sftp", "smb", "cifs", "afp", "nfs", "file")
URL_RE = re.compile(r"(?<![\w+.-])(?:" + "|".join(URL_SCHEMES) + r")://[^\s<>\"'`{}|\\^]*", re.IGNORECASE)
_BARE_HOST_RE = re.compile(
    r"(?<![\w@.\\/-])(?:[\w-]+\.)+[\w-]+(?![\w@-]|\.[\w-])(?::\d{1,5})?(?:/[^\s<>\"'`]*)?"
)
_UNC_RE = re.compile(r"(?<![\w\\])\\{2,}(?P<host>[\w.-]+)(?:\\+[^\\/\s:*?\"<>|]+)*\\?")
_NUMBER_RE = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
# What a host can be: a name (any script), an IP literal. Not a template such as ${host}.
_HOST_RE = re.compile(r"[\w.%-]+|\[[\w:.%]+\]")
_TRAILING = ".,;:!?*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


class RefKind(StrEnum):
    COMPANY = "company"  # on one of the plan's company_domains
    INTRANET = "intranet"  # a name or address only reachable inside a private network
    UNC = "unc"  # a Windows file share, \\server\share


@dataclass(frozen=True)
class Reference:
    """A place in a text that points at something down with the company."""

    text: str  # as written, e.g. "http://intranet/wiki"
    host: str  # normalised: lower case, IDNA (xn--) form, no port, brackets or trailing dot
    kind: RefKind
    offset: int  # of `text` in the scanned string
    domain: str = ""  # for COMPANY: the company domain it is on, as the plan writes it

    @property
    def end(self) -> int:
        return self.offset + len(self.text)

    def describe(self) -> str:
        """What is wrong with it, in words for a plan author."""
        if self.kind is RefKind.COMPANY:
            return (
                f"{self.text} is on the company domain {self.domain}, which goes down with "
                "the company's servers"
            )
        if self.kind is RefKind.UNC:
            return (
                f"{self.text} is a file share on the office network, out of reach when "
                "the office is down or from a phone"
            )
        return f"{self.text} is an intranet-only address that phones outside the office cannot reach"


@lru_cache(maxsize=8192)
def normalize_host(host: str) -> str:
    """Lower case, IDNA (``xn--``) form, no brackets, zone, port-less, no trailing dot.

    IP addresses come back in their canonical text form, including IPv4 written the ways a
    browser accepts them (``0xC0.0xA8.1.1``, ``3232235777``).
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:  # IPv6 literal, maybe with a zone: fe80::1%25eth0
        address = host.split("%", 1)[0]
        try:
            return str(ipaddress.IPv6Address(address))
        except ValueError:
            return host.lower()
    if "%" in host:
        host = unquote(host)
    host = host.rstrip(".")
    ipv4 = _browser_ipv4(host)
    if ipv4 is not None:
        return str(ipv4)
    try:  # UTS 46, as browsers map names: `Bücher.example` and `xn--bcher-kva.example` agree
        return idna.encode(host, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):  # `_dmarc.example`, an empty or overlong label
        pass
    if host.isascii():
        return host.lower()
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:  # not a valid IDN: compare it as text
        return host.casefold()


def _browser_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a browser reads `host` as (WHATWG URL standard), or None."""
    parts = host.split(".")
    if not parts or not _NUMBER_RE.fullmatch(parts[-1]) or len(parts) > 4:
        return None
    numbers = []
    for part in parts:
        if not _NUMBER_RE.fullmatch(part):
            return None
        if part[:2].lower() == "0x":
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not part.isdigit() or "8" in part or "9" in part:
                return None
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_private_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _PRIVATE_NETWORKS if network.version == ip.version)


def _under(host: str, domain: str) -> bool:
    """`host` is `domain` or a host under it, label by label (`evilexample.no` is not under
    `example.no`); both normalised."""
    labels, parent = host.split("."), domain.split(".")
    return bool(domain) and labels[len(labels) - len(parent) :] == parent


def is_intranet_host(host: str) -> bool:
    """True for names and addresses only reachable inside a private network.

    Single-label names (``intranet``, ``localhost``), the private-use suffixes
    (``.local``, ``.lan``, ``.internal``, ``.corp``, ``.home.arpa``...), and private, loopback,
    link-local and carrier-grade-NAT IPv4 and IPv6 addresses.
    """
    host = normalize_host(host)
    if not host:
        return False
    ip = _ip(host)
    if ip is not None:
        return _is_private_ip(ip)
    return "." not in host or any(_under(host, suffix) for suffix in INTRANET_SUFFIXES)


def company_domain_of(host: str, company_domains: Iterable[str]) -> str | None:
    """The company domain (as given) that `host` is, or is under; the most specific one wins."""
    host = normalize_host(host)
    if not host:
        return None
    matches = [d for d in company_domains if d.strip() and _under(host, normalize_host(d))]
    return max(matches, key=lambda d: len(normalize_host(d))) if matches else None


def host_of_url(url: str) -> str | None:
    """The host of an absolute (``scheme://``) or scheme-relative (``//``) URL, as written."""
    _, sep, rest = url.partition("//")
    if not sep:
        return None
    authority = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        return authority[: authority.find("]") + 1] if "]" in authority else None
    return authority.partition(":")[0] or None


def host_of_entry(entry: str) -> str:
    """The host an `expected_down` entry names: a host, a domain, a URL or a UNC path."""
    entry = entry.strip()
    if "//" in entry:
        entry = host_of_url(entry) or ""
    elif entry.startswith("\\\\"):
        entry = entry.lstrip("\\").split("\\", 1)[0]
    elif entry.count(":") == 1:  # host:port
        entry = entry.partition(":")[0]
    return entry


class HostScope:
    """Classifies hosts for one plan: its company domains and the hosts it expects to be down."""

    def __init__(self, company_domains: Iterable[str], expected_down: Iterable[str] = ()):
        self.company_domains = [d for d in company_domains if d.strip()]
        self._down_hosts: list[str] = []
        self._down_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in expected_down:
            if "/" in entry and "//" not in entry:
                try:
                    self._down_networks.append(ipaddress.ip_network(entry.strip(), strict=False))
                    continue
                except ValueError:
                    pass
            host = normalize_host(host_of_entry(entry))
            if host:
                self._down_hosts.append(host)
        self._cache: dict[str, tuple[RefKind, str] | None] = {}

    def is_expected_down(self, host: str) -> bool:
        host = normalize_host(host)
        if any(_under(host, down) for down in self._down_hosts):
            return True
        ip = _ip(host)
        return ip is not None and any(ip in net for net in self._down_networks if net.version == ip.version)

    def classify(self, host: str) -> tuple[RefKind, str] | None:
        """(kind, company domain or "") when `host` is company-only and not expected down."""
        if host not in self._cache:
            self._cache[host] = self._classify(host)
        return self._cache[host]

    def _classify(self, host: str) -> tuple[RefKind, str] | None:
        if not _HOST_RE.fullmatch(host) or self.is_expected_down(host):
            return None
        domain = company_domain_of(host, self.company_domains)
        if domain is not None:
            return RefKind.COMPANY, domain
        return (RefKind.INTRANET, "") if is_intranet_host(host) else None

    def url_reference(self, url: str, offset: int) -> Reference | None:
        """A Reference when the absolute or ``//`` URL at `offset` is on a company-only host."""
        host = host_of_url(url)
        if not host:
            return None
        found = self.classify(host)
        if found is None:
            return None
        return Reference(url, normalize_host(host), found[0], offset, found[1])


def trim_trailing(text: str) -> str:
    """Drop punctuation that ends a sentence rather than a link: ``.``, ``,``, unbalanced ``)``."""
    while text:
        last = text[-1]
        if last in _TRAILING or (last in _CLOSERS and text.count(last) > text.count(_CLOSERS[last])):
            text = text[:-1]
        else:
            break
    return text


def iter_urls(text: str) -> Iterator[tuple[int, str]]:
    """(offset, url) of every ``scheme://`` URL in free text, trailing punctuation dropped."""
    for match in URL_RE.finditer(text):
        url = trim_trailing(match.group())
        if url:
            yield match.start(), url


def find_internal_references(
    text: str, company_domains: Iterable[str], expected_down: Iterable[str] = ()
) -> list[Reference]:
    """Every URL, bare host name and UNC path in `text` that points at a company-only host.

    Bare host names count only when they end in a private-use suffix, are on a company domain,
    or are a private dotted-quad IPv4 address (``10.0.0.5``); e-mail addresses are not links.
    Hosts on `expected_down` (hosts, domains, URLs or IP networks) are skipped.
    """
    if "." not in text and "//" not in text and "\\\\" not in text:
        return []  # no host name, URL or share can be written without one of these
    scope = _scope(tuple(company_domains), tuple(expected_down))
    found: list[Reference] = []
    taken: list[tuple[int, int]] = []
    for offset, url in iter_urls(text):
        taken.append((offset, offset + len(url)))
        reference = scope.url_reference(url, offset)
        if reference is not None:
            found.append(reference)
    for match in _UNC_RE.finditer(text):
        host = match.group("host")
        taken.append(match.span())
        if host.strip(".") and not scope.is_expected_down(host):
            found.append(
                Reference(trim_trailing(match.group()), normalize_host(host), RefKind.UNC, match.start())
            )
    for match in _BARE_HOST_RE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        written = trim_trailing(match.group())
        host = re.split(r"[:/]", written, maxsplit=1)[0]
        if re.fullmatch(r"[0-9.]+", host) and not _is_dotted_quad(host):
            continue  # "version 10.5", not an address
        kind = scope.classify(host)
        if kind is not None:
            found.append(Reference(written, normalize_host(host), kind[0], match.start(), kind[1]))
    return sorted(found, key=lambda r: r.offset)


def _is_dotted_quad(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=64)
def _scope(company_domains: tuple[str, ...], expected_down: tuple[str, ...]) -> HostScope:
    return HostScope(company_domains, expected_down)
