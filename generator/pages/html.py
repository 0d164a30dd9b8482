"""HTML building blocks shared by the page modules: escaping, links, people, phones, steps.

Every page is emitted as raw HTML blocks inside Markdown, so Python-Markdown leaves the text
alone; every piece of plan text goes through `text()` (HTML-escaped, control characters
removed), so nothing an author writes is ever interpreted as HTML or Markdown.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass
from datetime import date, datetime

from generator.i18n import Translator, translator
from generator.model import SLA, Contact, Phone, Plan, RestoreStatus, Step

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

CONTACTS_PAGE = "contacts/index.md"
COMMUNICATIONS_PAGE = "communications.md"
SYSTEMS_PAGE = "systems/index.md"



def tr(plan: Plan) -> Translator:
    """The words and date formats of the plan's language, in its timezone."""
    return translator(plan.site.language, plan.site.timezone)


def role_name(plan: Plan, who: str) -> str:
    """A role's label in the plan's language ("Incident lead"); "" for a contact id."""
    if who not in plan.roles:
        return ""
    t = tr(plan)
    return t.plain(f"roles.{who}") if f"roles.{who}" in t.words else plan.role_label(who)


def text(value: object) -> str:
    """Plan text as safe HTML: escaped, control characters dropped, line breaks kept."""
    clean = _CONTROL.sub("", str(value))
    return html.escape(clean, quote=True).replace("\n", "<br>")


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def scenario_page(scenario_id: str) -> str:
    return f"scenarios/{scenario_id}/index.md"


def system_page(system_id: str) -> str:
    return f"systems/{system_id}/index.md"


def incident_page(incident_id: str) -> str:
    return f"incidents/{incident_id}/index.md"


def contact_anchor(contact_id: str) -> str:
    return f"contact-{contact_id}"


def page_url(src: str, directory_urls: bool = True) -> str:
    """The site-relative URL MkDocs gives the page (or file) at `src`."""
    if not src.endswith(".md"):
        return src
    stem = src[:-3]
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


@dataclass(frozen=True)
class Linker:
    """Relative links from one generated page to another page or file of the site."""

    page: str  # src path of the page being written
    directory_urls: bool = True

    def __call__(self, target: str, anchor: str = "", query: str = "") -> str:
        here = page_url(self.page, self.directory_urls)
        there = page_url(target, self.directory_urls)
        base = here.rsplit("/", 1)[0] if "/" in here else ""
        rel = posixpath.relpath(there or ".", base or ".")
        if not there or there.endswith("/"):
            rel = "./" if rel == "." else f"{rel.rstrip('/')}/"
        return attr(rel + query + (f"#{anchor}" if anchor else ""))


def sla_promise(sla: SLA | None, t: Translator) -> str:
    """"calls back within 30 min and restores within 8 h." for a vendor's SLA; "" without one."""
    promised = []
    if sla and sla.callback:
        promised.append(t("common.calls_back", duration=text(t.duration(sla.callback))))
    if sla and sla.restore:
        promised.append(t("common.restores", duration=text(t.duration(sla.restore))))
    if len(promised) == 2:
        promised = [t("common.and", first=promised[0], second=promised[1])]
    return t("common.promise", promises=promised[0]) if promised else ""


def when(value: datetime | None, t: Translator) -> str:
    """A date and time in the plan's locale and timezone (when the value carries one)."""
    return text(t.datetime(value))


def day(value: date | None, t: Translator) -> str:
    """A date in the plan's locale ("1 Dec 2026", "1. des. 2026")."""
    return text(t.date(value))


def front_matter(title: str) -> str:
    """YAML front matter giving the page its (escaped) title: themes print titles as HTML,
    and Material strips and unescapes tags in `<title>` unless `meta.title` is set."""
    return f"---\ntitle: {json.dumps(attr(title))}\n---\n"


def heading(level: int, anchor: str, content: str) -> str:
    """A heading with an id, so search results can point at it."""
    return f'<h{level} id="{attr(anchor)}">{content}</h{level}>'


