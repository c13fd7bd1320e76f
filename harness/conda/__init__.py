"""Real conda prefixes without a conda channel: a local channel built on this machine.

The channel holds a ``python`` package made from a CPython installation (relocated,
``DT_RPATH $ORIGIN/../lib`` like conda-forge's), a ``pip`` package and ``libfoo``
packages built with CMake from ``wheels-src/libfoo``. py-rattler indexes the channel,
solves and installs prefixes; a cached template prefix is cloned with hard links so a
warm cell is cheap. When a real conda/mamba/micromamba can reach a channel, it makes
the prefix with conda-forge's ``python`` instead (:mod:`harness.conda.external`).
"""
