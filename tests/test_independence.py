"""The independence check: nothing on the site depends on company servers or other origins."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers_publish import minimal_plan

from generator.independence import check_site
from generator.model import Finding, Severity

COMPANY = ["harbourdental.co.uk"]
SITE_URL = "https://harbour-dental.github.io/recovery/"

CLEAN_PAGE = """<!doctype html>
<html lang="en"><head>
<link rel="canonical" href="https://harbour-dental.github.io/recovery/scenarios/">
<link rel="stylesheet" href="../assets/site.css">
<link rel="icon" href="../assets/icon.png">
<link rel="manifest" href="../manifest.webmanifest">
<style>.logo { background: url("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'/>") }</style>
<script src="../assets/app.js"></script>
<script>var scope = new URL(".", location);</script>
</head><body>
<a href="https://status.cloud.microsoft/">Microsoft status</a>
<a href="tel:+448000140140">Call</a> <a href="mailto:tom@harbourdental.co.uk">Email Tom</a>
<img src="../assets/map.png" srcset="../assets/map.png 1x, ../assets/map@2x.png 2x" alt="">
<img src="https://harbour-dental.github.io/recovery/assets/logo.png" alt="">
<p>If the portal is down, the link https://crm.harbourdental.co.uk/ will not work: that is
text, not a link, and the validator reports it in the YAML. So is \\\\fileserver\\scans.</p>
<p>Writing href="http://intranet/" in prose is not a link either.</p>
<!-- <script src="https://cdn.example.com/old.js"></script> a comment loads nothing -->
</body></html>
"""

# file -> (content, the text that must be flagged, severity)
DEPENDENT_FILES: dict[str, tuple[str, str, Severity]] = {
    "company/index.html": (
        '<p>Log in:\n  <a class="x" href="https://crm.HarbourDental.co.uk/login">CRM</a></p>',
        "https://crm.HarbourDental.co.uk/login",
        Severity.WARNING,
    ),
    "intranet/index.html": (
        '<ul>\n<li><a href="http://intranet/wiki/Backups">wiki</a></li>\n</ul>',
        "http://intranet/wiki/Backups",
        Severity.WARNING,
    ),
    "local/index.html": (
        "<p>\n\n<a href='http://printer.local:631/'>printer</a></p>",
        "http://printer.local:631/",
        Severity.WARNING,
    ),
    "private-ip/index.html": (
        '<p>Router:</p>\n<a href="http://192.168.1.254/admin">admin</a>',
        "http://192.168.1.254/admin",
        Severity.WARNING,
    ),
    "unc/index.html": (
        '<p>Scans:</p>\n<p><a href="\\\\fileserver\\scans">open the share</a></p>',
        "\\\\fileserver\\scans",
        Severity.WARNING,
    ),
    "script/index.html": (
        '<head>\n<script defer src="https://cdn.example.com/lib.js"></script></head>',
        "https://cdn.example.com/lib.js",
        Severity.ERROR,
    ),
    "protocol-relative/index.html": (
        '<head>\n<link href="//fonts.example.com/css?family=Roboto" rel="stylesheet"></head>',
        "//fonts.example.com/css?family=Roboto",
        Severity.ERROR,
    ),
    "iframe/index.html": (
        '<p>Map</p><iframe\n  title="map" src="https://maps.example.com/embed?q=1"></iframe>',
        "https://maps.example.com/embed?q=1",
        Severity.ERROR,
    ),
    "srcset/index.html": (
        '<img src="a.png"\n srcset="a.png 1x, https://img.example.com/a@2x.png 2x" alt="">',
        "https://img.example.com/a@2x.png",
        Severity.ERROR,
    ),
    "inline-style/index.html": (
        '<div style="background: url(&quot;https://img.example.com/bg.png&quot;)"></div>',
        "https://img.example.com/bg.png",
        Severity.ERROR,
    ),
    "assets/site.css": (
        ".a{color:red}\n@import 'https://cdn.example.com/theme.css';\n",
        "https://cdn.example.com/theme.css",
        Severity.ERROR,
    ),
    "assets/extra.css": (
        ".b{}\n.c{background:url(https://img.example.com/c.png)}",
        "https://img.example.com/c.png",
        Severity.ERROR,
    ),
    "manifest.webmanifest": (
        '{\n  "name": "Plan",\n  "icons": [{"src": "https://img.example.com/icon.png"}]\n}',
        "https://img.example.com/icon.png",
        Severity.ERROR,
    ),
    "sw.js": (
        'const PRECACHE = [\n  "index.html",\n  "https://cdn.example.com/worker-lib.js"\n];',
        "https://cdn.example.com/worker-lib.js",
        Severity.ERROR,
    ),
    "assets/app.js": (
        'const HELP = "https://helpdesk.harbourdental.co.uk/new";\nfetch(HELP);',
        "https://helpdesk.harbourdental.co.uk/new",
        Severity.WARNING,
    ),
    "data/links.json": (
        '{"text": "prose http://wiki.corp/ is fine",\n "url": "http:\\/\\/wiki.corp\\/x"}',
        "http:\\/\\/wiki.corp\\/x",
        Severity.WARNING,
    ),
    "contacts/vcards/it.vcf": (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:IT\r\nURL:http://helpdesk.harbour.lan/\r\nEND:VCARD\r\n",
        "http://helpdesk.harbour.lan/",
        Severity.WARNING,
    ),
    "sitemap.xml": (
        "<urlset>\n<url><loc>https://harbour-dental.github.io/recovery/</loc></url>\n"
        "<url><loc>http://10.0.0.12/plan/</loc></url></urlset>",
        "http://10.0.0.12/plan/",
        Severity.WARNING,
    ),
}


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
    return folder


def _position(content: str, needle: str) -> tuple[int, int]:
    offset = content.index(needle)
    line = content.count("\n", 0, offset) + 1
    return line, offset - (content.rfind("\n", 0, offset) + 1) + 1


@pytest.fixture
def dependent_site(tmp_path: Path) -> Path:
    files = {"index.html": CLEAN_PAGE}
    files.update({name: content for name, (content, _, _) in DEPENDENT_FILES.items()})
    return _write(tmp_path / "site", files)


def test_clean_site_passes(tmp_path: Path) -> None:
    site = _write(
        tmp_path / "site",
        {
            "index.html": CLEAN_PAGE,
            "assets/site.css": ".a{background:url(../img/a.png)}@import 'print.css';",
            "sw.js": 'const PRECACHE = ["index.html", "assets/site.css"];',
            "manifest.webmanifest": '{"start_url": "./", "icons": [{"src": "icon.png"}]}',
            "sitemap.xml": f"<urlset><url><loc>{SITE_URL}</loc></url></urlset>",
            "contacts/all.vcf": "BEGIN:VCARD\r\nEMAIL:tom@harbourdental.co.uk\r\nEND:VCARD\r\n",
        },
    )
    assert check_site(site, minimal_plan(SITE_URL, COMPANY)) == []


def test_each_kind_of_dependence_is_flagged_at_its_place(dependent_site: Path) -> None:
    findings = check_site(dependent_site, minimal_plan(SITE_URL, COMPANY))
    by_path = {f.path: f for f in findings}
    assert set(by_path) == set(DEPENDENT_FILES), [str(f) for f in findings]
    for name, (content, needle, severity) in DEPENDENT_FILES.items():
        finding = by_path[name]
        assert (finding.line, finding.column) == _position(content, needle), str(finding)
        assert finding.severity is severity, str(finding)
        assert needle.replace("\\/", "/") in finding.message, str(finding)


def test_warnings_say_why(dependent_site: Path) -> None:
    messages = {f.path: f.message for f in check_site(dependent_site, minimal_plan(SITE_URL, COMPANY))}
    assert "company domain" in messages["company/index.html"]
    assert "inside the office network" in messages["intranet/index.html"]
    assert "file share" in messages["unc/index.html"]
    assert "offline copy cannot load it" in messages["script/index.html"]


def test_expected_down_hosts_are_not_flagged(dependent_site: Path) -> None:
    down = [
        "intranet",
        "harbourdental.co.uk",
        "printer.local",
        "\\\\fileserver",
        "192.168.1.0/24",
        "helpdesk.harbour.lan",
        "wiki.corp",
        "10.0.0.12",
    ]
    findings = check_site(dependent_site, minimal_plan(SITE_URL, COMPANY, down))
    assert findings, "loads from other sites stay errors"
    assert all(f.severity is Severity.ERROR for f in findings), [str(f) for f in findings]


def test_a_load_from_a_company_host_is_an_error_even_when_expected_down(tmp_path: Path) -> None:
    site = _write(
        tmp_path / "site", {"index.html": '<img src="https://intranet.harbourdental.co.uk/logo.png" alt="">'}
    )
    plan = minimal_plan(SITE_URL, COMPANY, ["harbourdental.co.uk"])
    [finding] = check_site(site, plan)
    assert finding.severity is Severity.ERROR


def test_site_url_on_company_domain_or_intranet_is_an_error(tmp_path: Path) -> None:
    site = _write(tmp_path / "site", {"index.html": CLEAN_PAGE})
    for url in ("https://plan.HarbourDental.co.uk/", "https://plan.harbour.lan/", "https://10.1.1.1/"):
        errors = [f for f in check_site(site, minimal_plan(url, COMPANY)) if f.path == "plans/plan.yaml"]
        assert [f.severity for f in errors] == [Severity.ERROR], url


def test_own_origin_must_match_scheme_host_and_port(tmp_path: Path) -> None:
    site = _write(
        tmp_path / "site",
        {
            "index.html": "\n".join(
                [
                    '<script src="HTTPS://Harbour-Dental.GitHub.io:443/recovery/a.js"></script>',
                    '<script src="http://harbour-dental.github.io/recovery/b.js"></script>',
                    '<script src="https://harbour-dental.github.io:8443/recovery/c.js"></script>',
                ]
            )
        },
    )
    findings = check_site(site, minimal_plan(SITE_URL, COMPANY))
    assert sorted(f.line for f in findings) == [2, 3]


def test_a_link_repeated_on_every_page_is_reported_once(tmp_path: Path) -> None:
    footer = '<footer><a href="http://intranet/">Intranet</a></footer>'
    site = _write(tmp_path / "site", {f"p{i}/index.html": footer for i in range(5)})
    [finding] = check_site(site, minimal_plan(SITE_URL, COMPANY))
    assert finding.path == "p0/index.html"
    assert finding.message.endswith("(and in 4 other files)")


def test_large_site_is_checked_quickly(tmp_path: Path) -> None:
    """A 1,000-system plan builds to about 3,000 files; the check runs on every build."""
    nav = "".join(f'<li><a href="../s{i}/" class="md-nav__link">System {i}</a></li>' for i in range(300))
    page = CLEAN_PAGE.replace("<body>", f"<body><nav><ul>{nav}</ul></nav>" + "<p>text</p>" * 500)
    site = _write(tmp_path / "site", {f"s{i}/index.html": page for i in range(3000)})
    started = time.perf_counter()
    findings: list[Finding] = check_site(site, minimal_plan(SITE_URL, COMPANY))
    elapsed = time.perf_counter() - started
    assert findings == []
    assert elapsed < 20, f"{elapsed:.1f} s for 3,000 pages"
