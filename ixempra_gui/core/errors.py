"""Domain errors. They subclass ValueError (as pint's do) so callers may catch either."""

from __future__ import annotations


class FieldError(ValueError):
    """One input field is unusable; the message names the field and says what is accepted."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message
