"""The pages' Jinja templates: autoescaped, and overridable from the project like Material's.

Templates are looked up first in the project's override folder (`<custom_dir>/recovery-plan/`,
e.g. `site_overrides/recovery-plan/partials/call-button.html`), then in the package's
`generator/templates/`. An override is read only if it is a regular file inside the project
(`loader.read_text_safely`): a link to a file elsewhere stops the build with a located error.

What a template prints (docs/overriding.md):
- `{{ value }}` prints text: HTML-escaped, control characters dropped, line breaks as `<br>`
  (`| attr` keeps line breaks, for attribute values); Markup (a partial's or `t`'s) as it is.
- `t("key", name=value)`: the words of the plan's language, with `value` escaped.
- A line break and the indentation after it are for reading only and are not written; an empty
  line separates two blocks of the page (Markdown reads each raw HTML block on its own).
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from generator.i18n import Translator
from generator.loader import read_text_safely, shown_path
from generator.model import Plan
from generator.pages import paths, wording
from generator.pages.paths import Linker

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "templates"
OVERRIDES = "recovery-plan"  # the folder in the theme's custom_dir that holds overrides
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LAYOUT_SPACE = re.compile(r"[ \t]*\n[ \t\n]*")
_BLOCK = "\x00"  # an empty line in a template; never in a printed value (control characters go)


def text(value: object) -> str:
    """Plan text as safe HTML: escaped, control characters dropped, line breaks kept."""
    return attr(value).replace("\n", "<br>")


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def escape(value: object) -> Markup:
    """`value` as HTML: Markup as it is, anything else as text."""
    return value if isinstance(value, Markup) else Markup(text(value))


class Words:
    """`t` in templates: the Translator's words as Markup, the values put in escaped; its other
    methods (`date`, `duration`, `plain`...) as the Translator's."""

    def __init__(self, t: Translator) -> None:
        self.translator = t

    def __call__(self, key: str, count: int | None = None, **values: object) -> Markup:
        return Markup(self.translator(key, count, **{k: escape(v) for k, v in values.items()}))

    def named(self, group: str, name: str) -> Markup:
        """The word for a named value ("phone.mobile" -> "mobile"), else the name itself."""
        key = f"{group}.{name}"
        return self(key) if key in self.translator.words else escape(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.translator, name)


class _Layout(Extension):
    """Line breaks and indentation in a template's own text are for reading; an empty line marks
    the end of a block of the page."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type == "data":
                token = Token(token.lineno, "data", _LAYOUT_SPACE.sub(_squash, token.value))
            yield token


def _squash(match: re.Match[str]) -> str:
    return _BLOCK if match.group().count("\n") > 1 else ""


class ProjectLoader(jinja2.BaseLoader):
    """Templates from the project's override folder: regular files inside `root` only."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        source = read_text_safely(path, self.root, shown_path(path))  # LoadError when unsafe
        return source, shown_path(path), lambda: True  # one environment per build


def _finalize(value: object) -> object:
    return "" if value is None else escape(value)


def environment(overrides: Path | None = None, root: Path | None = None) -> jinja2.Environment:
    """The pages' templates: the project's overrides (when given) before the package's own."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(PACKAGE_DIR)]
    if overrides is not None:
        loaders.insert(0, ProjectLoader(overrides, root or overrides))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        extensions=[_Layout],
    )
    env.filters["attr"] = lambda value: Markup(attr(value))
    return env


class Templates:
    """Renders the pages of one plan. Every template gets `plan`, `t` (its words), `paths`
    (generated/pages/paths.py), `link` (links from the page being written) and the plan's
    shared wording: `role_name(who)`, `restore(system)` (see wording.RestoreWords),
    `restore_badge(status)`, `result_words(result)` and `result_kind(result)`."""

    def __init__(self, plan: Plan, env: jinja2.Environment, directory_urls: bool = True) -> None:
        t = wording.tr(plan)
        self.env = env
        self.directory_urls = directory_urls
        self.globals: dict[str, Any] = {
            "plan": plan,
            "t": Words(t),
            "paths": paths,
            "role_name": lambda who: wording.role_name(plan, who),
            "restore": lambda system: wording.restore_words(plan, system, t),
            "restore_badge": lambda status: wording.restore_badge(status, t),
            "result_words": lambda result: wording.result_words(result, t),
            "result_kind": wording.result_kind,
        }

    def page(self, name: str, src: str, *, title: str = "", **values: Any) -> str:
        """`pages/<name>.html` for the page at `src`: its blocks, each a raw HTML block; with
        `title`, front matter giving the page its title."""
        link = Linker(src, self.directory_urls)
        out = self.env.get_template(f"pages/{name}.html").render(self.globals, link=link, **values)
        blocks = [front_matter(title)] if title else []
        blocks += [block for block in out.split(_BLOCK) if block.strip()]
        return "\n\n".join(blocks) + "\n"


def front_matter(title: str) -> str:
    """YAML front matter giving the page its (escaped) title: themes print titles as HTML,
    and Material strips and unescapes tags in `<title>` unless `meta.title` is set."""
    return f"---\ntitle: {json.dumps(attr(title))}\n---\n"
