"""Options of the `recovery-plan` MkDocs plugin (``plugins: - recovery-plan: {...}`` in mkdocs.yml)."""

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config


class RecoveryPlanConfig(Config):
    root = opt.Type(str, default=".")  # project root holding plans/ and contacts/, relative to mkdocs.yml
    today = opt.Optional(opt.Type(str))  # YYYY-MM-DD; also RECOVERY_PLAN_TODAY
    strict = opt.Type(bool, default=False)  # warnings fail the build
    atomic = opt.Type(bool, default=True)  # build into a temporary folder, then swap it into place
