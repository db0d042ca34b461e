"""Complexidade dos containers do Python, medida por contagem (não por cronômetro).

O que observar:
- `membership`: `x in lista` compara item a item (O(n)); `x in set` calcula o hash e compara com
  ~1 candidato (O(1) em média). Contamos as chamadas de `__eq__`: o número não depende da
  máquina, ao contrário de um tempo.
- `collisions`: com todas as chaves no mesmo hash, o dict degenera: cada inserção compara com as
  anteriores (≈ n²/2 comparações no total) e uma busca custa ≈ n. É o pior caso O(n) da tabela
  hash (e o motivo da randomização do hash de str, contra *hash flooding*).
- `overallocation`: `list.append` só realoca de vez em quando (a lista reserva espaço extra);
  por isso é O(1) amortizado. Contamos quantas vezes o tamanho alocado mudou em 1000 appends.
- `queue-ends`: `list.pop(0)` desloca todos os itens (O(n)); `deque.popleft()` é O(1). O tempo
  é só impresso, para você ver a ordem de grandeza; nada é verificado com cronômetro.
- `sort-stability`, `key-calls`, `heap`, `bisect-grades`, `counter`, `defaultdict-read`,
  `ordered-equality`: o comportamento que a nota descreve, com saída determinística.

Só stdlib, sem rede. Cada região é autocontida porque os cards executam uma região sozinha.

    python content/examples/python-internals/containers_complexity.py
"""

# region: membership
class Key:
    """Conta quantas vezes __eq__ é chamado."""

    eq_calls = 0

    def __init__(self, value: int) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        Key.eq_calls += 1
        return isinstance(other, Key) and self.value == other.value


keys = [Key(i) for i in range(10_000)]
as_list, as_set = list(keys), set(keys)

for name, container in (("list", as_list), ("set", as_set)):
    Key.eq_calls = 0
    found = Key(9_999) in container  # objeto novo: igual ao último, mas não idêntico
    print(f"{name}: encontrado={found}, comparações={Key.eq_calls}")
# endregion: membership

# region: collisions
class BadKey:
    """Todas as instâncias têm o mesmo hash: o pior caso da tabela hash."""

    eq_calls = 0

    def __init__(self, value: int) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 42

    def __eq__(self, other: object) -> bool:
        BadKey.eq_calls += 1
        return isinstance(other, BadKey) and self.value == other.value


for n in (500, 1_000, 2_000):
    BadKey.eq_calls = 0
    table = {BadKey(i): i for i in range(n)}
    inserts = BadKey.eq_calls
    BadKey.eq_calls = 0
    assert BadKey(n - 1) in table
    print(f"n={n}: inserir tudo ≈ {inserts / (n * n / 2):.1f} × n²/2 comparações; "
          f"uma busca ≈ {BadKey.eq_calls / n:.1f} × n")
# endregion: collisions

# region: overallocation
import sys

items: list[int] = []
reallocations = 0
last_size = sys.getsizeof(items)
for i in range(1_000):
    items.append(i)
    size = sys.getsizeof(items)  # muda só quando a capacidade reservada muda
    if size != last_size:
        reallocations += 1
        last_size = size
print(f"1000 appends, {reallocations} realocações")
# endregion: overallocation

# region: queue-ends
import time
from collections import deque

N = 50_000
as_list_q = list(range(N))
start = time.perf_counter()
while as_list_q:
    as_list_q.pop(0)  # desloca todos os itens restantes: O(n) por chamada
list_s = time.perf_counter() - start

as_deque = deque(range(N))
start = time.perf_counter()
while as_deque:
    as_deque.popleft()  # O(1): só ajusta o início do bloco
deque_s = time.perf_counter() - start
print(f"esvaziar {N} itens pela frente: list.pop(0) {list_s * 1000:.1f} ms, "
      f"deque.popleft() {deque_s * 1000:.1f} ms (varia por máquina)")
# endregion: queue-ends

# region: sort-stability
orders = [
    ("ana", "SP", 300),
    ("bia", "RJ", 100),
    ("caio", "SP", 100),
    ("davi", "RJ", 300),
]
# Estável: ordenar pela chave secundária e depois pela primária.
by_value = sorted(orders, key=lambda o: o[2])
by_state_then_value = sorted(by_value, key=lambda o: o[1])
for name, state, value in by_state_then_value:
    print(state, value, name)
# endregion: sort-stability

# region: key-calls
calls = 0


def normalized(s: str) -> str:
    global calls
    calls += 1
    return s.casefold()


words = ["banana", "Abacate", "cereja", "abacaxi", "Banana", "damasco"]
result = sorted(words, key=normalized)
print(result)  # "banana" antes de "Banana": empate na chave mantém a ordem original
print(f"{len(words)} itens, key chamada {calls} vezes")
# endregion: key-calls

# region: heap
import heapq
import itertools

queue: list[tuple[int, int, dict]] = []
counter = itertools.count()  # desempate: nunca compara os dicts, e mantém FIFO no empate


