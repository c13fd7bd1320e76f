"""``harness check --sandbox``: the code of the wheels under test runs without the network,
the home directory and the user's files, and the loader evidence is the same as outside.

A hostile wheel, written here, sits beside the project's libfoo/pyfoo family. Its ``.pth``
file (run by every interpreter of the venv) and its package (imported as a step) each try
to connect to a TCP listener this test opens on 127.0.0.1, to write into ``$HOME`` and next
to the work dir, and to read a file outside the work dir in a directory the sandbox does
not bind. Sandboxed, all of it fails and the check still gives its verdict; with
``--sandbox off`` (the negative control) all of it succeeds.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from check_testlib import wheel_of_files

from harness import platforms, sandbox
from harness.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux", reason="the sandbox uses Linux namespaces (bwrap)"
    ),
]

ATTACK = """
import json, os, socket

def attack(stage):
    found = {}
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=5).close()
        found["connect"] = "ok"
    except OSError as error:
        found["connect"] = repr(error)
    for key, path in (("home", os.path.join(os.path.expanduser("~"), "hostile-" + stage)),
                      ("real-home", os.path.join(REAL_HOME, "hostile-" + stage)),
                      ("sibling", os.path.join(SIBLING_DIR, "hostile-" + stage))):
        try:
            with open(path, "w") as stream:
                stream.write(stage)
            found[key] = "ok"
        except OSError as error:
            found[key] = repr(error)
    try:
        with open(SECRET) as stream:
            found["read"] = stream.read()
    except OSError as error:
        found["read"] = repr(error)
    with open("hostile-" + stage + "-" + str(os.getpid()) + ".json", "w") as stream:
        json.dump(found, stream)   # the cwd: the cell directory, writable in the sandbox
"""


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP listener on 127.0.0.1: its port and the peers that connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    peers: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            peers.append(str(peer))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], peers
    stop.set()
    thread.join()
    server.close()


def _hostile(directory: Path, port: int, home: Path, sibling: Path, secret: Path) -> Path:
    constants = (
        f"PORT = {port}\nREAL_HOME = {str(home)!r}\nSIBLING_DIR = {str(sibling)!r}\n"
        f"SECRET = {str(secret)!r}\n"
    )
    return wheel_of_files(
        directory,
        "hostile",
        {
            "hostile_hook.py": constants + ATTACK + "\nattack('pth')\n",
            "hostile.pth": "import hostile_hook\n",
            "hostile/__init__.py": "from hostile_hook import attack\nattack('import')\n",
        },
    )


def _needs_sandbox() -> None:
    chosen, reason = sandbox.availability()
    if chosen is None:
        pytest.skip(f"no sandbox here: {reason}")


def _reports(workdir: Path) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {"pth": [], "import": []}
    for path in sorted(workdir.rglob("hostile-*.json")):
        found[path.name.split("-")[1]].append(json.loads(path.read_text()))
    return found


def test_hostile_wheel_fails_at_everything_sandboxed_and_succeeds_without(
    tmp_path: Path,
    family_dir: Callable[..., Path],
    listener: tuple[int, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _needs_sandbox()
    port, peers = listener
    home, secret = tmp_path / "home", tmp_path / "private" / "secret.txt"
    home.mkdir()
    secret.parent.mkdir()
    secret.write_text("s3cret")
    monkeypatch.setenv("HOME", str(home))
    family = family_dir("libfoo", "pyfoo")
    outcomes: dict[str, tuple[int, dict[str, Any], list[str]]] = {}
    for mode in ("on", "off"):
        workdir = tmp_path / mode / "work"
        workdir.mkdir(parents=True)
        _hostile(family, port, home, workdir.parent, secret)
        reports = tmp_path / mode / "reports"
        args = ["--workdir", str(workdir), "check", str(family), "--layout", "venv"]
        status = main(
            [
                *args,
                "--import",
                "pyfoo._pyfoo",
                "--import",
                "hostile",
                "--sandbox",
                mode,
                "--report-dir",
                str(reports),
            ]
        )
        (cell,) = json.loads((reports / "report.json").read_text())["cells"]
        outcomes[mode] = (status, cell, capsys.readouterr().out.splitlines())
        seen = _reports(workdir)
        assert seen["pth"] and seen["import"], (mode, seen)  # the code did run
        attempts = [attempt for stage in seen.values() for attempt in stage]
        written = sorted(p.name for p in [*home.iterdir(), *workdir.parent.glob("hostile-*")])
        if mode == "on":
            assert peers == [], peers
            assert written == []
            for attempt in attempts:
                assert attempt["connect"] != "ok" and attempt["real-home"] != "ok", attempt
                assert "s3cret" not in attempt["read"] and "Error" in attempt["read"], attempt
        else:  # the negative control: every attempt succeeds
            assert len(peers) >= 2
            assert {"hostile-pth", "hostile-import"} <= set(written)
            for attempt in attempts:
                assert set(attempt.values()) == {"ok", "s3cret"}, attempt
        for path in [*home.iterdir(), *workdir.parent.glob("hostile-*")]:
            path.unlink()
        peers.clear()

    for mode, (status, cell, out) in outcomes.items():
        # the verdict is given either way, and says how the cell ran
        assert status == 0 and cell["status"] == "passed", (mode, out)
        assert cell["sandboxed"] is (mode == "on")
        assert out[0] == f"sandbox: {mode}"
        (row,) = [line for line in out if line.strip().startswith("venv ")]
        assert row.endswith(", sandboxed" if mode == "on" else ", not sandboxed"), row
    # the loader evidence is the same inside and outside
    on, off = outcomes["on"][1], outcomes["off"][1]
    assert on["libraries"] == off["libraries"] and on["libraries"]["libfoo"]
    assert on["expectations"] == off["expectations"]


def test_sandbox_on_where_there_is_none_is_a_one_line_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--sandbox on`` without bwrap: exit 2 naming the reason; ``auto`` runs unsandboxed
    and says why (the control: the same command with ``auto`` is no usage error)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    sandbox.availability.cache_clear()
    try:
        status = main(["--workdir", str(tmp_path / "w"), "check", str(tmp_path), "--sandbox", "on"])
        err = capsys.readouterr().err.strip().splitlines()
        assert status == 2
        assert err == [
            "harness check: --sandbox on: bwrap (bubblewrap) is not on PATH; install it "
            "(Debian: apt install bubblewrap)"
        ]
        assert not (tmp_path / "w").exists()  # nothing left behind
        with sandbox.using("auto") as chosen:
            assert chosen is None
        with pytest.raises(sandbox.SandboxUnavailableError, match="bwrap"), sandbox.using("on"):
            pass
    finally:
        sandbox.availability.cache_clear()
