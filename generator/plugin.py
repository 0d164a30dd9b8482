"""The MkDocs plugin: a thin adapter between MkDocs and the plan-to-site modules.

Everything about the plan lives in `validate`, `pages`, `printsheet`, `pwa` and `independence`;
this module only wires them into MkDocs' build events, so another static-site engine needs
a new adapter, not a rewrite.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from generator import atomic, csp, i18n, ics, independence, pages, printsheet, private, pwa, sanitize
from generator.config import RecoveryPlanConfig
from generator.loader import LoadError, shown_path, unsafe_author_pages
from generator.model import Finding, Plan, Severity
from generator.validate import Validation, validate_project

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.recovery-plan")


class RecoveryPlanPlugin(BasePlugin[RecoveryPlanConfig]):
    """Validates the plan, generates its pages, then adds the printed sheet and the offline app."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.plan: Plan | None = None
        self.root = Path(".")
        self.staging: atomic.Staging | None = None  # the build's staging folder, until swapped
        self.sheet: printsheet.PendingSheet | None = None
        self.printer: printsheet.Printer | None = None  # set by `recovery-plan build`, started early
        self.waiting: Callable[[str], None] = log.info  # told when another build holds the site
        self.private: private.PrivateBuild | None = None  # a private plan's build (encrypted)
        self.validation: Validation | None = None  # set by `recovery-plan build` to skip a re-run
        self.reported: set[Finding] = set()  # what validation already said
        self.page_findings: list[Finding] = []  # what cleaning the authors' pages found besides
        self.author_html: dict[str, tuple[str, str]] = {}  # site file -> (page path, Markdown)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    @event_priority(50)  # before the search plugin reads the theme's language
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = (Path(config.config_file_path or ".").parent / self.config.root).resolve()
        result = self.validation or validate_project(self.root, today=self.config.today)
        if self.validation is None:
            _log_findings(result.findings)
        self.reported = set(result.findings)
        self.page_findings, self.author_html = [], {}
        if result.errors or (self.config.strict and result.findings):
            raise PluginError(
                f"The plan has {result.summary()}: nothing was built and site/ is unchanged. "
                "Fix the problems above, or run `recovery-plan validate` to see them again."
            )
        self.plan = result.plan
        assert self.plan is not None
        self.private = self._private_build(self.plan)
        config.site_name = html.escape(self.plan.organisation)  # themes print it as HTML
        config.site_url = self.plan.site.url
        config.nav = pages.navigation(self.plan, pages.author_pages(Path(config.docs_dir), self.root))
        config.extra["recovery_plan"] = pages.template_context(self.plan)
        set_theme_language(config, self.plan)
        config.extra_css.append(pages.CSS)
        config.extra_javascript.append(pages.JS)
        config.extra_javascript.append(pages.incident_mode.JS)
        pwa.add_theme_overrides(config)
        printer = self.printer or printsheet.prepare()
        unlock_url = self.private.unlock_url if self.private else ""
        self.sheet = printer.start(self.plan, unlock_url)  # laid out while MkDocs renders the pages
        if self.command == "build" and self.config.atomic:
            try:
                self.staging = atomic.Staging(Path(config.site_dir), self.root, self.waiting)
            except atomic.SiteDirRefused as error:
                raise PluginError(str(error)) from None
            config.site_dir = str(self.staging.path)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.plan is not None
        unsafe = unsafe_author_pages(Path(config.docs_dir), [f.abs_src_path or "" for f in files], self.root)
        for file in [f for f in files if f.abs_src_path in unsafe]:
            files.remove(file)  # a link out of the project, a FIFO: never published
        in_nav = set(_nav_paths(config.nav or []))
        for uri, content in self._render_pages(config).items():
            # a large plan lists only overview pages in the nav; the others are linked from them
            inclusion = InclusionLevel.INCLUDED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            if own := files.get_file_from_path(uri):
                files.remove(own)
                _log_findings(
                    [
                        Finding(
                            shown_path(Path(own.abs_src_path or uri)),
                            1,
                            1,
                            Severity.WARNING,
                            f"this page has the address of a generated page ({uri}) and is left out",
                            "rename it: the plan's own pages take these addresses",
                            "page-replaced",
                        )
                    ]
                )
            files.append(File.generated(config, uri, content=content, inclusion=inclusion))
        return files

    def _render_pages(self, config: MkDocsConfig) -> dict[str, str]:
        """The generated pages, with the project's template overrides (`<custom_dir>/recovery-plan/`)."""
        assert self.plan is not None
        custom_dir = config.theme.custom_dir
        overrides = Path(custom_dir) / pages.templates.OVERRIDES if custom_dir else None
        try:
            return pages.render(
                self.plan, directory_urls=config.use_directory_urls, overrides=overrides, root=self.root
            )
        except LoadError as error:  # an override that is no regular file of the project
            _log_findings([error.finding])
            raise PluginError("A template override cannot be read: site/ is unchanged.") from None
        except jinja2.TemplateError as error:
            raise PluginError(
                f"{_template_line(error)}a page template failed: {error.message}. Fix "
                "the override, or remove it to use the default (docs/overriding.md)."
            ) from None

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        for folder in ("plans", "contacts"):
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """An author's page keeps only the allowlisted HTML (see generator/sanitize.py)."""
        if page.file.generated_by is not None:
            return html
        source = page.file.content_string
        path = shown_path(Path(page.file.abs_src_path or page.file.src_uri))
        allowed, findings = sanitize.check_page(source, path, html)
        self.page_findings += [f for f in findings if f not in self.reported]
        self.author_html[page.file.dest_uri] = (path, source)
        return allowed

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        output = pwa.inject_head(output, page.url, config)
        return self.private.inject(output, page.url) if self.private else output

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.plan is not None
        site_dir = Path(config.site_dir)
        assert self.sheet is not None
        problems = self.page_findings + self.sheet.write(site_dir)
        ics.write(site_dir, self.plan)
        if self.command != "serve":  # the live preview's reload script is inline
            csp.write(site_dir)
        pwa.write(site_dir, self.plan, config, preview=self.command == "serve")
        problems += [
            f
            for f in independence.check_site(site_dir, self.plan, self.author_html)
            if f not in self.reported
        ]  # an author page's: validation said it
        _log_findings(problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise PluginError(f"{len(errors)} error(s) while building the site: site/ is unchanged.")
        if self.private:
            self.private.seal(site_dir, config)
        final = self.staging.final if self.staging else site_dir
        if self.staging is not None:
            staging, self.staging = self.staging, None
            staging.commit()
        if self.private:
            sheet = shown_path(self.private.write_sheet(final))
            log.info(
                f"The printed sheet, with its unlock code, is in {sheet}/: print it for the "
                "binder; never publish it."
            )

    def _private_build(self, plan: Plan) -> private.PrivateBuild | None:
        """A private plan's build (not for the live preview, which stays on this computer);
        refused, before anything is built, without a good passphrase."""
        try:
            return private.start(plan) if self.command != "serve" else None
        except private.PassphraseProblem as problem:
            raise PluginError(
                f"{shown_path(plan.root / 'plans' / 'plan.yaml')}: error: {problem}. "
                "Nothing was built; the previous site is unchanged."
            ) from None

    def on_build_error(self, *, error: Exception) -> None:
        self._discard()

    def on_shutdown(self) -> None:
        self._discard()  # e.g. after Ctrl-C, which is no build error

    def _discard(self) -> None:
        if self.staging is not None:
            staging, self.staging = self.staging, None
            staging.discard()


def set_theme_language(config: MkDocsConfig, plan: Plan) -> None:
    """Material's own words (search, buttons), `<html lang>` and the text direction in the
    plan's language; the colour-scheme toggles' labels too, unless the project renamed them."""
    t = i18n.translator(plan.site.language)
    config.theme["language"] = t.code
    english = i18n.translator()
    palette = config.theme.get("palette")
    for scheme in palette if isinstance(palette, list) else [palette] if palette else []:
        toggle = scheme.get("toggle") if isinstance(scheme, dict) else None
        for key in ("theme.to_dark", "theme.to_light"):
            if isinstance(toggle, dict) and toggle.get("name") == english.plain(key):
                toggle["name"] = t(key)


def _nav_paths(nav: list[Any]) -> Iterator[str]:
    """Every page path named in a MkDocs `nav` structure."""
    for item in nav:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, list):
                yield from _nav_paths(value)
            elif isinstance(value, str):
                yield value


def _template_line(error: jinja2.TemplateError) -> str:
    """ "file:line: " of the template where `error` happened (Jinja's traceback names it)."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename}:{error.lineno}: "
    where, frame = "", error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename.endswith(".html"):
            where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}: "
        frame = frame.tb_next
    return where


def _log_findings(findings: list[Finding]) -> None:
    for finding in findings:
        (log.error if finding.severity is Severity.ERROR else log.warning)(str(finding))
