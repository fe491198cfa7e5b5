"""The pure dosing core: stdlib + pint only, never Qt (enforced by import-linter and tests).

Entry point: :func:`ixempra_gui.core.calculator.calculate`.
"""
