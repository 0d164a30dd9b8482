"""Hostile author pages (plans/pages/*.md): each is reported at the Markdown line that wrote it,
`validate` and `build` say the same, and in Chromium nothing of it runs or reaches another host."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_pwa import open_settled, other_origin, serving
from helpers_site import PHONE, build, example_copy

from generator import independence, sanitize
from generator.loader import shown_path
from generator.validate import validate_project

LINK_KEPT = "only links to the site's own pages or to https:, tel: and mailto: addresses are kept"
NO_SCRIPTS = "pages of the plan run no scripts"
STYLES = "styles could load files from other sites"
SHOWN = "with what it shows: pages of the plan show only text, tables, links and images"
IMAGES = "images must come with the site, the offline copy cannot load them from elsewhere"

# name: (the page's Markdown, the findings it must give, as `line:col: severity: message`)
CASES: dict[str, tuple[str, list[str]]] = {
    "script": (
        "# Script\n\nOpening hours.\n\n<script>alert(1)</script>\n",
        [f"5:1: warning: <script> is removed from the page: {NO_SCRIPTS}"],
    ),
    "event-handler": (
        '# Handler\n\n<img src="floor.png" alt="Floor" onerror="alert(1)">\n',
        [f"3:34: warning: the `onerror` attribute of <img> is removed: {NO_SCRIPTS}"],
    ),
    "javascript-link": (
        "# Link\n\nCall [the alarm company](javascript:alert(1)).\n",
        [f"3:26: error: the link to javascript:alert(1) is removed: {LINK_KEPT}"],
    ),
    "entity-encoded-javascript": (
        '# Encoded\n\n<a href="&#106;avascript&#x3A;alert(1)">Open</a>\n',
        [f"3:10: error: the link to javascript:alert(1) is removed: {LINK_KEPT}"],
    ),
    "tab-in-scheme": (
        '# Tab\n\n<a href="java&#x09;script:alert(1)">Open</a>\n',
        [f"3:10: error: the link to java script:alert(1) is removed: {LINK_KEPT}"],
    ),
    "data-link": (
        "# Data\n\n[Open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n",
        [
            "3:8: error: the link to data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0"
            f"Pg== is removed: {LINK_KEPT}"
        ],
    ),
    "vbscript-link": (
        '# VB\n\n<a href="vbscript:msgbox(1)">Open</a>\n',
        [f"3:10: error: the link to vbscript:msgbox(1) is removed: {LINK_KEPT}"],
    ),
    "iframe-srcdoc": (
        '# Frame\n\n<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>\n',
        [f"3:1: error: <iframe> is removed from the page, {SHOWN}"],
    ),
    "object-embed": (
        '# Object\n\n<object data="https://other.example/x.swf"></object>\n'
        '<embed src="https://other.example/x.swf">\n',
        [
            f"3:1: error: <object> is removed from the page, {SHOWN}",
            f"4:1: error: <embed> is removed from the page, {SHOWN}",
        ],
    ),
    "style-import": (
        "# Style\n\n<style>@import url(https://other.example/x.css);</style>\n\nText.\n",
        [f"3:1: warning: <style> is removed from the page: {STYLES}"],
    ),
    "style-url": (
        '# Style\n\n<p style="background: url(https://other.example/x.png)">Text</p>\n',
        [f"3:4: warning: the `style` attribute of <p> is removed: {STYLES}"],
    ),
    "image-set": (
        "# Set\n\n<div style=\"background-image: image-set('https://other.example/a.png' 1x)\">Text</div>\n",
        [f"3:6: warning: the `style` attribute of <div> is removed: {STYLES}"],
    ),
    "srcset": (
        '# Srcset\n\n<img src="floor.png" alt="Floor" srcset="https://other.example/a.png 2x">\n',
        [
            "3:34: warning: the `srcset` attribute of <img> is removed: an image has one "
            "`src`, a file of the site"
        ],
    ),
    "base-href": (
        '# Base\n\n<base href="https://other.example/">\n\n[Contacts](../contacts/)\n',
        ["3:1: warning: <base> is removed from the page: it would send every link of the page elsewhere"],
    ),
    "meta-refresh": (
        '# Refresh\n\n<meta http-equiv="refresh" content="0; url=https://other.example/">\n',
        ["3:1: warning: <meta> is removed from the page: it could send readers to another page"],
    ),
    "form-action": (
        '# Form\n\n<form action="https://other.example/steal"><input name="pin"></form>\n',
        [
            f"3:1: error: <form> is removed from the page, {SHOWN}",
            f"3:44: error: <input> is removed from the page, {SHOWN}",
        ],
    ),
    "svg-script": (
        '# Drawing\n\n<svg><script>alert(1)</script><circle r="4"/></svg>\n',
        [f"3:1: error: <svg> is removed from the page, {SHOWN}"],
    ),
    "http-link": (
        "# Vendor\n\nSee [the vendor](http://other.example/help).\n",
        [f"3:18: error: the link to http://other.example/help is removed: {LINK_KEPT}"],
    ),
    "remote-image": (
        "# Image\n\n![Map](https://other.example/map.png)\n",
        [f"3:8: error: the image https://other.example/map.png is removed: {IMAGES}"],
    ),
    "protocol-relative-image": (
        "# Image\n\n![Map](//other.example/map.png)\n",
        [f"3:8: error: the image //other.example/map.png is removed: {IMAGES}"],
    ),
    "backslash-image": (
        '# Image\n\n<img src="\\\\other.example\\map.png" alt="Map">\n',
        [f"3:11: error: the image \\\\other.example\\map.png is removed: {IMAGES}"],
    ),
    "comment-hiding-script": (
        "# Comment\n\n<!--><script>alert(1)</script>-->\n",
        [f"3:6: warning: <script> is removed from the page: {NO_SCRIPTS}"],
    ),
    "attr-list-handler": (
        '# Heading {: onclick="alert(1)" }\n',
        [f"1:14: warning: the `onclick` attribute of <h1> is removed: {NO_SCRIPTS}"],
    ),
    "link-stylesheet": (
        '# Link\n\n<link rel="stylesheet" href="https://other.example/x.css">\n',
        ["3:1: warning: <link> is removed from the page: it could load files from other sites"],
    ),
    "theme-id": (
        '# Clobber\n\n<p id="__config">{}</p>\n',
        ["3:4: warning: the id `__config` is removed: the site's theme uses ids like it"],
    ),
    "second-of-two": (
        "# Two\n\n<script>one()</script>\n\nText.\n\n<SCRIPT>two()</SCRIPT>\n",
        [
            f"3:1: warning: <script> is removed from the page: {NO_SCRIPTS}",
            f"7:1: warning: <script> is removed from the page: {NO_SCRIPTS}",
        ],
    ),
}
NORMAL = """# Where the keys are {: .keys }

