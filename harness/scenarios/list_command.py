"""``harness list``: the scenarios and the cells they expand to (no building, no running)."""

from __future__ import annotations

import argparse
import sys

from harness import platforms
from harness.scenarios import options, parse
from harness.scenarios.cells import expand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_selection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    root = options.scenarios_root(args)
    broken: list[parse.ScenarioError] = []
    scenarios = parse.load_all(root, on_error=broken.append)
    selection = options.selection(args)
    here = platforms.current().name
    total = 0
    for scenario in scenarios:
        cells = expand(scenario, selection)
        if not cells:
            continue
        note = "" if scenario.applies_to(here) else f"  (not applicable on {here})"
        print(f"{scenario.name}: {scenario.summary}")
        print(f"  platforms: {', '.join(scenario.platforms)}{note}")
        if scenario.is_native:
            print(f"  loaders: {', '.join(scenario.loaders)} (native cells of the others: n/a)")
        else:
            print(f"  locations: {', '.join(scenario.locations) or '-'}")
            if scenario.libcs != ("glibc",) and "linux" in scenario.platforms:
                print(f"  libc (Linux): {', '.join(scenario.libcs)}")
        for cell in cells:
            print(f"    {cell.name}")
        total += len(cells)
    print(f"{total} cells in {len(scenarios)} scenarios under {root}")
    for error in broken:
        print(f"error: {error}", file=sys.stderr)
    return 1 if broken else 0
