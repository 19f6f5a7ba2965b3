"""Reading an "Ultron" component graph (the list and detail answers): components are selected by `tag`,
never by their key (its numeric suffix is a CMS id that changes), and shown in the order of
`hierarchy.structure` walked depth-first from `root` — never in the key order of `data.data`. A component
missing from the structure still exists: it comes after the others, in key order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Graph"]


@dataclass(frozen=True)
class Graph:
    """One answer's `data` (the envelope's `data` field): `components`, `hierarchy`, `linkage`, …"""

    data: Mapping[str, Any]

    @property
    def components(self) -> Mapping[str, Any]:
        found = self.data.get("data")
        return found if isinstance(found, Mapping) else {}

    @property
    def structure(self) -> Mapping[str, Any]:
        hierarchy = self.data.get("hierarchy")
        found = hierarchy.get("structure") if isinstance(hierarchy, Mapping) else None
        return found if isinstance(found, Mapping) else {}

    @property
    def root(self) -> str:
        hierarchy = self.data.get("hierarchy")
        return str(hierarchy.get("root", "")) if isinstance(hierarchy, Mapping) else ""

    def display_keys(self) -> list[str]:
        """Every component key in display order: depth-first from root (and from any other structure
        entry root does not reach), then the components the structure does not mention."""
        seen: list[str] = []
        known: set[str] = set()
        starts = [self.root, *self.structure.keys()] if self.root else list(self.structure.keys())
        for start in starts:
            self._walk(start, seen, known)
        return [k for k in seen if k in self.components] + [k for k in self.components if k not in known]

    def _walk(self, key: str, seen: list[str], known: set[str]) -> None:
        stack = [key]
        while stack:
            current = stack.pop()
            if current in known:
                continue
            known.add(current)
            seen.append(current)
            children = self.structure.get(current)
            if isinstance(children, list):
                stack.extend(reversed([str(c) for c in children]))

    def tagged(self, tag: str) -> list[tuple[str, Mapping[str, Any]]]:
        """(key, component) of every component with `tag`, in display order."""
        out = []
        for key in self.display_keys():
            comp = self.components.get(key)
            if isinstance(comp, Mapping) and comp.get("tag") == tag:
                out.append((key, comp))
        return out

    def first(self, tag: str) -> tuple[str, Mapping[str, Any]] | None:
        found = self.tagged(tag)
        return found[0] if found else None

    def fields(self, tag: str) -> Mapping[str, Any]:
        """The `fields` of the first component with `tag` ({} when there is none)."""
        found = self.first(tag)
        value = found[1].get("fields") if found else None
        return value if isinstance(value, Mapping) else {}
