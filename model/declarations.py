"""The kinds of declaration the registries hold: income sources, county outputs, registries.

:mod:`model.registry` declares the entries; this module defines what an entry is and the
registry that holds them, so that the declarations fit in one readable module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


@dataclass(frozen=True)
class Source:
    """One source of income.

    Attributes:
        name: Identifier, used in column names (``income_<name>``, ``collective_<name>``).
        en: English label.
        zh: Chinese label.
        colour: Colour in figures (hex).
        description: What the source holds.
    """

    name: str
    en: str
    zh: str
    colour: str
    description: str

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (``en`` or ``zh``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Output:
    """One measure of the county-by-year table (``county_yearly``).

    Attributes:
        name: Column name.
        en: English label.
        zh: Chinese label.
        unit: Unit of the values.
        description: What the measure is.
        compared: Compared across scenarios (one of the runner's ``COUNTY_MEASURES``).
        final: Part of a run's final-year summary (``run --json``).
        value: How a mechanism's own measure is computed from the model at year end, before
            the books close; the recorder computes the built-in measures itself.
    """

    name: str
    en: str
    zh: str
    unit: str
    description: str
    compared: bool = True
    final: bool = False
    value: Callable[[JointVillageModel], float] | None = None

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (``en`` or ``zh``)."""
        return self.zh if lang == "zh" else self.en


class Declaration(Protocol):
    """What a registry holds: anything with a name."""

    @property
    def name(self) -> str:
        """Identifier of the entry."""
        ...


T = TypeVar("T", bound=Declaration)


class Registry(Generic[T]):  # noqa: UP046 - one explicit type variable reads more plainly
    """An ordered collection of declarations, keyed by name.

    Args:
        kind: What the entries are, for messages (e.g. ``"household income source"``).
        entries: The built-in entries, in order.
    """

    def __init__(self, kind: str, entries: tuple[T, ...] = ()) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: T) -> T:
        """Add an entry; a second entry of the same name is an error.

        Returns:
            The entry, so that a module can write ``TOURISM = REGISTRY.register(...)``.
        """
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} {entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove an entry (tests that register a temporary one)."""
        del self._entries[name]

    @contextmanager
    def registered(self, entry: T) -> Iterator[T]:
        """Register an entry for the duration of a ``with`` block."""
        self.register(entry)
        try:
            yield entry
        finally:
            self.unregister(entry.name)

    def names(self) -> tuple[str, ...]:
        """Names in declaration order."""
        return tuple(self._entries)

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)
