"""Checks beside producer-broken: the producer really is installed, only its file is gone.

A broken install, not an absent one: the libfoo package imports and its dist-info
RECORD still lists lib/libfoo.so.1 (so `pip` thinks it is installed), while the file
itself is missing. Only the named file was removed: the wheel's header next to it is
still there.
"""

from __future__ import annotations

import json

from harness.envs.layout import Layout

_FIND = """\
import glob, json, os, sys
import libfoo
here = os.path.dirname(libfoo.__file__)
site = os.path.dirname(here)
record = glob.glob(os.path.join(site, "libfoo-*.dist-info", "RECORD"))
with open(record[0]) as stream:
    listed = [line.split(",")[0] for line in stream]
print(json.dumps({
    "record_lists_library": "libfoo/lib/libfoo.so.1" in listed,
    "library_exists": os.path.exists(os.path.join(here, "lib", "libfoo.so.1")),
    "header_exists": os.path.exists(os.path.join(here, "include", "foo.h")),
}))
"""


def test_producer_installed_but_its_library_missing(scenario_layout: Layout) -> None:
    done = scenario_layout.run(["-c", _FIND])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "record_lists_library": True,
        "library_exists": False,
        "header_exists": True,
    }
