"""recovery-plan: a disaster-recovery plan kept as YAML, built into an offline website and a printed sheet."""

__version__ = "0.1.0"
