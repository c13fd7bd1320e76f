"""The ``conda`` provider: a real conda prefix (py-rattler on the local channel, or a real conda).

The prefix holds ``python`` (whose executable carries ``DT_RPATH $ORIGIN/../lib``),
``pip`` and the conda packages a scenario asks for (``"libfoo 1.*"``, ``"libfoo 2.*"``);
wheels are installed with the prefix's own pip, as conda users do. Locations: ``site``
is the prefix's site-packages, ``conda-lib`` is where conda keeps shared libraries
(``$CONDA_PREFIX/lib``; ``Library\\bin`` on Windows). Processes start with what
``conda activate`` sets where it matters for loading: ``CONDA_PREFIX`` and the
prefix's script directories in front of ``PATH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness import platforms
from harness.conda import conda_paths
from harness.conda import prefix as conda_prefix
from harness.conda.errors import CondaError
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.vocabulary import CONDA_LIB, SITE, Installer
from harness.workdir import WorkDir

PREFIX_DIR = "conda"


class CondaProvider:
    """The base of ``conda`` layouts: a conda prefix from the local channel (or a real
    conda tool), ``CondaProvider(workdir, conda_packages=["libfoo 1.*"])``."""

    kind = "conda"
    workdir: WorkDir  # always set: the channel and templates live in it
    relocatable = True
    """A hard-linked copy still works: python finds its prefix from its own path and
    ``$ORIGIN`` follows the copy. Shebangs and ``_sysconfigdata`` in a copy still name
    the template; cells run ``python -m pip`` and never build against the prefix."""

    def __init__(
        self,
        workdir: WorkDir | None = None,
        *,
        conda_packages: Sequence[str] = (),
        libfoo_source: Path | None = None,
        backend: conda_prefix.Backend = "auto",
    ) -> None:
        self.conda_packages = tuple(sorted(conda_packages))
        self.workdir = workdir or WorkDir()
        self.libfoo_source = libfoo_source
        self.backend: conda_prefix.Backend = backend

    def fingerprint(self, python: Path) -> str:
        try:
            key, kind, _tool = conda_prefix.template_key(
                python,
                self.conda_packages,
                libfoo_source=self.libfoo_source,
                backend=self.backend,
            )
        except CondaError as error:
            raise LayoutError(f"conda layout: {error}") from error
        return f"conda-{kind}-{key}"

    def create_base(
        self,
        root: Path,
        python: Path,
        *,
        installer: Installer,
        user_site: bool,
        run: CommandRunner,
    ) -> Layout:
        try:
            made = conda_prefix.create_prefix(
                self.workdir,
                python,
                root / PREFIX_DIR,
                self.conda_packages,
                libfoo_source=self.libfoo_source,
                backend=self.backend,
            )
        except CondaError as error:
            raise LayoutError(f"conda layout: {error}") from error
        platform = platforms.current()
        return Layout(
            kind=self.kind,
            root=root,
            python=made.python,
            locations={
                SITE: made.site_packages,
                CONDA_LIB: conda_paths.library_dir(made.path, platform),
            },
            env={
                "CONDA_PREFIX": str(made.path),
                "CONDA_DEFAULT_ENV": str(made.path),
                "CONDA_SHLVL": "1",
            },
            path_prepends={"PATH": [str(d) for d in conda_paths.path_dirs(made.path, platform)]},
            platform=platform,
        )
