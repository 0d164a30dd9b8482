"""Imported first by the printed sheet's fork server (`printsheet.prepare`): the server ends
with the build that started it, even while it is still loading WeasyPrint."""

from generator import lifetime

lifetime.end_with_parent()
