"""OCPP certification directory: a Pelican plugin.

The pipeline, one module a step: :mod:`loader` reads a record file strictly,
:mod:`program` reads the certification program's rules, :mod:`records` checks
one record against them, :mod:`directory` checks records together and models
vendors and devices, :mod:`pages` renders the site. :mod:`cli` is the command
line (``python -m ocpp_directory``).
"""

from pelican import signals

from .pages import DirectoryGenerator


def _generators(pelican):
    return DirectoryGenerator


def register() -> None:
    signals.get_generators.connect(_generators)
