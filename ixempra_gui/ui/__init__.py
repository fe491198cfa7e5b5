"""The Qt widgets. Everything here renders core results; no dose rule lives in this package."""

from ixempra_gui.ui import import_check as import_check  # first: every later import is cheaper
