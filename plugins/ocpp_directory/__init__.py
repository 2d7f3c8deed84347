"""OCPP certification directory: a Pelican plugin.

The pipeline, one module a step: :mod:`loader` reads a record file strictly,
:mod:`program` reads the certification program's rules, :mod:`records` checks
one record against them, :mod:`directory` checks records together and models
vendors and devices, :mod:`pages` renders the site. :mod:`cli` is the command
line (``python -m ocpp_directory``).

Nothing is imported here: the command line's up-to-date check runs before
Pelican and the renderers are loaded (a third of a second), and may not need them.
"""


def _generators(pelican):
    from .pages import DirectoryGenerator

    return DirectoryGenerator


def register() -> None:
    from pelican import signals

    signals.get_generators.connect(_generators)
