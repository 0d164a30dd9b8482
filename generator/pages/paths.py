"""Where every generated page and file lives (src paths under `docs_dir`), and links between them."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache

HOME = "index.md"
SCENARIOS = "scenarios/index.md"  # only for plans with too many scenarios to list in the nav
SYSTEMS = "systems/index.md"
CONTACTS = "contacts/index.md"
COMMUNICATIONS = "communications.md"
INCIDENTS = "incidents/index.md"
REVIEW_TEMPLATE = "incidents/review_template.md"  # `_` cannot start or be in an incident id
HEALTH = "health.md"
PREVENTION = "prevention.md"  # format 1.1
ALL_VCARDS = "contacts/all.vcf"


def scenario_page(scenario_id: str) -> str:
    return f"scenarios/{scenario_id}/index.md"


def system_page(system_id: str) -> str:
    return f"systems/{system_id}/index.md"


def incident_page(incident_id: str) -> str:
    return f"incidents/{incident_id}/index.md"


def vcard_file(contact_id: str) -> str:
    return f"contacts/vcards/{contact_id}.vcf"


def contact_anchor(contact_id: str) -> str:
    return f"contact-{contact_id}"


def task_anchor(task_id: str) -> str:
    """A maintenance task, on the prevention page."""
    return f"task-{task_id}"


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
    """Relative links (URLs, not yet escaped) from one generated page to another page or file."""

    page: str  # src path of the page being written
    directory_urls: bool = True

    def __call__(self, target: str, anchor: str = "", query: str = "") -> str:
        here = page_url(self.page, self.directory_urls)
        base = here.rsplit("/", 1)[0] if "/" in here else ""
        return (
            _relative(base, page_url(target, self.directory_urls)) + query + (f"#{anchor}" if anchor else "")
        )

    def contact(self, contact_id: str) -> str:
        """The contact's card on the contacts page."""
        return self(CONTACTS, contact_anchor(contact_id))

    def scenario(self, scenario_id: str) -> str:
        return self(scenario_page(scenario_id))

    def system(self, system_id: str) -> str:
        return self(system_page(system_id))

    def incident(self, incident_id: str) -> str:
        return self(incident_page(incident_id))


@cache
def _relative(base: str, there: str) -> str:
    """The link from a page in folder `base` to the URL `there` (both site-relative)."""
    rel = posixpath.relpath(there or ".", base or ".")
    if not there or there.endswith("/"):
        rel = "./" if rel == "." else f"{rel.rstrip('/')}/"
    return rel