Text with **bold**, *emphasis*, `code`, a [page of the site](../contacts/#people), a
[call](tel:+441234567890), a [mail](mailto:help@example.org), an [https link](https://example.org/a?b=1&c=2)
and <mailto:office@example.org>.

## A table

| What | Where |
|:--|--:|
| Keys | Safe |

<details markdown>
<summary>More</summary>

- one
- two

1. first
2. second
</details>

> A quote.

```
code block <with> & marks
```

![Floor plan](floor-plan.png){: width="300" }

<div class="note" markdown>Some *Markdown* in HTML.</div>
"""


def lines(findings) -> list[str]:
    return [str(f).splitlines()[0] for f in findings]


@pytest.mark.parametrize("name", list(CASES))
def test_each_hostile_page_is_cleaned_and_reported_at_its_line(name: str) -> None:
    text, expected = CASES[name]
    cleaned, findings = sanitize.check_page(text, f"plans/pages/{name}.md")
    assert lines(findings) == [f"plans/pages/{name}.md:{e}" for e in expected]
    for word in (
        "<script",
        "onerror=",
        "onclick=",
        "javascript:",
        "vbscript:",
        "data:",
        "style=",
        "srcset=",
        "<iframe",
        "<object",
        "<embed",
        "<base",
        "<meta",
        "<form",
        "<input",
        "<svg",
        "<link",
        "other.example",
        "__config",
    ):
        assert word not in cleaned.lower(), (word, cleaned)


def test_a_normal_page_is_left_as_it_is() -> None:
    rendered = sanitize.render(NORMAL)
    cleaned, findings = sanitize.check_page(NORMAL, "plans/pages/normal.md")
    assert findings == []
    assert cleaned == sanitize._normalise(rendered)  # the same elements, attributes and text
    for kept in (
        'id="where-the-keys-are"',
        'class="keys"',
        'align="left"',
        'href="tel:+',
        "<details>",
        "<summary>",
        'src="floor-plan.png"',
        'width="300"',
        "<blockquote>",
        'href="../contacts/#people"',
        "&amp;c=2",
        "&lt;with&gt;",
    ):
        assert kept in cleaned


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plan with every hostile page of CASES added."""
    project = example_copy(tmp_path_factory.mktemp("hostile-pages"))
    for name, (text, _) in CASES.items():
        (project / "plans" / "pages" / f"{name}.md").write_text(text, encoding="utf-8")
    return project


def test_validate_reports_every_removal_at_its_line(hostile_project: Path) -> None:
    pages = hostile_project / "plans" / "pages"
    expected = sorted(
        f"{shown_path(pages / f'{name}.md')}:{e}" for name, (_, found) in CASES.items() for e in found
    )
    findings = validate_project(hostile_project).findings
    assert sorted(lines(f for f in findings if "/plans/pages/" in f"/{f.path}")) == expected


def test_build_refuses_an_error_with_the_message_validate_gives(
    hostile_project: Path, tmp_path: Path
) -> None:
    done = build(hostile_project, tmp_path / "site")
    assert done.returncode == 1
    assert not (tmp_path / "site").exists()
    for name in ("javascript-link", "script"):
        assert f"plans/pages/{name}.md:{CASES[name][1][0]}" in done.stdout


# --- in Chromium: the warnings' pages are built; nothing of them runs or leaves ------------------

BEACON_PAGE = """# Beacons

<script>window.__pwned = 1; fetch("{other}script")</script>

<img src="floor.png" alt="Floor" onerror="window.__pwned = 2; fetch('{other}onerror')">

<style>@import url({other}import.css); body {{ background: url({other}style-element.png) }}</style>

<p style="background: url({other}style-attribute.png)">Styled</p>

<div style="background-image: image-set('{other}image-set.png' 1x)">Set</div>

<img src="floor.png" alt="Floor" srcset="{other}srcset.png 2x">

<link rel="stylesheet" href="{other}link.css">

<!--><script>window.__pwned = 3; fetch("{other}comment")</script>-->

# Heading {{: onmouseover="window.__pwned = 4" }}

<base href="{other}">

[Contacts](../contacts/)

The [key holders](https://wiki.harbourdental.co.uk/keys) are on the intranet.
"""
COMPANY_LINK = (
    "25:19: warning: links to https://wiki.harbourdental.co.uk/keys: "
    "wiki.harbourdental.co.uk is on a company domain, down with the company's servers"
)
REFRESH_PAGE = '# Refresh\n\n<meta http-equiv="refresh" content="0; url={other}refresh">\n'


@pytest.fixture(scope="module")
def other_host():
    with other_origin() as found:
        yield found


@pytest.fixture(scope="module")
def beacon_site(tmp_path_factory: pytest.TempPathFactory, other_host) -> Path:
    other = other_host[0]
    project = example_copy(tmp_path_factory.mktemp("beacon-pages"))
    pages = project / "plans" / "pages"
    (pages / "beacons.md").write_text(BEACON_PAGE.format(other=other), encoding="utf-8")
    (pages / "refresh.md").write_text(REFRESH_PAGE.format(other=other), encoding="utf-8")
    done = build(project, project / "site")
    assert done.returncode == 0, done.stderr
    validated = [str(f) for f in validate_project(project).findings if "plans/pages/" in f.path]
    assert len(validated) == 12
    assert f"{shown_path(pages / 'beacons.md')}:{COMPANY_LINK}" in [v.splitlines()[0] for v in validated]
    for finding in validated:  # the build said what validate says, at the same lines
        assert finding.splitlines()[0].replace(f"{project}/", "") in done.stdout
    return project / "site"


def test_nothing_of_a_hostile_page_runs_or_leaves_the_site(browser, beacon_site: Path, other_host) -> None:
    requests = other_host[1]
    with serving(beacon_site) as site:
        context = browser.new_context(**PHONE)
        left: list[str] = []
        context.on("request", lambda r: r.url.startswith(site.url()) or left.append(r.url))
        page = context.new_page()
        open_settled(page, site.url("beacons/"))
        page.hover("h1#heading")
        assert page.evaluate("[window.__pwned, document.baseURI]") == [None, site.url("beacons/")]
        open_settled(page, site.url("refresh/"))
        page.wait_for_timeout(1500)  # a refresh after 0 s would have happened by now
        assert page.url == site.url("refresh/")
        context.close()
    assert left == [] and requests == []


def test_the_remote_resource_check_names_the_markdown_line(beacon_site: Path) -> None:
    """The built page's own check, run on the site: what it finds in an author's page is
    reported at the page's Markdown line, the theme's links around it where they are."""
    project = beacon_site.parent
    source = (project / "plans" / "pages" / "beacons.md").read_text(encoding="utf-8")
    plan = validate_project(project).plan
    assert plan is not None
    found = independence.check_site(beacon_site, plan, {"beacons/index.html": ("beacons.md", source)})
    assert [str(f).splitlines()[0] for f in found] == [f"beacons.md:{COMPANY_LINK}"]
    unmapped = [str(f).splitlines()[0] for f in independence.check_site(beacon_site, plan)]
    assert len(unmapped) == 1 and unmapped[0].startswith("beacons/index.html:")