def person(plan: Plan, who: str, link: Linker) -> str:
    """ "Incident lead: Priya Raman" (linked to the contact card) for a contact id or role."""
    contact = plan.person(who)
    role = role_name(plan, who)
    if contact is None:
        return text(role or who)
    name = f'<a href="{link(CONTACTS_PAGE, contact_anchor(contact.id))}">{text(contact.name)}</a>'
    return f"{text(role)}: {name}" if role else name


def call_buttons(contact: Contact, t: Translator, *, sms: bool = False) -> str:
    """Big tap-to-call buttons for every phone of a contact (and text buttons for mobiles)."""
    links = [_call_link(contact, phone, t) for phone in contact.phones if phone.label != "fax"]
    if sms:
        links += [
            f'<a class="rp-button rp-button--secondary" href="sms:{attr(phone.e164)}">'
            f"{t('common.text_name', name=text(contact.name))} "
            f'<span class="rp-num">{text(phone.display)}</span></a>'
            for phone in contact.phones
            if phone.can_text
        ]
    return f'<div class="rp-calls">{"".join(links)}</div>' if links else ""


def phone_label(label: str, t: Translator) -> str:
    """A phone's label in the plan's language ("mobile", "24/7")."""
    return t(f"phone.{label}") if f"phone.{label}" in t.words else text(label)


def _call_link(contact: Contact, phone: Phone, t: Translator) -> str:
    return (
        f'<a class="rp-call" href="{attr(phone.tel_uri)}">'
        f'<span class="rp-call__text"><span class="rp-call__who">'
        f"{t('common.call_name', name=text(contact.name))}"
        f'</span> <span class="rp-call__num">{phone_label(phone.label, t)} <span class="rp-nowrap">'
        f"{text(phone.display)}</span>{_ext(phone, t)}</span></span></a>"
    )


def _ext(phone: Phone, t: Translator) -> str:
    ext = t("common.ext", ext=text(phone.ext))
    return f' <span class="rp-nowrap">{ext}</span>' if phone.ext else ""


def status_badge(status: RestoreStatus, t: Translator) -> str:
    css = status.value.replace(" ", "-")
    words = t("status." + status.value.replace(" ", "_"))
    return f'<span class="rp-badge rp-badge--{css}">{words}</span>'


def steps(plan: Plan, items: list[Step], link: Linker, *, checklist: str = "") -> str:
    """Numbered steps with who / call / expect / if not; with `checklist`, a Done box each.

    `checklist` is the localStorage key prefix of the page's ticks (see recovery-plan.js).
    """
    t = tr(plan)
    out = []
    for index, step in enumerate(items):
        number = index + 1
        parts = [f'<p class="rp-step__do">{text(step.do)}</p>']
        if step.who:
            who = person(plan, step.who, link)
            parts.append(f'<p class="rp-step__who"><strong>{t("common.who")}</strong> {who}</p>')
        if step.call:
            call = person(plan, step.call, link)
            parts.append(f'<p class="rp-step__call"><strong>{t("common.call")}</strong> {call}</p>')
            contact = plan.person(step.call)
            if contact is not None:
                parts.append(call_buttons(contact, t))
        if step.expect:
            parts.append(
                f'<p class="rp-step__expect"><strong>{t("common.expect")}</strong> {text(step.expect)}</p>')
        if step.if_not:
            parts.append(
                f'<p class="rp-step__ifnot"><strong>{t("common.if_not")}</strong> {text(step.if_not)}</p>')
        if checklist:
            parts.append(
                f'<label class="rp-done" data-search-exclude><input type="checkbox" class="rp-check" '
                f'data-rp-step="{index}"> <span>{t("common.step_done", number=number)}</span> '
                '<span class="rp-done__at" data-rp-done-at></span></label>'
            )
        out.append(f'<li class="rp-step" id="step-{number}">{"".join(parts)}</li>')
    data = f' data-rp-checklist="{attr(checklist)}"' if checklist else ""
    return f'<ol class="rp-steps"{data}>{"".join(out)}</ol>'
