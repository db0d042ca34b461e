"""__slots__ e memória: classe comum vs __slots__ vs @dataclass(slots=True).

O que observar:
- `sys.getsizeof` mede só o objeto em si (não conta o `__dict__` nem os valores);
  por isso a comparação honesta usa `tracemalloc`, que mede o que foi alocado de fato.
- Com `__slots__`, a instância não tem `__dict__` nem `__weakref__` (a não ser que
  você os declare): atribuir um atributo novo levanta AttributeError e `weakref.ref`
  levanta TypeError.
- `@dataclass(slots=True)` (Python 3.10+) gera a mesma estrutura de uma classe com
  `__slots__` escrita à mão.
- Armadilha de herança: uma subclasse que não declara `__slots__` ganha `__dict__` de volta.
- No CPython 3.11 o `__dict__` de uma instância comum é criado sob demanda; basta
  acessá-lo (por exemplo com `vars(obj)`) para cada instância ficar mais pesada.

Os números em bytes variam com a versão e a plataforma; os asserts só comparam.
"""

import sys
import tracemalloc
import weakref
from collections.abc import Callable
from dataclasses import dataclass

N = 20_000


# region: classes
class PointDict:
    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y


class PointSlots:
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y


@dataclass(slots=True)
class PointDC:
    x: int
    y: int
# endregion: classes


def bytes_per_instance(factory: Callable[[int, int], object]) -> float:
    """Bytes alocados por instância (a lista é criada antes; ints pequenos são cacheados)."""
    holder: list[object] = [None] * N
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for i in range(N):
        holder[i] = factory(0, 0)
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (after - before) / N


def dict_materialization_cost() -> float:
    """Bytes extras por instância quando o __dict__ é acessado (CPython 3.11+)."""
    objs = [PointDict(0, 0) for _ in range(N)]
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for o in objs:
        vars(o)
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (after - before) / N


# 1) Medição: slots ocupa menos; dataclass(slots=True) == slots à mão.
sizes = {cls.__name__: bytes_per_instance(cls) for cls in (PointDict, PointSlots, PointDC)}
for cls in (PointDict, PointSlots, PointDC):
    print(f"{cls.__name__:<10} getsizeof={sys.getsizeof(cls(0, 0)):>3}  "
          f"tracemalloc≈{sizes[cls.__name__]:.0f} bytes/instância")
assert sizes["PointSlots"] < sizes["PointDict"]
assert sizes["PointDC"] == sizes["PointSlots"]

extra = dict_materialization_cost()
print(f"vars() em cada PointDict: +{extra:.0f} bytes/instância")
assert extra > 0

# 2) Sem __dict__: atributos fora dos slots são recusados.
# region: no-dict
from dataclasses import dataclass


@dataclass(slots=True)
class Point:
    x: int
    y: int

p = Point(1, 2)
print(hasattr(p, "__dict__"), Point.__slots__)
try:
    p.z = 3
except AttributeError as exc:
    print("AttributeError:", exc)
# endregion: no-dict

# 3) Sem "__weakref__" nos slots, a instância não aceita referência fraca.
try:
    weakref.ref(PointSlots(0, 0))
    raise AssertionError("esperava TypeError")
except TypeError as exc:
    print("TypeError:", exc)
weakref.ref(PointDict(0, 0))  # classe comum tem __weakref__

# region: weakref-slot
import weakref


class Node:
    __slots__ = ("__weakref__", "value")

    def __init__(self, value: int) -> None:
        self.value = value

n = Node(1)
r = weakref.ref(n)
print(r() is n, hasattr(n, "__dict__"))
# endregion: weakref-slot

# 4) Herança: a subclasse precisa declarar __slots__ também.
# region: inheritance
class Base:
    __slots__ = ("x",)

class Child(Base):  # esqueceu __slots__
    pass

class ChildSlots(Base):
    __slots__ = ("y",)  # só os atributos novos

print(hasattr(Child(), "__dict__"), hasattr(ChildSlots(), "__dict__"))
# endregion: inheritance

assert hasattr(Child(), "__dict__") and not hasattr(ChildSlots(), "__dict__")
print("ok")
