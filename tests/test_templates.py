"""The pages' templates: what `{{ }}`, `t` and the layout rules write, overrides from the
project's `site_overrides/recovery-plan/` (the worked example of docs/overriding.md), and
overrides that are not regular files of the project, refused."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from helpers_pages import XSS, sample_plan
from helpers_site import build
from markupsafe import Markup
from plan_shapes import write_shape
from test_pages import Page, to_html

from generator import pages
from generator.loader import LoadError
from generator.pages import paths
from generator.pages.templates import OVERRIDES, PACKAGE_DIR, Templates, environment

ROOT = Path(__file__).resolve().parents[1]
PARTIAL = "partials/call-button.html"


def worked_example() -> str:
    """The override docs/overriding.md shows."""
    doc = (ROOT / "docs" / "overriding.md").read_text(encoding="utf-8")
    return re.search(r"```jinja\n(.*?)```", doc, re.S).group(1)


def project_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A project folder whose override folder holds `files` (template name -> source)."""
    folder = tmp_path / "site_overrides" / OVERRIDES
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def call_links(source: str) -> list[Page]:
    """Each call button (`a.rp-call`) of a generated page."""
    html = to_html(source)
    return [Page(a) for a in re.findall(r'<a class="rp-call" .*?</a>', html)]


def render_with(folder: Path | None, plan=None) -> dict[str, str]:
    plan = plan or sample_plan(XSS)
    return pages.render(plan, overrides=folder, root=folder.parents[1] if folder else None)


# --- what templates write ------------------------------------------------------------------------


def render_string(source: str, **values: object) -> str:
    templates = Templates(sample_plan(), environment())
    return templates.env.from_string(source).render(templates.globals, **values)


def test_every_value_is_printed_as_text() -> None:
    hostile = "<img src=x onerror=\"a()\">\x07 & 'b'\nnext line"
    assert render_string("<p>{{ value }}</p>", value=hostile) == (
        "<p>&lt;img src=x onerror=&quot;a()&quot;&gt; &amp; &#x27;b&#x27;<br>next line</p>"
    )
    assert render_string('<p title="{{ value | attr }}"></p>', value="a\nb<") == '<p title="a\nb&lt;"></p>'
    assert render_string("{{ value }}", value=Markup("<b>kept</b>")) == "<b>kept</b>"
    assert render_string("[{{ value }}]", value=None) == "[]"


def test_words_take_their_values_escaped() -> None:
    out = render_string('{{ t("common.call_name", name=name) }}', name="<b>Ann</b>")
    assert out == "Call &lt;b&gt;Ann&lt;/b&gt;"
    assert (
        render_string('{{ t("common.call_name", name=name) }}', name=Markup("<b>Ann</b>"))
        == "Call <b>Ann</b>"
    )
    assert (
        render_string('{{ t.named("phone", "mobile") }}|{{ t.named("phone", "<x>") }}') == "mobile|&lt;x&gt;"
    )


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_line_breaks_are_for_reading_and_an_empty_line_ends_a_block(tmp_path: Path, eol: str) -> None:
    layout = (
        "<div>\n  <p>{{ a }}</p>\n  <p>b</p>\n</div>\n\n"
        "{% if false %}\n<p>never</p>\n{% endif %}\n\n<p>end</p>\n"
    )
    folder = project_with(tmp_path, {"pages/scenarios.html": layout.replace("\n", eol)})
    templates = Templates(sample_plan(), environment(folder, tmp_path))
    assert templates.page("scenarios", paths.SCENARIOS, a="x\ny") == (
        "<div><p>x<br>y</p><p>b</p></div>\n\n<p>end</p>\n"
    )


# --- overrides -----------------------------------------------------------------------------------


