"""Contagem de referências, ciclos e o coletor cíclico (gc) do CPython.

O que observar:
- `refcount`: `sys.getrefcount(x)` mostra uma referência a mais (o próprio argumento
  da chamada). Sem ciclos, o objeto morre NA HORA em que a última referência some:
  o callback do `weakref.finalize` roda logo no `del`.
- `cycle`: um ciclo de referências nunca chega a refcount zero; só o coletor cíclico
  (`gc.collect()`) o recupera. `gc.collect()` devolve quantos objetos inalcançáveis
  encontrou. Aqui usamos classes com `__slots__` para a contagem ser exata (sem
  `__dict__` por instância) e um `weakref.ref` com callback para ver a coleta.
- `tracked`: o gc só acompanha *containers*; ints e strings não entram, e o CPython
  nem rastreia dicts que só contêm valores atômicos.
- `weakref-cache`: `WeakValueDictionary` não mantém os valores vivos, bom para caches
  de objetos que já pertencem a alguém.
Os números impressos são detalhes do CPython 3.11 (a versão que roda os cards).
"""

# region: refcount
import sys
import weakref


class Node:
    pass


a = Node()
print(sys.getrefcount(a))  # 'a' + o argumento temporário da chamada
b = a
print(sys.getrefcount(a))
fin = weakref.finalize(a, print, "finalizado (refcount chegou a zero)")
del b
print("del b: ainda vivo")
del a  # última referência: libera imediatamente, sem esperar o gc
print("depois do del a")
assert not fin.alive  # o finalizador já rodou
# endregion: refcount

# region: cycle
import gc
import weakref


class Node:
    __slots__ = ("name", "other", "__weakref__")

    def __init__(self, name: str) -> None:
        self.name = name
        self.other = None


gc.collect()  # começa do zero: nenhum lixo pendente
gc.disable()  # impede uma coleta automática no meio da demonstração
x, y = Node("x"), Node("y")
x.other, y.other = y, x  # ciclo: x -> y -> x
probe = weakref.ref(y, lambda ref: print("callback: y foi coletado"))

del x, y  # refcount de cada um continua 1 (um aponta para o outro)
print("vivo depois do del?", probe() is not None)
found = gc.collect()  # encontra os 2 nós do ciclo
print("gc.collect() =", found)
print("vivo depois do collect?", probe() is not None)
gc.enable()
assert found == 2 and probe() is None
# endregion: cycle

# region: tracked
import gc

print(gc.is_tracked(42), gc.is_tracked("texto"))
print(gc.is_tracked([]), gc.is_tracked({"a": 1}), gc.is_tracked({"a": []}))
print(gc.get_threshold())
# endregion: tracked

# region: weakref-cache
import weakref


class User:
    def __init__(self, name: str) -> None:
        self.name = name


cache: "weakref.WeakValueDictionary[int, User]" = weakref.WeakValueDictionary()
alice = User("alice")
cache[1] = alice
print(1 in cache, cache[1].name)
del alice  # o cache não segura o objeto
print(1 in cache, len(cache))
# endregion: weakref-cache

# region: list-cycle
import gc

gc.collect()
items = []
items.append(items)  # a lista contém a si mesma
del items
print(gc.collect())
# endregion: list-cycle
