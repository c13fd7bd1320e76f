"""Scenarios as directories: the ``scenario.toml`` schema, cells, expectation checks, commands.

``parse`` reads and validates files into ``schema`` objects, ``cells`` expands them
into the matrix, ``runner`` turns a cell into evidence, ``expectations`` compares.
"""
