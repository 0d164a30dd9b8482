"""The contacts page: people and vendors, with call, text and email links and vCards."""

from __future__ import annotations

from generator.model import Plan
from generator.pages import paths
from generator.pages.templates import Templates
from generator.pages.wording import role_names, tr


def render(plan: Plan, templates: Templates) -> str:
    roles = {contact: ", ".join(names) for contact, names in role_names(plan).items()}
    file_name = tr(plan).plain("contacts.all_file", organisation=plan.organisation)
    return templates.page("contacts", paths.CONTACTS, roles=roles, file_name=file_name)
