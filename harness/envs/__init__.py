"""Environment providers: the layouts wheels are installed into (venv, --target, user site, conda...).

Use :func:`harness.envs.layouts.make_layout` with a :class:`~harness.envs.layouts.LayoutSpec`;
the interface types live in :mod:`harness.envs.layout`.
"""
