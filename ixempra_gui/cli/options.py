"""The one exception an ixempra-journal command raises for an option it refuses (its message
names the option and what is accepted; ``cli.journal.main`` says it and exits 2). A module of
its own, so that every command module raises the class ``main`` catches, also when the CLI
runs as ``python -m ixempra_gui.cli.journal`` (whose module is then ``__main__``)."""

from __future__ import annotations


class OptionError(ValueError):
    """An option's value is refused; the message names the option and what is accepted."""
