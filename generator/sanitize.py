"""The plan authors' own pages (plans/pages/*.md): rendered HTML kept to an allowlist (nh3).

An author page may hold Markdown and the HTML a plan needs: headings, paragraphs, lists, tables,
details, code, quotes, images of the site itself, and links to the site or to https:, tel: and
mailto: addresses. Nothing else reaches the site: no scripts or event handlers, no frames,
objects or forms, no styles (they can load files), no srcset, no other URL schemes.

`check_page` is pure and independent of MkDocs: the validator calls it on the Markdown (rendered
with the site's Markdown extensions), the plugin on the HTML MkDocs rendered, so a pull request's
check reports what the build will. Each removal is a finding at the Markdown line that wrote it:
a warning, or an error where the page loses something the reader was meant to see or follow.

How removals are found: the page is cleaned twice by the same parser, once keeping everything it
holds (`_normalise`) and once with the allowlist; the two outputs differ exactly by what was
removed, element by element and attribute by attribute.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml
from mkdocs.utils.meta import get_data

from generator.model import Finding, Severity

BASE_CONFIG = Path(__file__).with_name("mkdocs-base.yml")
MKDOCS_BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")  # MkDocs always adds these

TAGS = {
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption",
    "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "details": {"open"}, "time": {"datetime"},
}  # fmt: skip
URL_SCHEMES = {"https", "tel", "mailto"}
# Removed with everything inside: scripts and styles, and the elements whose content the parser
# reads as raw text (so it never turns into markup once the element is gone).
CLEAN_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "xmp",
    "plaintext", "textarea", "title", "svg", "math",
}  # fmt: skip
RESERVED_ID_PREFIXES = ("__", "rp-")  # the theme's own ids (`__config`, `rp-update`...)
# Elements whose removal takes away something the reader was meant to see or use.
CONTENT_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio", "svg", "math",
    "canvas", "form", "input", "button", "select", "textarea", "portal",
}  # fmt: skip
VOID = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "ping",
    "background",
    "codebase",
    "xlink:href",
}

_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][^\s/>]*)")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CHARREF = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[a-zA-Z][a-zA-Z0-9]*;?)")

WARNING, ERROR = Severity.WARNING, Severity.ERROR
MARKDOWN_HINT = "write it in Markdown: headings, lists, tables, links and images are kept"


@dataclass(frozen=True)
class Removal:
    """One element or attribute the allowlist took out of a page."""

    tag: str
    attribute: str = ""  # "" when the whole element went
    value: str = ""  # the attribute's value, character references decoded


def clean(page_html: str) -> tuple[str, list[Removal]]:
    """The page's HTML kept to the allowlist, and what was removed, in document order."""
    allowed = nh3.clean(
        page_html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return allowed, _removals(_normalise(page_html), allowed)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """What the allowlist cannot say: images come from the site itself; the theme's ids stay
    the theme's."""
    if tag == "img" and attribute == "src" and not _is_same_site(value):
        return None
    if attribute == "id" and value.startswith(RESERVED_ID_PREFIXES):
        return None
    return value


def _is_same_site(url: str) -> bool:
    """A relative URL that stays on the site (as a browser reads it: it ignores tabs and
    newlines, trims spaces and control characters, and takes a backslash for a slash)."""
    url = re.sub(r"[\t\n\r]", "", url).strip("\x00- ").replace("\\", "/")
    return not _SCHEME.match(url) and not url.startswith("//")


def _normalise(page_html: str) -> str:
    """The page as the sanitizer's parser reads it, keeping every element, attribute and URL
    it holds (comments aside): the reference the allowlisted output is compared with."""
    tags = {name.lower() for name in _TAG_NAME.findall(page_html)} | TAGS
    decoded = re.sub(r"[\t\n\r]", "", html.unescape(page_html))
    schemes = {s.lower() for s in _SCHEME.findall(decoded)} | URL_SCHEMES
    return nh3.clean(
        page_html,
        tags=tags,
        clean_content_tags=set(),
        generic_attribute_prefixes={""},
        url_schemes=schemes,
        link_rel=None,
        strip_comments=True,
    )


RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"}
# The parser's serialisation: names end at a space, `/`, `>` or `=`; values are double-quoted
# with `"` and `&` escaped; `<` in text is escaped, except inside the raw-text elements.
_TAG = re.compile(r'<(/?)([^\s/>]+)((?:\s+[^\s/>=]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE = re.compile(r'([^\s/>=]+)(?:="([^"]*)")?')


def _start_tags(text: str) -> list[tuple[str, dict[str, str], int]]:
    """The start tags of the sanitizer's serialised HTML, each with its attributes (decoded)
    and the index of the tag it is nested in (-1 at the top)."""
    tags: list[tuple[str, dict[str, str], int]] = []
    open_: list[int] = []
    position = 0
    while match := _TAG.search(text, position):
        closing, name = match.group(1), match.group(2).lower()
        position = match.end()
        if closing:
            for depth in range(len(open_) - 1, -1, -1):
                if tags[open_[depth]][0] == name:
                    del open_[depth:]
                    break
            continue
        attributes = {k: html.unescape(v or "") for k, v in _ATTRIBUTE.findall(match.group(3))}
        tags.append((name, attributes, open_[-1] if open_ else -1))
        if name in RAW_TEXT:
            end = text.find(f"</{name}", position)
            position = len(text) if end < 0 else end
        if name not in VOID:
            open_.append(len(tags) - 1)
    return tags


def _removals(before: str, after: str) -> list[Removal]:
    """What `after` lacks of `before`: both are the same parser's output, so the elements of
    `after` are those of `before` in the same order, less the removed ones."""
    kept = _start_tags(after)
    removed: list[Removal] = []
    gone: set[int] = set()  # elements removed with their content: nothing inside is reported
    j = 0
    for index, (tag, attrs, parent) in enumerate(_start_tags(before)):
        if parent in gone:
            gone.add(index)
            continue
        if j < len(kept) and kept[j][0] == tag:
            removed += [
                Removal(tag, name, value) for name, value in attrs.items() if kept[j][1].get(name) != value
            ]
            j += 1
            continue
        removed.append(Removal(tag))
        if tag in CLEAN_CONTENT:
            gone.add(index)
    return removed


# --- findings at the Markdown line ------------------------------------------------------------


def check_page(source: str, path: str, page_html: str | None = None) -> tuple[str, list[Finding]]:
    """The cleaned HTML of an author page and a located finding for each removal.

    `source` is the page's Markdown, `path` the name to report it by; `page_html` is the HTML
    rendered from it (rendered here with the site's Markdown extensions when not given)."""
    if page_html is None:
        page_html = render(source)
    allowed, removals = clean(page_html)
    locator = _Locator(source)
    findings = []
    for removal in removals:
        severity, message, hint = describe(removal)
        line, column = locator.find(removal)
        if severity is ERROR:  # the page loses what the reader was meant to see or follow
            findings.append(Finding(path, line, column, ERROR, message, hint, code="page-content-removed"))
        else:
            findings.append(Finding(path, line, column, WARNING, message, hint, code="page-html-removed"))
    return allowed, findings


def render(source: str) -> str:
    """The page's Markdown as MkDocs renders it for the site (front matter left out)."""
    names, configs = _extensions()
    body, _ = get_data(source)
    return markdown.Markdown(extensions=names, extension_configs=configs).convert(body)


@lru_cache(maxsize=1)
def _extensions() -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The Markdown extensions of mkdocs-base.yml (with MkDocs' built-in ones)."""
    listed = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8")).get("markdown_extensions", [])
    names, configs = list(MKDOCS_BUILTIN_EXTENSIONS), {}
    for item in listed:
        name, config = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name not in names:
            names.append(name)
        if config:
            configs[name] = config
    return names, configs


def describe(removal: Removal) -> tuple[Severity, str, str]:
    """The severity, message and hint for one removal."""
    tag, attribute, value = removal.tag, removal.attribute, removal.value
    if not attribute:
        if tag in CONTENT_ELEMENTS:
            hint = {
                "svg": "save the drawing as a file in plans/pages/ and show it as an image: "
                "![what it shows](drawing.svg)",
                "math": MARKDOWN_HINT,
            }.get(tag, "link to it instead ([what it is](https://...)), or say where to find it")
            return (
                ERROR,
                f"<{tag}> is removed from the page, with what it shows: pages of the "
                "plan show only text, tables, links and images",
                hint,
            )
        why = {
            "script": "pages of the plan run no scripts",
            "noscript": "pages of the plan run no scripts",
            "style": "styles could load files from other sites",
            "link": "it could load files from other sites",
            "meta": "it could send readers to another page",
            "base": "it would send every link of the page elsewhere",
        }.get(tag, "it is not part of the HTML a plan's page may hold")
        return WARNING, f"<{tag}> is removed from the page: {why}", MARKDOWN_HINT
    if attribute in URL_ATTRIBUTES and value.strip():
        if tag == "img" and attribute == "src":
            return (
                ERROR,
                f"the image {_short(value)} is removed: images must come with the site, "
                "the offline copy cannot load them from elsewhere",
                "put the image in plans/pages/ and give its relative path: ![what it shows](floor-plan.png)",
            )
        what = "link to" if attribute == "href" else f"`{attribute}` address"
        return (
            ERROR,
            f"the {what} {_short(value)} is removed: only links to the site's own "
            "pages or to https:, tel: and mailto: addresses are kept",
            "link to an https:// address, a tel: number, a mailto: address or a page of the site",
        )
    if attribute.startswith("on"):
        why = "pages of the plan run no scripts"
    elif attribute == "style":
        why = "styles could load files from other sites"
    elif attribute == "srcset":
        why = "an image has one `src`, a file of the site"
    elif attribute == "id" and value.startswith(RESERVED_ID_PREFIXES):
        return (
            WARNING,
            f"the id `{value}` is removed: the site's theme uses ids like it",
            "choose an id that does not start with `__` or `rp-`",
        )
    else:
        why = "it is not part of the HTML a plan's page may hold"
    return (
        WARNING,
        f"the `{attribute}` attribute of <{tag}> is removed: {why}",
        "leave it out: the element and its text stay on the page",
    )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Locator:
    """Finds where the Markdown wrote what was removed: the element's `<tag`, or the
    attribute's value or name, read with character references decoded. Repeated needles are
    found one after the other."""

    def __init__(self, source: str):
        self.source = source
        pieces: list[str] = []
        self.offsets: list[int] = []
        position = 0
        for match in _CHARREF.finditer(source):
            pieces.append(source[position : match.start()])
            self.offsets += range(position, match.start())
            decoded = html.unescape(match.group())
            pieces.append(decoded)
            self.offsets += [match.start()] * len(decoded)
            position = match.end()
        pieces.append(source[position:])
        self.offsets += range(position, len(source) + 1)
        self.decoded = "".join(pieces)
        self.lines = [0, *(m.end() for m in re.finditer("\n", source))]
        self.after: dict[str, int] = {}

    def find(self, removal: Removal) -> tuple[int, int]:
        tag, attribute, value = removal.tag, removal.attribute, removal.value
        if not attribute:
            needles = [rf"<\s*{re.escape(tag)}(?![\w-])"]
        elif attribute in URL_ATTRIBUTES:
            needles = [re.escape(value.strip()), rf"(?<![\w-]){re.escape(attribute)}\s*="]
        else:
            needles = [rf"(?<![\w-]){re.escape(attribute)}\s*=", re.escape(value.strip())]
        for needle in needles:
            if found := self.search(needle):
                return found
        return 1, 1

    def search(self, needle: str) -> tuple[int, int] | None:
        """Line and column of the next match of the regex `needle` (the first, once past the
        last one)."""
        pattern = re.compile(needle, re.IGNORECASE)
        match = pattern.search(self.decoded, self.after.get(needle, 0)) or pattern.search(self.decoded)
        if not match or not match.group():
            return None
        self.after[needle] = match.end()
        offset = self.offsets[match.start()]
        line = bisect_right(self.lines, offset)
        return line, offset - self.lines[line - 1] + 1


def locate(source: str, text: str) -> tuple[int, int] | None:
    """Line and column where the Markdown `source` writes `text` (read with character
    references decoded), if it does."""
    return _Locator(source).search(re.escape(text)) if text else None