def push(priority: int, task: dict) -> None:
    heapq.heappush(queue, (priority, next(counter), task))


push(2, {"job": "relatorio"})
push(1, {"job": "email-a"})
push(3, {"job": "limpeza"})
push(1, {"job": "email-b"})
while queue:
    priority, _, task = heapq.heappop(queue)
    print(priority, task["job"])

try:
    heapq.heappush(bad := [], (1, {"job": "x"}))
    heapq.heappush(bad, (1, {"job": "y"}))  # empate na prioridade: compara os dicts
except TypeError as exc:
    print("sem desempate:", exc)

print(heapq.nsmallest(3, [9, 4, 7, 1, 8, 2]))  # O(n log k)
# endregion: heap

# region: bisect-grades
import bisect

cutoffs = [60, 70, 80, 90]  # ordenado: é a tabela de faixas
grades = "FDCBA"


def grade(score: int) -> str:
    return grades[bisect.bisect_right(cutoffs, score)]  # O(log n)


print([grade(s) for s in (33, 60, 79, 80, 90, 100)])

ranking = [10, 20, 30]
bisect.insort(ranking, 25)  # busca O(log n), mas inserir desloca itens: O(n)
print(ranking)
# endregion: bisect-grades

# region: counter
from collections import Counter

log = "GET POST GET PUT GET POST DELETE PUT".split()
hits = Counter(log)
print(hits.most_common(2))
print(hits["PATCH"], "PATCH" in hits)  # chave ausente conta 0 e não é inserida

this_hour = Counter(GET=5, POST=1)
print(this_hour - hits)  # subtração descarta contagens <= 0
# endregion: counter

# region: defaultdict-read
from collections import defaultdict

groups: defaultdict[str, list[str]] = defaultdict(list)
groups["sp"].append("ana")
print(groups.get("rj"), "rj" in groups)  # get e in não chamam a factory
if not groups["rj"]:  # leitura com [] CRIA a chave vazia
    print("rj vazio")
print(dict(groups))
# endregion: defaultdict-read

# region: ordered-equality
from collections import OrderedDict

a = {"x": 1, "y": 2}
b = {"y": 2, "x": 1}
print(a == b, list(a) == list(b))
print(OrderedDict(a) == OrderedDict(b))  # entre OrderedDicts, a ordem conta
print(OrderedDict(a) == b)  # com um dict comum, não conta

lru = OrderedDict(a)
lru.move_to_end("x")  # O(1)
print(list(lru), lru.popitem(last=False))  # popitem(last=False): FIFO, O(1)
# endregion: ordered-equality


# region: dedupe-slow
def dedupe_slow(events: list[str]) -> str:
    seen, out = [], ""
    for e in events:  # n eventos
        if e not in seen:  # busca linear na lista: O(n)
            seen.append(e)
            out += e + ","  # pode copiar a string acumulada inteira
    return out
# endregion: dedupe-slow


# region: dedupe-fast
def dedupe_fast(events: list[str]) -> str:
    seen: set[str] = set()
    parts: list[str] = []
    for e in events:
        if e not in seen:  # O(1) médio
            seen.add(e)
            parts.append(e)
    return "".join(p + "," for p in parts)  # aloca o resultado uma vez
# endregion: dedupe-fast


# --- Asserts: o que a nota afirma -----------------------------------------------------------
Key.eq_calls = 0
assert Key(9_999) in as_list and Key.eq_calls == 10_000  # percorreu a lista inteira
Key.eq_calls = 0
assert Key(9_999) in as_set and Key.eq_calls == 1  # um candidato só
Key.eq_calls = 0
assert Key(-1) not in as_set and Key.eq_calls == 0  # slot vazio: nenhuma comparação

BadKey.eq_calls = 0
{BadKey(i): i for i in range(1_000)}
assert BadKey.eq_calls > 400_000  # quadrático: ~n²/2

assert reallocations < 50  # 1000 appends, poucas dezenas de realocações: amortizado O(1)

assert [o[0] for o in by_state_then_value] == ["bia", "davi", "caio", "ana"]
assert calls == len(words)  # a key roda uma vez por item, não por comparação

assert grade(59) == "F" and grade(60) == "D" and grade(90) == "A"
assert ranking == [10, 20, 25, 30]

assert hits.most_common(1) == [("GET", 3)] and "PATCH" not in hits
assert "rj" in groups and groups["rj"] == []

assert OrderedDict(a) != OrderedDict(b) and a == b

t = (1, 2, 3)
assert sys.getsizeof(t) < sys.getsizeof([1, 2, 3])  # tuple: sem sobra reservada
try:
    hash((1, [2]))
except TypeError:
    pass
else:
    raise AssertionError("tuple com lista dentro não deveria ser hashable")

sample = ["a", "b", "a", "c", "b", "d"] * 50
assert dedupe_slow(sample) == dedupe_fast(sample) == "a,b,c,d,"

print("ok: todas as verificações passaram")
