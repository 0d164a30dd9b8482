"""STUB (helper-2 replaces this): host classification."""
from dataclasses import dataclass


@dataclass
class Reference:
    text: str
    host: str
    kind: str
    offset: int


def company_domain_of(host, company_domains):
    host = host.lower().rstrip(".")
    for d in company_domains:
        if host == d or host.endswith("." + d):
            return d
    return None


def find_internal_references(text, company_domains, expected_down):
    return []
