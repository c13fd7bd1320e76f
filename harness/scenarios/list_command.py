"""``harness list``: the scenarios and the cells they expand to (no building, no running)."""

from __future__ import annotations

import argparse
import sys

from harness import platforms
from harness.builder import supply
from harness.scenarios import checkout, options, parse
from harness.scenarios.cells import expand
from harness.scenarios.schema import Scenario


def catalogue_problems(scenario: Scenario) -> parse.ScenarioError | None:
    """Wheel and prefix ids neither the catalogue nor the scenario's ``[wheels]`` know
    (they would fail only at run time)."""
    problems: list[parse.Problem] = []
    for index, install in enumerate(scenario.installs):
        unknown = [
            ("wheels", wheel_id)
            for wheel_id in supply.unknown_wheel_ids(install.wheels, scenario.wheel_files)
        ] + [("sdists", wheel_id) for wheel_id in supply.unknown_wheel_ids(install.sdists)]
        for key, wheel_id in unknown:
            problems.append(
                parse.Problem(
                    f"install[{index}].{key}",
                    f"{wheel_id!r} is not a wheel id of the catalogue nor of [wheels]",
                    f"use a wheel id of harness/builder/catalogue.py "
                    f"({', '.join(supply.catalogue_wheel_ids())}) or declare it under [wheels]",
                )
            )
    if scenario.system is not None and not supply.is_prefix_id(scenario.system.prefix):
        problems.append(
            parse.Problem(
                "system.prefix",
                f"{scenario.system.prefix!r} is not a prefix id of the catalogue",
                f"use one of {', '.join(supply.catalogue_prefix_ids())}",
            )
        )
    return parse.ScenarioError(scenario.path, problems) if problems else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_selection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    root = options.scenarios_root(args)
    broken: list[parse.ScenarioError] = []
    loaded = parse.load_all(root, on_error=broken.append)
    broken += parse.lookalikes(root)
    scenarios = []
    unrunnable: list[str] = []  # parse fine, but need a checkout that is not here
    for scenario in loaded:
        problem = catalogue_problems(scenario)
        needs = checkout.problem(scenario)
        if problem is not None:
            broken.append(problem)
        elif needs is not None:
            unrunnable.append(needs)
        else:
            scenarios.append(scenario)
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
    for line in unrunnable:
        print(f"error: {line}", file=sys.stderr)
    return 1 if broken or unrunnable else 0
