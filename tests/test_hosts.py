"""Host classification: company domains, intranet-only hosts, and finding them in free text."""

from __future__ import annotations

import pytest

from generator.hosts import (
    HostScope,
    RefKind,
    company_domain_of,
    find_internal_references,
    host_of_url,
    is_intranet_host,
    normalize_host,
)

COMPANY = ["harbourdental.co.uk", "bücher.de"]


@pytest.mark.parametrize(
    "host",
    [
        "intranet",
        "INTRANET",
        "intranet.",
        "localhost",
        "printer.local",
        "nas.harbour.lan",
        "NAS.Harbour.LAN",
        "wiki.corp",
        "db.internal",
        "router.home.arpa",
        "box.localdomain",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.10",
        "169.254.10.20",
        "127.0.0.1",
        "100.64.1.2",
        "[::1]",
        "::1",
        "fd00::1",
        "[fc00::5]",
        "fe80::1",
        "[fe80::1%25eth0]",
        "::ffff:192.168.0.1",
        "0xC0.0xA8.1.1",
        "3232235777",
        "0300.0250.1.1",
        "192.168.257",  # browser IPv4 forms
        "ｉｎｔｒａｎｅｔ",  # full-width letters fold to a single label
    ],
)
def test_intranet_hosts(host: str) -> None:
    assert is_intranet_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "harbour-dental.github.io",
        "8.8.8.8",
        "172.32.0.1",
        "172.15.255.255",
        "192.169.0.1",
        "2001:4860:4860::8888",
        "[2606:4700::1111]",
        "local.example.com",
        "lan.example.org",
        "corp.example.net",
        "xn--bcher-kva.de",
        "",
    ],
)
def test_public_hosts(host: str) -> None:
    assert not is_intranet_host(host)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("harbourdental.co.uk", "harbourdental.co.uk"),
        ("portal.HarbourDental.CO.UK", "harbourdental.co.uk"),
        ("portal.harbourdental.co.uk.", "harbourdental.co.uk"),
        ("BÜCHER.de", "bücher.de"),  # Unicode, upper case
        ("shop.xn--bcher-kva.de", "bücher.de"),  # the same name in its ASCII (punycode) form
        ("bücher．de", "bücher.de"),  # full-width dot, as typed on some keyboards
        ("notharbourdental.co.uk", None),  # a suffix of the text, not of the labels
        ("harbourdental.co.uk.evil.com", None),
        ("co.uk", None),
        ("", None),
    ],
)
def test_company_domain_of(host: str, expected: str | None) -> None:
    assert company_domain_of(host, COMPANY) == expected


def test_company_domain_written_in_punycode_matches_unicode_host() -> None:
    assert company_domain_of("Bücher.de", ["XN--BCHER-KVA.DE"]) == "XN--BCHER-KVA.DE"


def test_most_specific_company_domain_wins() -> None:
    domains = ["example.co.uk", "mail.example.co.uk"]
    assert company_domain_of("x.mail.example.co.uk", domains) == "mail.example.co.uk"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://intranet/wiki", "intranet"),
        ("https://user:secret@portal.example.com:8443/x?y#z", "portal.example.com"),
        ("http://[fd00::1]:8080/", "[fd00::1]"),
        ("//cdn.example.com/x.js", "cdn.example.com"),
        ("http://host?q=//other", "host"),
        ("file:///C:/plans", None),
        ("mailto:tom@example.com", None),
    ],
)
def test_host_of_url(url: str, host: str | None) -> None:
    assert host_of_url(url) == host


def test_normalize_host_forms() -> None:
    assert normalize_host("[FD00::0001]") == "fd00::1"
    assert normalize_host("Bücher.DE.") == "xn--bcher-kva.de"
    assert normalize_host("0x7f.1") == "127.0.0.1"
    assert normalize_host("inTRAnet%2Elan") == "intranet.lan"


