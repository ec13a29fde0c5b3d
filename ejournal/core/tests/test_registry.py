"""The extension points of ``core.registry``: each has its providers, and only real ones."""

from __future__ import annotations

import inspect

import pytest

from ejournal.core import registry
from ejournal.core.tests.test_layers import LAYERS

# The floors of the house, bottom first: one order for the import test and this one.
FLOOR = {app: n for n, floor in enumerate(LAYERS) for app in floor}


def _app_of(path: str) -> str:
    parts = path.split(".")
    assert parts[0] == "ejournal", path
    return parts[1]


def _shape(function) -> list[tuple[str, inspect._ParameterKind]]:
    parameters = list(inspect.signature(function).parameters.values())
    return [(p.name, p.kind) for p in parameters]


def test_every_extension_point_is_listed_once():
    declared = [
        value for value in vars(registry).values() if isinstance(value, registry.ExtensionPoint)
    ]
    assert sorted(p.name for p in declared) == sorted(p.name for p in registry.ALL)
    assert len({p.name for p in registry.ALL}) == len(registry.ALL)


@pytest.mark.parametrize("point", registry.ALL, ids=lambda p: p.name)
def test_extension_point_has_its_providers_and_no_unknown_ones(point):
    assert point.paths, f"{point.name}: no provider — call it by name or drop the point"
    assert len(set(point.paths)) == len(point.paths), f"{point.name}: a provider twice"
    expected = _shape(point.protocol.__call__)[1:]  # without self
    for path, provider in zip(point.paths, point.providers(), strict=True):
        assert callable(provider), path
        assert _shape(provider) == expected, f"{path}: not {point.protocol.__name__}'s arguments"
        # Inverted on purpose only: a provider at or below the asking app is called by name.
        assert FLOOR[_app_of(path)] > FLOOR[point.asked_by], path