def test_the_worked_example_replaces_every_call_button(tmp_path: Path) -> None:
    plan = sample_plan(XSS)
    default = render_with(None, plan)
    overridden = render_with(project_with(tmp_path, {PARTIAL: worked_example()}), plan)
    assert default.keys() == overridden.keys()
    shown = 0
    for src, source in overridden.items():
        if not src.endswith(".md"):
            continue
        before, after = call_links(default[src]), call_links(source)
        assert len(before) == len(after), src
        for old, new in zip(before, after, strict=True):
            number = next(a for a in old.text if a.startswith("+"))  # the default: name, then number
            assert new.plain.startswith(number) and " (" in new.plain, (src, new.plain)
            assert "img" not in [tag for tag, _ in new.tags]  # the override's output is escaped too
            shown += 1
    assert shown > len(plan.contacts)
    assert any(XSS in link.plain for link in (call_links(overridden[paths.CONTACTS])))


def test_without_an_override_the_package_template_is_used(tmp_path: Path) -> None:
    plan = sample_plan()
    empty = project_with(tmp_path, {"partials/other.html": "unused"})
    assert render_with(empty, plan) == render_with(None, plan)
    assert (PACKAGE_DIR / PARTIAL).is_file()


def test_a_broken_override_names_its_file_and_line_syntax(tmp_path: Path) -> None:
    folder = project_with(tmp_path, {PARTIAL: "{% macro call_button(contact, phone) %}\n{{ oops(}\n"})
    with pytest.raises(jinja2.TemplateSyntaxError) as raised:
        render_with(folder)
    assert raised.value.lineno == 2 and raised.value.filename.endswith(f"{OVERRIDES}/{PARTIAL}")


@pytest.mark.parametrize("kind", ["link out", "fifo"])
def test_an_override_that_is_no_regular_file_of_the_project_is_refused(tmp_path: Path, kind: str) -> None:
    folder = project_with(tmp_path, {})
    target = folder / PARTIAL
    target.parent.mkdir(parents=True)
    if kind == "link out":
        target.symlink_to("/etc/passwd")
    else:
        os.mkfifo(target)
    with pytest.raises(LoadError) as raised:
        render_with(folder)
    finding = raised.value.finding
    assert finding.path.endswith(f"site_overrides/{OVERRIDES}/{PARTIAL}") and finding.code == "unsafe-file"
    reason = "symbolic link to /etc/passwd, outside the project" if kind == "link out" else "a named pipe"
    assert reason in finding.message, finding.message


def test_a_project_build_uses_its_override_and_refuses_a_linked_one(tmp_path: Path) -> None:
    project = write_shape("one-system", tmp_path / "plan")
    folder = project_with(project, {PARTIAL: worked_example()})
    done = build(project, project / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    contacts = (project / "site" / "contacts" / "index.html").read_text(encoding="utf-8")
    buttons = re.findall(r'<a class="rp-call" href="tel:[^"]*">.*?</a>', contacts, re.S)
    assert buttons and all(re.search(r'<span class="rp-call__num rp-nowrap">\+', b) for b in buttons)
    built = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}

    shutil.rmtree(folder / "partials")
    (folder / "partials").mkdir()
    (folder / PARTIAL).symlink_to("/etc/passwd")
    refused = build(project, project / "site")
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert (
        f"site_overrides/{OVERRIDES}/{PARTIAL}:1:1: error: the file is a symbolic link to /etc/passwd"
        in output
    )
    assert "Traceback" not in output and "root:" not in output
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == built


def test_a_failing_override_names_its_file_and_line(tmp_path: Path) -> None:
    from generator.plugin import _template_line

    folder = project_with(
        tmp_path, {PARTIAL: "{% macro call_button(contact, phone) %}\n{{ phone.nothing.here }}{% endmacro %}"}
    )
    with pytest.raises(jinja2.UndefinedError) as raised:
        render_with(folder)
    assert _template_line(raised.value).endswith(f"{OVERRIDES}/{PARTIAL}:2: ")


def test_the_pages_do_not_need_mkdocs() -> None:
    """Plan -> pages is independent of MkDocs: another static-site engine could call it."""
    code = "import sys, generator.pages; print(sorted(m for m in sys.modules if m.split('.')[0] == 'mkdocs'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
