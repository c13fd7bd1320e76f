"""The wheelhouse: built, repaired wheels for one interpreter and the index naming them by id.

``<workdir>/wheelhouse/<python tag>/index.json``::

    {"schema": 1, "python_tag": "cp312", "platform": "linux",
     "wheels": {"libfoo": {"file": "libfoo-1.0-py3-none-manylinux_2_5_x86_64.whl",
                           "dist": "libfoo", "version": "1.0", "role": "producer",
                           "sha256": "..."}},
     "prefixes": {"libfoo-system": "prefixes/libfoo-system"}}

Scenarios, the conda channel and tests name wheels by id (``Wheelhouse.wheel("pyfoo")``),
never by file name.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

INDEX = "index.json"
SCHEMA = 1


class WheelhouseError(LookupError):
    """A wheelhouse, or a wheel or prefix in it, is missing or unreadable."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class WheelEntry:
    file: str
    dist: str
    version: str
    role: str
    sha256: str


@dataclass
class Wheelhouse:
    """The wheels and prefixes built for one interpreter, by id."""

    directory: Path
    python_tag: str
    platform: str
    wheels: dict[str, WheelEntry] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    """Prefix id -> directory relative to the wheelhouse."""

    @classmethod
    def load(cls, directory: Path) -> Wheelhouse:
        """Read ``directory/index.json``."""
        index = Path(directory) / INDEX
        if not index.is_file():
            raise WheelhouseError(
                f"no wheelhouse index at {index}; run `harness build` (with the same --workdir "
                "and --python) first"
            )
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            if data.get("schema") != SCHEMA:
                raise ValueError(f"schema {data.get('schema')!r}, expected {SCHEMA}")
            wheels = {key: WheelEntry(**value) for key, value in data["wheels"].items()}
            return cls(
                directory=Path(directory),
                python_tag=str(data["python_tag"]),
                platform=str(data["platform"]),
                wheels=wheels,
                prefixes={key: str(value) for key, value in data["prefixes"].items()},
            )
        except (ValueError, KeyError, TypeError) as error:
            raise WheelhouseError(
                f"{index} is not a wheelhouse index ({error}); delete it and run `harness build`"
            ) from error

    def _missing(self, kind: str, item_id: str, known: list[str]) -> WheelhouseError:
        return WheelhouseError(
            f"{kind} {item_id!r} is not in the wheelhouse {self.directory} "
            f"(it has: {', '.join(sorted(known)) or 'nothing'}); run `harness build`"
        )

    def entry(self, wheel_id: str) -> WheelEntry:
        if wheel_id not in self.wheels:
            raise self._missing("wheel", wheel_id, list(self.wheels))
        return self.wheels[wheel_id]

    def wheel(self, wheel_id: str) -> Path:
        """The wheel file for ``wheel_id`` (``"pyfoo-twin"``)."""
        path = self.directory / self.entry(wheel_id).file
        if not path.is_file():
            raise WheelhouseError(f"wheel {wheel_id!r}: {path} is listed in {INDEX} but missing")
        return path

    def prefix(self, prefix_id: str) -> Path:
        """The install prefix for ``prefix_id`` (``"libfoo-system"``)."""
        if prefix_id not in self.prefixes:
            raise self._missing("prefix", prefix_id, list(self.prefixes))
        path = self.directory / self.prefixes[prefix_id]
        if not path.is_dir():
            raise WheelhouseError(f"prefix {prefix_id!r}: {path} is listed in {INDEX} but missing")
        return path

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "python_tag": self.python_tag,
            "platform": self.platform,
            "wheels": {key: asdict(value) for key, value in sorted(self.wheels.items())},
            "prefixes": dict(sorted(self.prefixes.items())),
        }

    def write(self) -> None:
        """Write the index atomically (readers see the old or the new one, never half)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        write_json(self.directory / INDEX, self.to_json())


def write_json(path: Path, document: object) -> None:
    """Write ``document`` as JSON to ``path`` atomically, through a scratch file beside it."""
    # a scratch name of its own per writer (process and thread): two writers never share one
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    scratch.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    scratch.replace(path)
