"""Checks beside editable-srcpkg-redirect: why a loader must not trust ``__file__`` alone.

In the redirect mode libfoo's ``__init__.py`` is the source tree's file, and the source
tree has no ``lib/``: the path a ``__file__``-only loader computes does not exist (the
negative). The directory the producer now uses is the one RECORD lists, in site-packages.
"""

from __future__ import annotations

import json

from harness.envs.layout import Layout

_FIND = """\
import json, os
import libfoo
naive = os.path.join(os.path.dirname(os.path.abspath(libfoo.__file__)), "lib")
print(json.dumps({"file": libfoo.__file__, "naive_lib": naive,
                  "naive_exists": os.path.isdir(naive), "used_lib": libfoo._LIB_DIR}))
"""


def test_init_from_source_tree_library_from_site(scenario_layout: Layout) -> None:
    done = scenario_layout.run(["-c", _FIND])
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert scenario_layout.label_of(found["file"]) == (
        "editable",
        "libfoo-srcpkg/python/libfoo/__init__.py",
    )
    assert found["naive_exists"] is False, found
    assert scenario_layout.label_of(found["used_lib"]) == ("site", "libfoo/lib")
