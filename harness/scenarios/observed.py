"""What a probe run showed, in the terms scenario expectations are written in.

The probe's evidence (:class:`harness.evidence.Evidence`) names machine paths;
scenarios name location labels. :func:`observe` joins the two: each loaded object
gets its ``label:relative/path`` origin (``other:<path>`` outside every location).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.evidence import Evidence, StepOutcome, locator
from harness.vocabulary import OUTSIDE, library_base


@dataclass(frozen=True)
class Located:
    """One loaded object and where it came from."""

    path: str
    origin: str
    """``site:libfoo/lib/libfoo.so.1`` or ``other:/usr/lib/...``."""
    identities: dict[str, str | None]
    """``{function: value}`` for the identity functions this object itself defines."""

    @property
    def label(self) -> str:
        return self.origin.split(":", 1)[0]

    @property
    def in_layout(self) -> bool:
        return self.label != OUTSIDE


@dataclass(frozen=True)
class Observed:
    evidence: Evidence
    loaded: list[Located]

    def step(self, step_id: str) -> StepOutcome | None:
        return next((s for s in self.evidence.steps if s.id == step_id), None)

    def copies_of(self, library: str) -> list[Located]:
        """Loaded copies of ``library`` (``"libfoo"``), repair-tool mangled ones included."""
        paths = {obj.path for obj in self.evidence.copies_of(library_base(library))}
        return [obj for obj in self.loaded if obj.path in paths]

    def origin(self, path: str) -> str:
        """The origin of a loaded object's path (the path itself when it is not loaded)."""
        return next((obj.origin for obj in self.loaded if obj.path == path), path)

    def located(self) -> list[Located]:
        """Loaded objects that live under one of the layout's locations."""
        return [obj for obj in self.loaded if obj.in_layout]


def observe(
    evidence: Evidence,
    locations: Mapping[str, Path],
    extra_dirs: Mapping[str, list[Path]] | None = None,
    *,
    host_path: Callable[[str], Path | None] | None = None,
) -> Observed:
    """Label every loaded object of ``evidence`` with its location.

    ``host_path`` maps an evidence path to the host file first (Wine's ``Z:\\...`` paths:
    :func:`harness.native.wine.to_host`); a path it cannot map is outside every location.
    """
    identities: dict[str, dict[str, str | None]] = {}
    for record in evidence.identities:
        identities.setdefault(record.path, {})[record.function] = record.value

    find = locator(locations, extra_dirs)

    def origin(path: str) -> str:
        host: Path | str | None = path if host_path is None else host_path(path)
        found = None if host is None else find(host)
        return f"{OUTSIDE}:{path}" if found is None else f"{found[0]}:{found[1]}"

    loaded = [
        Located(
            path=obj.path,
            origin=origin(obj.path),
            identities=identities.get(obj.path, {}),
        )
        for obj in evidence.loaded
    ]
    return Observed(evidence=evidence, loaded=loaded)
