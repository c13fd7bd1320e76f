"""The location registry: one module per wheel location, the protocol written once."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

from harness.envs import locations
from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec
from harness.envs.location import Location
from harness.installs import InstallRequest
from harness.vocabulary import BASE, EDITABLE, SITE, TARGET, WHEEL_LOCATIONS


def test_every_wheel_location_has_one_module_and_every_module_is_registered() -> None:
    assert sorted(locations.LABELS) == sorted(WHEEL_LOCATIONS)
    modules = [m.name for m in pkgutil.iter_modules(locations.__path__)]
    assert len(modules) == len(locations.ORDER)
    for location in locations.ORDER:
        assert isinstance(location, Location)
        assert type(location).__module__.rpartition(".")[2] in modules


def test_the_registry_order_is_the_layouts_and_site_comes_first() -> None:
    assert locations.ORDER[0].label == SITE
    picked = locations.in_order([TARGET, EDITABLE, SITE])
    assert [loc.label for loc in picked] == [SITE, TARGET, EDITABLE]


def test_relocatable_comes_from_the_locations() -> None:
    not_relocatable = {loc.label for loc in locations.ORDER if not loc.relocatable}
    assert not_relocatable == {BASE, EDITABLE}
    python = Path("/nonexistent/python")
    assert LayoutSpec(python=python, locations=(TARGET,)).relocatable()
    # negative control: one location that holds absolute paths makes the layout stay put
    assert not LayoutSpec(python=python, locations=(TARGET, BASE)).relocatable()


def test_an_unknown_label_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match=r"location 'attic'.*one of base, editable"):
        locations.get("attic")
    wheel = tmp_path / "x-1.0-py3-none-any.txt"
    wheel.write_text("", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"is not a \.whl file"):
        locations.get(TARGET).check(InstallRequest(TARGET, [wheel]))
