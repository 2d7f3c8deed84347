"""OCPP certification directory: a Pelican plugin.

The pipeline, one package a concern: :mod:`.model` reads and checks the records
against the program's rules; :mod:`.outputs` turns them into pages, search
files, open data, QR codes, logos and labels; :mod:`.engine` decides what must
be rebuilt and keeps what need not be; :mod:`.pipeline` runs one build through
Pelican; :mod:`.publishing` puts a built site live. :mod:`.cli` is the command
line (``python -m ocpp_directory``).

Nothing is imported here: the command line's up-to-date check runs before
Pelican and the renderers are loaded, and may not need them.
"""


def _generators(pelican):
    """Pelican's get_generators receiver: the generator bound to our build, if one started Pelican."""
    from .pipeline.generator import DirectoryGenerator

    return getattr(pelican, "ocpp_generator", DirectoryGenerator)


def _languages(generator) -> None:
    """Every generator's Jinja environment (Pelican's content pages too) speaks the page's language."""
    env = getattr(generator, "env", None)
    if env is not None:
        from .pipeline.languages import install

        install(env)


def register() -> None:
    from pelican import signals

    signals.get_generators.connect(_generators)
    signals.generator_init.connect(_languages)
