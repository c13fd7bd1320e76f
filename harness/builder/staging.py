"""The staging copy a variant is built from: the project's files plus a rewritten pyproject.toml.

A variant (``libfoo 2.0``, ``pyfoo-twin``...) needs another distribution name or version
than the project declares, and CMake options. The builder copies the project into a
scratch directory and writes a ``pyproject.toml`` with those keys replaced, so the staged
project is an ordinary, self-describing PEP 517 project (``pip wheel <stage>`` rebuilds
the same variant by hand).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from harness.builder import tomlwrite
from harness.builder.catalogue import WheelSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PYPROJECT = "pyproject.toml"
_IGNORED_DIRS = {"build", "dist", "__pycache__", ".git", ".pytest_cache"}
_IGNORED_SUFFIXES = {".pyc", ".pyo", ".so", ".whl"}


class ProjectError(ValueError):
    """A project under wheels-src/ is missing or its pyproject.toml cannot be used."""


def project_dir(wheels_src: Path, spec: WheelSpec) -> Path:
    """The project directory of ``spec``, checked to be a PEP 517 project."""
    directory = wheels_src / spec.project
    if not (directory / PYPROJECT).is_file():
        raise ProjectError(
            f"wheel {spec.id!r}: {directory / PYPROJECT} does not exist; the catalogue "
            f"(harness/builder/catalogue.py) expects a PEP 517 project in wheels-src/{spec.project}"
        )
    return directory


def source_files(directory: Path) -> Iterator[Path]:
    """The files that make up a project (no build trees, caches or built objects), sorted."""
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part in _IGNORED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix not in _IGNORED_SUFFIXES:
            yield path


def source_digest(directory: Path, spec: WheelSpec) -> str:
    """Hash of the project's files and of the variant's differences (what decides the wheel)."""
    digest = hashlib.sha256()
    for path in source_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    variant = {
        "defines": dict(spec.defines),
        "overrides": [[list(key), value] for key, value in spec.overrides.items()],
    }
    digest.update(json.dumps(variant, sort_keys=True).encode())
    return digest.hexdigest()


def staged_pyproject(original: Mapping[str, object], spec: WheelSpec) -> dict[str, object]:
    """``original`` with the variant's keys replaced and its CMake defines added."""
    data: dict[str, object] = copy.deepcopy(dict(original))
    for key_path, value in spec.overrides.items():
        _set(data, key_path, value, spec)
    if spec.defines:
        existing = _get(data, ("tool", "scikit-build", "cmake", "define"))
        defines = dict(existing) if isinstance(existing, Mapping) else {}
        defines.update(spec.defines)
        _set(data, ("tool", "scikit-build", "cmake", "define"), defines, spec)
    return data


def _get(data: Mapping[str, object], key_path: tuple[str, ...]) -> object:
    node: object = data
    for part in key_path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _set(
    data: dict[str, object], key_path: tuple[str, ...], value: object, spec: WheelSpec
) -> None:
    node = data
    for part in key_path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ProjectError(
                f"wheel {spec.id!r}: cannot set {'.'.join(key_path)} in wheels-src/{spec.project}/"
                f"{PYPROJECT}: {part!r} is not a table"
            )
        node = child
    node[key_path[-1]] = copy.deepcopy(value)


def staged_pyproject_text(directory: Path, spec: WheelSpec) -> str | None:
    """The variant's ``pyproject.toml`` text, or ``None`` when it is the project's own."""
    pyproject = directory / PYPROJECT
    try:
        original = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{pyproject}: invalid TOML: {error}") from error
    if not (spec.overrides or spec.defines):
        return None
    return (
        f"# Staged by harness.builder for wheel id {spec.id!r} from wheels-src/{spec.project}.\n"
        + tomlwrite.dumps(staged_pyproject(original, spec))
    )


def staged_build_system(directory: Path, spec: WheelSpec) -> tuple[str, tuple[str, ...]]:
    """``build-backend`` and ``requires`` of the variant's staged ``pyproject.toml`` (a
    variant may name another backend than the project's own file)."""
    pyproject = directory / PYPROJECT
    try:
        original = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{pyproject}: invalid TOML: {error}") from error
    table = staged_pyproject(original, spec).get("build-system")
    table = table if isinstance(table, dict) else {}
    backend = table.get("build-backend", "setuptools.build_meta:__legacy__")
    requires = table.get("requires", [])
    return str(backend), tuple(str(r) for r in requires) if isinstance(requires, list) else ()


def stage(directory: Path, spec: WheelSpec, destination: Path) -> Path:
    """Copy the project to ``destination`` and write the variant's pyproject.toml there."""
    for path in source_files(directory):
        target = destination / path.relative_to(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    text = staged_pyproject_text(directory, spec)
    if text is not None:
        (destination / PYPROJECT).write_text(text, encoding="utf-8")
    return destination
