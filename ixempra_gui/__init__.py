"""Ixempra (ixabepilone) dosing workstation.

Kept import-light on purpose: the CLI and the core must start without Qt.
"""

__version__ = "0.1.0"
APP_NAME = "Ixempra dosing workstation"
