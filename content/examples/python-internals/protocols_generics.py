"""Protocol (tipagem estrutural), TypeVar com bound/constraints e um container Generic.

O que observar:
- `Square` e `Circle` não herdam de `HasArea`: basta terem `area()` com a assinatura certa
  para o mypy aceitá-los onde se pede `HasArea` (duck typing checado estaticamente).
- `@runtime_checkable` habilita `isinstance`, mas ele só confere se os *nomes* existem,
  não as assinaturas: `BadCloser.close(self, force)` passa no isinstance.
- `TypeVar(bound=...)` devolve o *mesmo* tipo que entrou (não o bound);
  `TypeVar("S", str, bytes)` (constraints) aceita str ou bytes, mas não mistura os dois.
- `Stack[T]` é um Generic; `Self` (3.11) tipa métodos encadeáveis. Nada disso é checado
  em tempo de execução: empilhar uma str numa `Stack[int]` só é erro para o mypy.
- `overload`: as assinaturas com `@overload` existem só para o type checker (`get("k", "x")`
  é `str`; `get("k")` é `str | None`); em runtime roda a última definição, a sem
  `@overload`. `typing.get_overloads` (3.11) ainda enxerga as duas variantes registradas.
- O arquivo passa em `mypy --strict`.
"""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import (
    Any,
    Generic,
    Protocol,
    Self,
    TypeVar,
    get_overloads,
    overload,
    runtime_checkable,
)


# region: protocol
class HasArea(Protocol):
    def area(self) -> float: ...


@dataclass
class Square:
    side: float

    def area(self) -> float:
        return self.side**2


@dataclass
class Circle:
    radius: float

    def area(self) -> float:
        return math.pi * self.radius**2


def total_area(shapes: Iterable[HasArea]) -> float:
    return sum(s.area() for s in shapes)


print(round(total_area([Square(2), Circle(1)]), 2))  # nenhum herda de HasArea
# endregion: protocol


# region: runtime-checkable
from typing import Protocol, runtime_checkable  # noqa: F811 (a região roda sozinha)


@runtime_checkable
class Closer(Protocol):
    def close(self) -> None: ...


class File:
    def close(self) -> None:
        pass


class BadCloser:
    def close(self, force: bool) -> None:  # assinatura incompatível
        pass


print(isinstance(File(), Closer), isinstance(BadCloser(), Closer), isinstance(42, Closer))
# endregion: runtime-checkable


# region: typevar
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar  # noqa: F811 (a região roda sozinha)


class Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


CT = TypeVar("CT", bound=Comparable)  # qualquer subtipo de Comparable
S = TypeVar("S", str, bytes)  # exatamente str OU bytes


def biggest(items: Sequence[CT]) -> CT:
    result = items[0]
    for item in items[1:]:
        result = item if result < item else result  # só usa __lt__
    return result


def double(value: S) -> S:
    return value + value


n: int = biggest([3, 7, 5])  # CT resolvido como int, não como Comparable
w: str = biggest(["b", "a"])
print(n, w, double("ab"), double(b"x"))
# double("a" + b"b")  -> erro no mypy (e TypeError em runtime)
# endregion: typevar


# region: generic
T = TypeVar("T")


class Stack(Generic[T]):
    def __init__(self) -> None:
        self._items: list[T] = []

    def push(self, item: T) -> Self:  # Self: subclasses continuam encadeáveis
        self._items.append(item)
        return self

    def pop(self) -> T:
        if not self._items:
            raise IndexError("pop from empty Stack")
        return self._items.pop()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return reversed(self._items)


ints: Stack[int] = Stack[int]().push(1).push(2).push(3)
top: int = ints.pop()
print(top, len(ints), list(ints))
# endregion: generic


# region: runtime-not-enforced
unchecked = Stack[int]()
unchecked.push("not an int")  # type: ignore[arg-type]  # mypy recusa; o Python não liga
print(unchecked.pop(), Stack[int], unchecked.__orig_class__)  # type: ignore[attr-defined]
# endregion: runtime-not-enforced

SETTINGS = {"host": "db.local"}


# region: overload
@overload
def get(key: str, default: None = None) -> str | None: ...
@overload
def get(key: str, default: str) -> str: ...
def get(key: str, default: str | None = None) -> str | None:
    return SETTINGS.get(key, default)
# endregion: overload


port: str = get("port", "5432")  # mypy: str (2º overload), sem precisar de checar None
host = get("host")  # mypy: str | None
print(port, host, get("user"))
assert (port, host, get("user")) == ("5432", "db.local", None)
assert get("k", "x") == "x"
assert len(get_overloads(get)) == 2  # as variantes só para o checker
assert get.__annotations__["default"] == str | None  # em runtime: a implementação

assert math.isclose(total_area([Square(2), Circle(1)]), 4 + math.pi)
assert isinstance(BadCloser(), Closer)
assert (n, w) == (7, "b")
assert (top, len(ints), list(ints)) == (3, 2, [2, 1])
print("ok")
