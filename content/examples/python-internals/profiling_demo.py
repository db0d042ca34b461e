"""cProfile + pstats: achar o gargalo antes de otimizar.

O que observar:
- `report_slow` remove duplicatas checando `x not in lista` (O(n) por checagem, O(n²) no
  total). Ordenando por *cumulative*, o topo é a cadeia de chamadas (report -> dedupe);
  ordenando por *tottime*, aparece quem gasta o tempo "dentro de si": `is_new`.
- A versão otimizada troca a lista por um set (checagem O(1) em média) e a função some
  do topo.
- `ncalls` é determinístico (ex.: `21891/1` = total/primitivas numa recursão);
  tempos não são, por isso os asserts olham nomes e contagens, nunca segundos.
- `tracemalloc-peak`: `tracemalloc` mede memória alocada por Python (não tempo).
  `get_traced_memory()` devolve `(current, peak)`: o que ainda está alocado e o máximo
  desde o `start()`. Um relatório que monta uma lista grande e devolve só um resumo deixa
  `current` pequeno e `peak` grande; `reset_peak()` (3.9+) zera o pico entre medições.
"""

import cProfile
import pstats
import time
import tracemalloc


# region: slow
def normalize(word: str) -> str:
    return word.strip().lower()


def is_new(word: str, seen: list[str]) -> bool:
    return word not in seen  # busca linear em lista: O(n)


def dedupe_slow(words: list[str]) -> list[str]:
    seen: list[str] = []
    for w in words:
        n = normalize(w)
        if is_new(n, seen):
            seen.append(n)
    return seen


def report_slow(words: list[str]) -> int:
    return len(dedupe_slow(words))
# endregion: slow


# region: fast
def dedupe_fast(words: list[str]) -> list[str]:
    # dict preserva a ordem de inserção e tem busca O(1) em média
    return list(dict.fromkeys(w.strip().lower() for w in words))


def report_fast(words: list[str]) -> int:
    return len(dedupe_fast(words))
# endregion: fast


WORDS = [f" Word{i % 6000} " for i in range(8000)]


def top_entries(prof: cProfile.Profile, key: str, n: int) -> list[tuple[str, str]]:
    """(nome, ncalls) das n primeiras entradas ordenadas por `key`."""
    profiles = pstats.Stats(prof).get_stats_profile().func_profiles
    attr = {"cumulative": "cumtime", "tottime": "tottime"}[key]
    ranked = sorted(profiles.items(), key=lambda kv: getattr(kv[1], attr), reverse=True)
    return [(name, fp.ncalls) for name, fp in ranked[:n]]


# region: profile
with cProfile.Profile() as prof:
    report_slow(WORDS)

stats = pstats.Stats(prof)
stats.sort_stats("cumulative").print_stats(5)  # tabela com ncalls/tottime/cumtime
stats.sort_stats("tottime").print_stats(3)
# endregion: profile

by_cum = top_entries(prof, "cumulative", 3)
by_tot = top_entries(prof, "tottime", 1)
print("top por cumulative:", by_cum)
print("top por tottime:   ", by_tot)
names = [name for name, _ in by_cum]
assert set(names) == {"report_slow", "dedupe_slow", "is_new"}  # a cadeia cara
assert names[-1] == "is_new"  # report_slow e dedupe_slow incluem is_new no cumtime
assert by_tot[0] == ("is_new", "8000")

with cProfile.Profile() as prof_fast:
    report_fast(WORDS)
fast_names = [name for name, _ in top_entries(prof_fast, "cumulative", 10)]
print("otimizada, top por cumulative:", fast_names[:3])
assert "is_new" not in fast_names
assert report_slow(WORDS) == report_fast(WORDS) == 6000

# Comparação grosseira de tempo (só para ilustrar; não é benchmark).
t0 = time.perf_counter()
report_slow(WORDS)
t1 = time.perf_counter()
report_fast(WORDS)
t2 = time.perf_counter()
print(f"lenta ≈ {t1 - t0:.3f}s, rápida ≈ {t2 - t1:.4f}s")
assert (t2 - t1) < (t1 - t0)


# region: fib-ncalls
import cProfile
import pstats
from functools import cache


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@cache
def fib_cached(n: int) -> int:
    return n if n < 2 else fib_cached(n - 1) + fib_cached(n - 2)


with cProfile.Profile() as prof:
    fib(20)
    fib_cached(20)

profiles = pstats.Stats(prof).get_stats_profile().func_profiles
for name in ("fib", "fib_cached"):
    print(name, profiles[name].ncalls)
# endregion: fib-ncalls

assert profiles["fib"].ncalls == "21891/1"


def build_report() -> int:
    rows = [f"linha {i}" * 4 for i in range(50_000)]  # ~ alguns MB, só temporário
    return sum(len(r) for r in rows)  # sobra só um int: rows é liberada ao sair


# region: tracemalloc-peak
tracemalloc.start()
build_report()
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
# endregion: tracemalloc-peak

print(f"tracemalloc: current={current:,} B, peak={peak:,} B")
assert peak >= current and peak > 0
assert peak > 1_000_000  # a lista temporária passou de 1 MB...
assert current < peak // 10  # ...mas foi liberada: o que resta é bem menor que o pico
assert not tracemalloc.is_tracing()
print("ok")