def _found(text: str, expected_down: list[str] | None = None) -> list[tuple[str, str, RefKind]]:
    refs = find_internal_references(text, COMPANY, expected_down or [])
    for ref in refs:  # the offset points at the matched text
        assert text[ref.offset : ref.end] == ref.text
    return [(r.text, r.host, r.kind) for r in refs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See http://intranet/wiki.", [("http://intranet/wiki", "intranet", RefKind.INTRANET)]),
        (
            "Log in at HTTPS://Portal.HarbourDental.CO.UK:8443/login).",
            [
                (
                    "HTTPS://Portal.HarbourDental.CO.UK:8443/login",
                    "portal.harbourdental.co.uk",
                    RefKind.COMPANY,
                )
            ],
        ),
        (
            "(http://admin:pw@[fd00::1]:8080/status), then",
            [("http://admin:pw@[fd00::1]:8080/status", "fd00::1", RefKind.INTRANET)],
        ),
        (
            "Scans are on \\\\fileserver\\scans\\2026, sorted by date.",
            [("\\\\fileserver\\scans\\2026", "fileserver", RefKind.UNC)],
        ),
        (
            "Open \\\\FS01.harbourdental.co.uk\\share",
            [("\\\\FS01.harbourdental.co.uk\\share", "fs01.harbourdental.co.uk", RefKind.UNC)],
        ),
        (
            "Photos: nas.harbour.lan:5000/photos.",
            [("nas.harbour.lan:5000/photos", "nas.harbour.lan", RefKind.INTRANET)],
        ),
        (
            "Webmail at mail.harbourdental.co.uk; try again",
            [("mail.harbourdental.co.uk", "mail.harbourdental.co.uk", RefKind.COMPANY)],
        ),
        ("Router admin: 192.168.1.1, firmware 10.5.2", [("192.168.1.1", "192.168.1.1", RefKind.INTRANET)]),
        (
            "smb://nas.local/share and ftp://10.0.0.9/in",
            [
                ("smb://nas.local/share", "nas.local", RefKind.INTRANET),
                ("ftp://10.0.0.9/in", "10.0.0.9", RefKind.INTRANET),
            ],
        ),
        ("file://server/share/plan.pdf", [("file://server/share/plan.pdf", "server", RefKind.INTRANET)]),
        (
            "Shop at https://BÜCHER.de/orders!",
            [("https://BÜCHER.de/orders", "xn--bcher-kva.de", RefKind.COMPANY)],
        ),
        ("Printer http://[FE80::1%25eth0]/", [("http://[FE80::1%25eth0]/", "fe80::1", RefKind.INTRANET)]),
        ("Old box http://0xC0A80105/", [("http://0xC0A80105/", "192.168.1.5", RefKind.INTRANET)]),
    ],
)
def test_finds_references(text: str, expected: list) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Call FibreLink on 0800 014 0140 and quote the account number.",
        "Email tom@harbourdental.co.uk or john.corp@gmail.com.",  # e-mail addresses are not links
        "Status at https://status.fibrelink.example/ and https://github.com/x/y.",
        "Version 10.5 of the client; see file:///C:/Plans/readme.txt for the local copy.",
        "Windows long paths look like \\\\?\\C:\\ and devices like \\\\.\\pipe.",
        "Save it as backup.zip in report.docx, e.g. today.",
        "public 8.8.8.8 resolver",
    ],
)
def test_ignores_ordinary_text(text: str) -> None:
    assert _found(text) == []


def test_expected_down_hosts_domains_urls_and_networks_are_skipped() -> None:
    text = (
        "http://intranet/wiki \\\\fs01\\scans https://crm.harbourdental.co.uk/ "
        "nas.harbour.lan http://10.1.2.3/ http://192.168.0.7/"
    )
    down = ["INTRANET", "\\\\fs01", "harbourdental.co.uk", "http://harbour.lan/", "10.0.0.0/8"]
    assert _found(text, down) == [("http://192.168.0.7/", "192.168.0.7", RefKind.INTRANET)]


def test_expected_down_is_exact_about_labels() -> None:
    assert _found("http://wiki.corp/", ["iki.corp"]) == [("http://wiki.corp/", "wiki.corp", RefKind.INTRANET)]


def test_offsets_are_in_order_across_kinds() -> None:
    text = "a nas.lan b \\\\srv\\x c http://intranet/ d"
    refs = find_internal_references(text, [], [])
    assert [r.kind for r in refs] == [RefKind.INTRANET, RefKind.UNC, RefKind.INTRANET]
    assert [r.offset for r in refs] == sorted(r.offset for r in refs)


def test_describe_names_the_domain() -> None:
    ref = find_internal_references("https://crm.harbourdental.co.uk/", COMPANY, [])[0]
    assert "harbourdental.co.uk" in ref.describe()
    assert ref.domain == "harbourdental.co.uk"


def test_scope_caches_consistently() -> None:
    scope = HostScope(COMPANY, ["intranet"])
    assert scope.classify("INTRANET") is None
    assert scope.classify("wiki") == (RefKind.INTRANET, "")
    assert scope.classify("wiki") == (RefKind.INTRANET, "")
    assert scope.classify("a.harbourdental.co.uk") == (RefKind.COMPANY, "harbourdental.co.uk")


@pytest.mark.parametrize(
    "text",
    [
        "`https://${host}/api/v4/projects/${id}`",  # a template in a script, not a host
        "http://{server}/path",
        "http://+/x",
    ],
)
def test_templates_are_not_hosts(text: str) -> None:
    assert _found(text) == []
