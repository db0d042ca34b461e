"""LRU cache com get/put O(1) (LeetCode 146): dict + lista duplamente ligada, e OrderedDict.

O que mostra:
- `LRUCache`: o dict mapeia chave -> nó; a lista duplamente ligada (com nós sentinela
  head/tail) guarda a ordem de uso; mover um nó para a frente e remover o do fim são O(1);
- `OrderedDictLRU`: a mesma semântica com `move_to_end` e `popitem(last=False)`;
- `ThreadSafeLRU`: um Lock em volta de get E put (get também altera a ordem);
- asserts no exemplo clássico do enunciado, verificação de invariantes da lista e uma
  verificação cruzada aleatória (semente fixa) contra um modelo de referência trivialmente
  correto (uma lista de chaves em ordem de uso, O(n) por operação).
"""
from __future__ import annotations

import random
import threading
from collections import OrderedDict
from typing import Hashable


# region: linked-list
class _Node:
    __slots__ = ("key", "value", "prev", "next")

    def __init__(self, key=None, value=None):
        self.key, self.value = key, value
        self.prev: _Node | None = None
        self.next: _Node | None = None


class LRUCache:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity deve ser > 0")
        self.capacity = capacity
        self._map: dict[Hashable, _Node] = {}
        self._head = _Node()                # sentinela: lado do mais recente
        self._tail = _Node()                # sentinela: lado do menos recente
        self._head.next, self._tail.prev = self._tail, self._head

    def _unlink(self, node: _Node) -> None:
        node.prev.next, node.next.prev = node.next, node.prev

    def _push_front(self, node: _Node) -> None:
        node.prev, node.next = self._head, self._head.next
        self._head.next.prev = node
        self._head.next = node

    def get(self, key, default=-1):
        node = self._map.get(key)
        if node is None:
            return default
        self._unlink(node)                  # leitura também conta como "uso"
        self._push_front(node)
        return node.value

    def put(self, key, value) -> None:
        node = self._map.get(key)
        if node is not None:                # atualização: troca valor e move para frente
            node.value = value
            self._unlink(node)
            self._push_front(node)
            return
        node = _Node(key, value)
        self._map[key] = node
        self._push_front(node)
        if len(self._map) > self.capacity:  # despeja o menos recente (antes do tail)
            lru = self._tail.prev
            self._unlink(lru)
            del self._map[lru.key]          # por isso o nó guarda a chave
# endregion: linked-list

    def __len__(self) -> int:
        return len(self._map)

    def keys_mru_to_lru(self) -> list:
        out, node = [], self._head.next
        while node is not self._tail:
            out.append(node.key)
            node = node.next
        return out

    def check_invariants(self) -> None:
        forward = self.keys_mru_to_lru()
        backward, node = [], self._tail.prev
        while node is not self._head:
            backward.append(node.key)
            node = node.prev
        assert forward == backward[::-1], "ponteiros prev/next inconsistentes"
        assert len(forward) == len(self._map) <= self.capacity
        assert set(forward) == set(self._map)


# region: ordered-dict
class OrderedDictLRU:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity deve ser > 0")
        self.capacity = capacity
        self._data: OrderedDict = OrderedDict()   # início = menos recente

    def get(self, key, default=-1):
        if key not in self._data:
            return default
        self._data.move_to_end(key)               # O(1)
        return self._data[key]

    def put(self, key, value) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        self._data[key] = value
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)         # O(1): remove o mais antigo
# endregion: ordered-dict

    def keys_mru_to_lru(self) -> list:
        return list(reversed(self._data))


# region: thread-safe
class ThreadSafeLRU:
    def __init__(self, capacity: int) -> None:
        self._cache = LRUCache(capacity)
        self._lock = threading.Lock()

    def get(self, key, default=-1):
        with self._lock:                    # get muta a lista: também precisa do lock
            return self._cache.get(key, default)

    def put(self, key, value) -> None:
        with self._lock:
            self._cache.put(key, value)
# endregion: thread-safe


class ReferenceLRU:
    """Modelo de referência: óbvio e lento (O(n) por operação)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.order: list = []               # início = mais recente
        self.values: dict = {}

    def get(self, key, default=-1):
        if key not in self.values:
            return default
        self.order.remove(key)
        self.order.insert(0, key)
        return self.values[key]

    def put(self, key, value) -> None:
        if key in self.values:
            self.order.remove(key)
        self.order.insert(0, key)
        self.values[key] = value
        if len(self.order) > self.capacity:
            del self.values[self.order.pop()]

    def keys_mru_to_lru(self) -> list:
        return list(self.order)


def main() -> None:
    # Exemplo do enunciado (capacity = 2).
    for cls in (LRUCache, OrderedDictLRU):
        c = cls(2)
        c.put(1, 1)
        c.put(2, 2)
        assert c.get(1) == 1                # 1 passa a ser o mais recente
        c.put(3, 3)                         # despeja 2
        assert c.get(2) == -1
        c.put(4, 4)                         # despeja 1
        assert c.get(1) == -1
        assert c.get(3) == 3 and c.get(4) == 4
        print(f"{cls.__name__}: exemplo do enunciado ok, ordem MRU->LRU = {c.keys_mru_to_lru()}")

    # put em chave existente atualiza e NÃO despeja ninguém.
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.put("a", 10)
    assert len(c) == 2 and c.get("a") == 10 and c.get("b") == 2

    # Verificação cruzada aleatória contra o modelo de referência.
    rng = random.Random(146)
    ops = 0
    for capacity in range(1, 6):
        impls = [LRUCache(capacity), OrderedDictLRU(capacity)]
        ref = ReferenceLRU(capacity)
        for _ in range(4000):
            key = rng.randrange(8)
            if rng.random() < 0.5:
                expected = ref.get(key)
                for impl in impls:
                    assert impl.get(key) == expected, (capacity, key)
            else:
                value = rng.randrange(1000)
                ref.put(key, value)
                for impl in impls:
                    impl.put(key, value)
            for impl in impls:
                assert impl.keys_mru_to_lru() == ref.keys_mru_to_lru()
            impls[0].check_invariants()
            ops += 1
    print(f"verificação cruzada com o modelo de referência: {ops} operações ok")

    # Acesso concorrente: o lock mantém as estruturas coerentes.
    safe = ThreadSafeLRU(50)

    def worker(seed: int) -> None:
        r = random.Random(seed)
        for _ in range(2000):
            k = r.randrange(100)
            if r.random() < 0.5:
                safe.put(k, k * 2)
            else:
                v = safe.get(k)
                assert v in (-1, k * 2)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    safe._cache.check_invariants()
    print(f"ThreadSafeLRU após 4 threads: {len(safe._cache)} itens (capacidade 50), invariantes ok")


if __name__ == "__main__":
    main()
