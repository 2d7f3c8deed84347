"""Units: what a build renders together, from which inputs, into which files.

A unit is rendered unless the last build made it from the same key (see
:class:`..engine.incremental.Plan`); the files it writes are recorded under
its name, so the commit knows what each unit owns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..engine import incremental
from ..outputs import i18n

#: render() -> the unit's meta (kept with it in the manifest), or None
Render = Callable[[], dict | None]


class Units:
    """Renders units into ``output`` and records each unit's files in ``plan``.

    ``write_page(name, template, **values)`` writes one templated page (the
    generator's Pelican writer); bytes are written directly."""

    def __init__(self, plan: incremental.Plan, output: Path, write_page: Callable[..., None],
                 languages: tuple[str, ...] = ("en",)):
        self.plan = plan
        self.output = output
        self._write_page = write_page
        self.languages = languages
        self.files: list[str] = []

    def unit(self, name: str, key: str, render: Render) -> dict:
        """Render unit ``name`` unless the last build made it from the same key; its meta."""
        kept = self.plan.kept_unit(name, key)
        if kept is not None:
            return kept["meta"]
        return self.render(name, key, render)

    def render(self, name: str, key: str, render: Render) -> dict:
        """Render unit ``name`` now (the caller knows it is due); its meta."""
        self.files = []
        meta = render() or {}
        self.plan.add(name, key, self.files, meta)
        return meta

    def page(self, name: str, template: str, **values) -> None:
        """Write page ``name`` from ``template`` in every language (English at ``name``, Korean at
        ``ko/<name>``), as part of the unit being rendered."""
        for lang in self.languages:
            self.templated(i18n.prefix(lang) + name, template, lang, **values)

    def templated(self, path: str, template: str, lang: str, **values) -> None:
        """Write file ``path`` from ``template`` in ``lang``, as part of the unit being rendered."""
        self.files.append(path)
        self._write_page(path, template, lang=lang, **values)

    def bytes(self, name: str, data: bytes) -> None:
        """Write file ``name``, as part of the unit being rendered."""
        self.pieces(name, (data,))

    def pieces(self, name: str, data: Iterable[bytes]) -> None:
        """Write file ``name`` a piece at a time (a file too large to hold whole in memory), as part of
        the unit being rendered."""
        self.files.append(name)
        path = Path(self.output, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            for piece in data:
                handle.write(piece)
