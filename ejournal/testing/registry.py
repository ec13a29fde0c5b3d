"""Tests put their own providers on an extension point (``core.registry``) for one test."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from ejournal.core import registry


def providers_set(
    monkeypatch, point: registry.ExtensionPoint[Any], *providers: Callable, keep: bool = False
) -> None:
    """Point ``point`` at ``providers`` (after its own ones with ``keep``) until the test
    ends. The providers are held by this module, so closures work as well."""
    here = sys.modules[__name__]
    paths = []
    for index, provider in enumerate(providers):
        name = f"_{point.name}_{index}"
        monkeypatch.setattr(here, name, provider, raising=False)
        paths.append(f"{__name__}.{name}")
    replaced = dataclasses.replace(point, paths=(*point.paths, *paths) if keep else tuple(paths))
    attribute = next(k for k, v in vars(registry).items() if v is point)
    monkeypatch.setattr(registry, attribute, replaced)
