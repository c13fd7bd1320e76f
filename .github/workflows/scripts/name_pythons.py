"""Give each setup-python interpreter on ``PATH`` a ``pythonX.Y`` name (Windows).

setup-python puts every requested version on ``PATH``, but a Windows install only has
``python.exe``; ``harness.interpreters`` looks for ``pythonX.Y``. So each tool-cache
``python.exe`` on ``PATH`` is copied beside itself as ``pythonX.Y.exe``.

Usage: python name_pythons.py   (stdlib only, Python >= 3.9)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

VERSION = "import sys; print('%d.%d' % sys.version_info[:2])"


def main() -> int:
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        exe = Path(directory) / "python.exe"
        if "hostedtoolcache" in directory.lower() and exe.is_file():
            done = subprocess.run([exe, "-c", VERSION], capture_output=True, text=True, check=True)
            named = exe.with_name(f"python{done.stdout.strip()}.exe")
            shutil.copy2(exe, named)
            print(named)
    return 0


if __name__ == "__main__":
    sys.exit(main())
