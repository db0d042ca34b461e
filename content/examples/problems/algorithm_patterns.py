"""Padrões clássicos da rodada de código, um por função, cada um com testes.

O que mostra (e o que observar):
- dois ponteiros em array ordenado (two sum, 3sum sem duplicatas);
- janela deslizante fixa (soma de k elementos) e variável, nas duas formas: "maior janela
  válida" (encolhe enquanto está inválida) e "menor janela válida" (encolhe enquanto está válida);
  com `Counter`, a chave que chega a 0 precisa de `del` para não contar no `len()`;
- contagem com hash map (two sum sem ordenação, anagramas) e somas de prefixo, incluindo o
  `{0: 1}` inicial que conta subarrays começando no índice 0;
- busca binária com intervalo semiaberto [lo, hi) (equivalente a `bisect_left`), `bisect` com
  `key=` (3.10+; não é aplicado a x) e busca binária "na resposta" (menor capacidade de navio,
  LeetCode 1011);
- heaps com `heapq`: top-k com heap de tamanho k, merge de k listas, max-heap por negação;
- grafos: BFS (caminho mínimo sem pesos, marcando visitado ao ENFILEIRAR), DFS iterativa
  (ilhas), Kahn (ordenação topológica), ciclo em grafo não direcionado com union-find,
  Dijkstra com heapq e o contraexemplo com peso negativo (comparado a Bellman-Ford), mais as
  alternativas BFS 0-1 (pesos 0/1) e relaxação em ordem topológica (DAG com negativos);
- intervalos (ordenar + mesclar; salas de reunião com heap de términos);
- backtracking (subconjuntos, com e sem duplicatas na entrada, permutações, combination sum
  com poda) e a armadilha de guardar
  a lista `path` sem copiar;
- as versões com bug das armadilhas citadas na nota (funções `_..._buggy`, `_..._no_seed` etc.),
  com asserts mostrando a resposta errada que elas dão.

Quase tudo é verificado contra uma força bruta óbvia em milhares de entradas pequenas geradas
com semente fixa: é assim que se testa uma solução de entrevista sem confiar só nos exemplos.

    python content/examples/problems/algorithm_patterns.py
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from collections import Counter, defaultdict, deque
from collections.abc import Sequence


# region: two-pointers
def two_sum_sorted(nums: Sequence[int], target: int) -> tuple[int, int] | None:
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        s = nums[lo] + nums[hi]
        if s == target:
            return lo, hi
        if s < target:
            lo += 1              # precisa de soma maior: só o da esquerda pode crescer
        else:
            hi -= 1              # precisa de soma menor: só o da direita pode diminuir
    return None
# endregion: two-pointers


# region: three-sum
def three_sum(nums: Sequence[int]) -> list[tuple[int, int, int]]:
    nums = sorted(nums)
    result = []
    for i in range(len(nums) - 2):
        if i > 0 and nums[i] == nums[i - 1]:
            continue                          # mesmo primeiro elemento: mesmas triplas
        lo, hi = i + 1, len(nums) - 1
        while lo < hi:
            s = nums[i] + nums[lo] + nums[hi]
            if s < 0:
                lo += 1
            elif s > 0:
                hi -= 1
            else:
                result.append((nums[i], nums[lo], nums[hi]))
                lo += 1
                while lo < hi and nums[lo] == nums[lo - 1]:
                    lo += 1                   # pula duplicatas do segundo elemento
    return result
# endregion: three-sum


# region: fixed-window
def max_sum_window(nums: Sequence[int], k: int) -> int:
    window = sum(nums[:k])
    best = window
    for i in range(k, len(nums)):
        window += nums[i] - nums[i - k]       # entra nums[i], sai nums[i - k]: O(1)
        best = max(best, window)
    return best
# endregion: fixed-window


# region: variable-window-longest
def longest_unique_substring(s: str) -> int:
    last_seen: dict[str, int] = {}
    left = best = 0
    for right, ch in enumerate(s):
        if last_seen.get(ch, -1) >= left:     # ch repetido DENTRO da janela: inválida
            left = last_seen[ch] + 1          # encolhe até ficar válida de novo
        last_seen[ch] = right
        best = max(best, right - left + 1)
    return best
# endregion: variable-window-longest


# region: variable-window-shortest
def min_subarray_len(target: int, nums: Sequence[int]) -> int:
    """Menor subarray com soma >= target (nums POSITIVOS); 0 se não existe."""
    left = total = 0
    best = math.inf
    for right, x in enumerate(nums):
        total += x
        while total >= target:                # válida: registra e tenta encolher
            best = min(best, right - left + 1)
            total -= nums[left]
            left += 1
    return 0 if best == math.inf else int(best)
# endregion: variable-window-shortest


# region: variable-window-counter
def longest_at_most_k_distinct(s: str, k: int) -> int:
    window: Counter[str] = Counter()
    left = best = 0
    for right, ch in enumerate(s):
        window[ch] += 1
        while len(window) > k:                # inválida: mais de k caracteres distintos
            window[s[left]] -= 1
            if window[s[left]] == 0:
                del window[s[left]]           # sem o del, a chave com 0 conta no len()
            left += 1
        best = max(best, right - left + 1)
    return best
# endregion: variable-window-counter


# region: hash-two-sum
def two_sum(nums: Sequence[int], target: int) -> tuple[int, int] | None:
    seen: dict[int, int] = {}                 # valor -> índice
    for i, x in enumerate(nums):
        if target - x in seen:                # o complemento apareceu antes
            return seen[target - x], i
        seen[x] = i                           # guarda DEPOIS de testar: não usa x com ele mesmo
    return None
# endregion: hash-two-sum


# region: group-anagrams
def group_anagrams(words: Sequence[str]) -> list[list[str]]:
    groups: defaultdict[tuple[str, ...], list[str]] = defaultdict(list)
    for w in words:
        groups[tuple(sorted(w))].append(w)    # chave canônica: letras ordenadas (hashável)
    return list(groups.values())
# endregion: group-anagrams


# region: prefix-sums
def prefix_sums(nums: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(nums, initial=0))   # p[i] = soma de nums[:i]


def range_sum(p: list[int], i: int, j: int) -> int:
    return p[j + 1] - p[i]                    # soma de nums[i..j] (inclusive) em O(1)


def subarray_sum_equals_k(nums: Sequence[int], k: int) -> int:
    count = 0
    prefix = 0
    seen = Counter({0: 1})                    # prefixo vazio: subarrays que começam no 0
    for x in nums:
        prefix += x
        count += seen[prefix - k]             # p[j] - p[i] == k  <=>  p[i] == p[j] - k
        seen[prefix] += 1
    return count
# endregion: prefix-sums


# region: binary-search
def lower_bound(a: Sequence[int], x: int) -> int:
    """Primeiro índice i com a[i] >= x (len(a) se não há): o mesmo que bisect_left."""
    lo, hi = 0, len(a)                        # invariante: resposta está em [lo, hi]
    while lo < hi:                            # intervalo [lo, hi) ainda não vazio
        mid = (lo + hi) // 2                  # lo <= mid < hi: sempre encolhe
        if a[mid] < x:
            lo = mid + 1                      # a[mid] e tudo à esquerda são pequenos demais
        else:
            hi = mid                          # mid é candidato: não pode ser descartado
    return lo
# endregion: binary-search


# region: bisect-range
def count_in_range(a: Sequence[int], low: int, high: int) -> int:
    """Quantos elementos de `a` (ordenado) estão em [low, high]."""
    return bisect.bisect_right(a, high) - bisect.bisect_left(a, low)
# endregion: bisect-range


# region: binary-search-answer
def ship_within_days(weights: Sequence[int], days: int) -> int:
    def fits(capacity: int) -> bool:          # monótona: se cabe com c, cabe com c + 1
        used, load = 1, 0
        for w in weights:
            if load + w > capacity:
                used, load = used + 1, 0
            load += w
        return used <= days

    lo, hi = max(weights), sum(weights)       # limites: maior pacote .. tudo num dia
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid                          # mid serve: a resposta é mid ou menor
        else:
            lo = mid + 1
    return lo
# endregion: binary-search-answer


# region: top-k
def top_k_largest(nums: Sequence[int], k: int) -> list[int]:
    heap: list[int] = []                      # min-heap com os k maiores vistos até agora
    for x in nums:
        if len(heap) < k:
            heapq.heappush(heap, x)
        elif x > heap[0]:                     # heap[0] é o MENOR dos k: o que sai
            heapq.heapreplace(heap, x)
    return sorted(heap, reverse=True)
# endregion: top-k


# region: top-k-frequent
def top_k_frequent(words: Sequence[str], k: int) -> list[str]:
    counts = Counter(words)
    # (-contagem, palavra): maior contagem primeiro; empate por ordem alfabética
    return [w for _, w in heapq.nsmallest(k, ((-c, w) for w, c in counts.items()))]
# endregion: top-k-frequent


# region: k-way-merge
def merge_k_sorted(lists: Sequence[Sequence[int]]) -> list[int]:
    heap = [(lst[0], i, 0) for i, lst in enumerate(lists) if lst]
    heapq.heapify(heap)                       # O(k)
    out = []
    while heap:
        value, i, j = heapq.heappop(heap)     # (valor, lista, posição): i desempata
        out.append(value)
        if j + 1 < len(lists[i]):
            heapq.heappush(heap, (lists[i][j + 1], i, j + 1))
    return out
# endregion: k-way-merge


# region: max-heap
def k_smallest(nums: Sequence[int], k: int) -> list[int]:
    heap: list[int] = []                      # max-heap por negação: -heap[0] é o maior
    for x in nums:
        if len(heap) < k:
            heapq.heappush(heap, -x)
        elif x < -heap[0]:
            heapq.heapreplace(heap, -x)
    return sorted(-v for v in heap)
# endregion: max-heap


# region: bfs
def bfs_shortest_path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    parent: dict[int, int | None] = {start: None}   # também serve de "visitado"
    queue = deque([start])
    while queue:
        u = queue.popleft()                   # deque: O(1); list.pop(0) seria O(n)
        if u == goal:
            path: list[int] = []
            node: int | None = u
            while node is not None:
                path.append(node)
                node = parent[node]
            return path[::-1]
        for v in graph.get(u, []):
            if v not in parent:               # marca ao ENFILEIRAR, não ao desenfileirar
                parent[v] = u
                queue.append(v)
    return None
# endregion: bfs


# region: dfs-islands
def count_islands(grid: list[str]) -> int:
    rows, cols = len(grid), len(grid[0]) if grid else 0
    seen: set[tuple[int, int]] = set()
    islands = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] != "1" or (r, c) in seen:
                continue
            islands += 1
            seen.add((r, c))
            stack = [(r, c)]                  # DFS iterativa: sem limite de recursão
            while stack:
                y, x = stack.pop()
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "1" \
                            and (ny, nx) not in seen:
                        seen.add((ny, nx))
                        stack.append((ny, nx))
    return islands
# endregion: dfs-islands


# region: kahn
def topo_sort(n: int, edges: Sequence[tuple[int, int]]) -> list[int] | None:
    """Ordem topológica de 0..n-1 (aresta u -> v: u antes de v), ou None se há ciclo."""
    graph: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for u, v in edges:
        graph[u].append(v)
        indegree[v] += 1
    queue = deque(u for u in range(n) if indegree[u] == 0)
    order = []
    while queue:
        u = queue.popleft()
        order.append(u)
        for v in graph[u]:
            indegree[v] -= 1
            if indegree[v] == 0:              # último pré-requisito de v acabou de sair
                queue.append(v)
    return order if len(order) == n else None # sobrou alguém: está num ciclo ou depende de um
# endregion: kahn


# region: union-find
def has_cycle_undirected(n: int, edges: Sequence[tuple[int, int]]) -> bool:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]     # compressão de caminho (por halving)
            x = parent[x]
        return x

    for u, v in edges:
        ru, rv = find(u), find(v)
        if ru == rv:                          # já conectados: esta aresta fecha um ciclo
            return True
        parent[ru] = rv
    return False
# endregion: union-find


# region: dijkstra
def dijkstra(graph: dict[str, list[tuple[str, int]]], source: str) -> dict[str, int]:
    dist = {source: 0}
    heap = [(0, source)]
    done: set[str] = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue                          # entrada velha: heapq não tem decrease-key
        done.add(u)                           # com pesos >= 0, dist[u] é final aqui
        for v, w in graph.get(u, []):
            nd = d + w
            if v not in done and nd < dist.get(v, math.inf):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist
# endregion: dijkstra


def dijkstra_reprocess(graph: dict[str, list[tuple[str, int]]], source: str) -> tuple[dict[str, int], int]:
    """Variante sem `done`: reprocessa um nó sempre que acha caminho melhor (só pula entrada
    velha por `d > dist[u]`). Com peso negativo (sem ciclo negativo) chega à resposta certa,
    mas perde a garantia O((V + E) log V): vira um algoritmo de correção de rótulos.
    Devolve (distâncias, quantos pops do heap foram processados)."""
    dist = {source: 0}
    heap = [(0, source)]
    processed = 0
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        processed += 1
        for v, w in graph.get(u, []):
            if d + w < dist.get(v, math.inf):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist, processed


def bfs_01(graph: dict[str, list[tuple[str, int]]], source: str) -> dict[str, int]:
    """Caminho mínimo com pesos 0 ou 1: deque, peso 0 entra na frente, peso 1 atrás. O(V + E)."""
    dist = {source: 0}
    dq = deque([source])
    while dq:
        u = dq.popleft()
        for v, w in graph.get(u, []):
            if dist[u] + w < dist.get(v, math.inf):
                dist[v] = dist[u] + w
                if w == 0:
                    dq.appendleft(v)
                else:
                    dq.append(v)
    return dist


def dag_shortest_paths(nodes: Sequence[str], edges: Sequence[tuple[str, str, int]],
                       source: str) -> dict[str, float]:
    """DAG: relaxa as arestas em ordem topológica; vale com pesos negativos. O(V + E)."""
    index = {v: i for i, v in enumerate(nodes)}
    order = topo_sort(len(nodes), [(index[u], index[v]) for u, v, _ in edges])
    assert order is not None, "não é DAG"
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for u, v, w in edges:
        out[u].append((v, w))
    dist = {v: math.inf for v in nodes}
    dist[source] = 0
    for i in order:
        u = nodes[i]
        if dist[u] == math.inf:
            continue
        for v, w in out[u]:
            dist[v] = min(dist[v], dist[u] + w)
    return dist


def bellman_ford(nodes: Sequence[str], edges: Sequence[tuple[str, str, int]], source: str) -> dict[str, float]:
    dist = {v: math.inf for v in nodes}
    dist[source] = 0
    for _ in range(len(nodes) - 1):           # V - 1 rodadas relaxando todas as arestas
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
    for u, v, w in edges:                     # ainda melhora? há ciclo negativo
        if dist[u] + w < dist[v]:
            raise ValueError("ciclo negativo")
    return dist


# region: merge-intervals
def merge_intervals(intervals: Sequence[Sequence[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):      # ordenar por início é o passo essencial
        if merged and start <= merged[-1][1]: # sobrepõe (ou encosta) no último
            merged[-1][1] = max(merged[-1][1], end)   # max: o novo pode estar contido
        else:
            merged.append([start, end])
    return merged
# endregion: merge-intervals


# region: meeting-rooms
def min_meeting_rooms(meetings: Sequence[Sequence[int]]) -> int:
    ends: list[int] = []                      # min-heap dos horários de término em uso
    for start, end in sorted(meetings):
        if ends and ends[0] <= start:         # [início, fim): sala liberada pode ser reusada
            heapq.heapreplace(ends, end)
        else:
            heapq.heappush(ends, end)
    return len(ends)
# endregion: meeting-rooms


# region: subsets
def subsets(nums: Sequence[int]) -> list[list[int]]:
    result: list[list[int]] = []
    path: list[int] = []

    def backtrack(start: int) -> None:
        result.append(path[:])                # CÓPIA: `path` continua mudando depois
        for i in range(start, len(nums)):
            path.append(nums[i])              # escolhe
            backtrack(i + 1)                  # explora
            path.pop()                        # desfaz

    backtrack(0)
    return result
# endregion: subsets


# region: permutations
def permutations(nums: Sequence[int]) -> list[list[int]]:
    result: list[list[int]] = []
    path: list[int] = []
    used = [False] * len(nums)

    def backtrack() -> None:
        if len(path) == len(nums):
            result.append(path[:])
            return
        for i, x in enumerate(nums):
            if not used[i]:
                used[i] = True
                path.append(x)
                backtrack()
                path.pop()
                used[i] = False

    backtrack()
    return result
# endregion: permutations


# region: combination-sum
def combination_sum(candidates: Sequence[int], target: int) -> list[list[int]]:
    candidates = sorted(candidates)
    result: list[list[int]] = []
    path: list[int] = []

    def backtrack(start: int, rest: int) -> None:
        if rest == 0:
            result.append(path[:])
            return
        for i in range(start, len(candidates)):
            c = candidates[i]
            if c > rest:
                break                         # poda: ordenados, os próximos também passam
            path.append(c)
            backtrack(i, rest - c)            # i (não i + 1): pode repetir o mesmo número
            path.pop()

    backtrack(0, target)
    return result
# endregion: combination-sum


def subsets_with_dup(nums: Sequence[int]) -> list[list[int]]:
    nums = sorted(nums)
    result: list[list[int]] = []
    path: list[int] = []

    def backtrack(start: int) -> None:
        result.append(path[:])
        for i in range(start, len(nums)):
            if i > start and nums[i] == nums[i - 1]:
                continue                      # mesmo valor na mesma posição da árvore
            path.append(nums[i])
            backtrack(i + 1)
            path.pop()

    backtrack(0)
    return result


def subsets_buggy(nums: Sequence[int]) -> list[list[int]]:
    result: list[list[int]] = []
    path: list[int] = []

    def backtrack(start: int) -> None:
        result.append(path)                   # BUG: guarda a MESMA lista várias vezes
        for i in range(start, len(nums)):
            path.append(nums[i])
            backtrack(i + 1)
            path.pop()

    backtrack(0)
    return result


# --------------------------------------------------------------------------- testes


def test_two_pointers(rng: random.Random) -> None:
    assert two_sum_sorted([2, 7, 11, 15], 9) == (0, 1)
    assert two_sum_sorted([1, 2, 3], 100) is None
    assert three_sum([-1, 0, 1, 2, -1, -4]) == [(-1, -1, 2), (-1, 0, 1)]
    for _ in range(2000):
        nums = sorted(rng.randint(-10, 10) for _ in range(rng.randint(0, 8)))
        target = rng.randint(-20, 20)
        pair = two_sum_sorted(nums, target)
        exists = any(nums[i] + nums[j] == target
                     for i in range(len(nums)) for j in range(i + 1, len(nums)))
        assert (pair is not None) == exists
        if pair:
            i, j = pair
            assert i < j and nums[i] + nums[j] == target
        brute = sorted(set(t for t in itertools.combinations(nums, 3) if sum(t) == 0))
        assert three_sum(nums) == brute, nums
    print("dois ponteiros: two sum ordenado e 3sum conferem com a força bruta")


def test_windows(rng: random.Random) -> None:
    assert max_sum_window([2, 1, 5, 1, 3, 2], 3) == 9
    assert longest_unique_substring("abcabcbb") == 3
    assert longest_unique_substring("pwwkew") == 3
    assert longest_unique_substring("abba") == 2      # o `>= left` evita voltar a janela
    assert longest_unique_substring("") == 0
    assert min_subarray_len(7, [2, 3, 1, 2, 4, 3]) == 2
    assert min_subarray_len(100, [1, 2, 3]) == 0
    assert longest_at_most_k_distinct("eceba", 2) == 3            # "ece"
    assert longest_at_most_k_distinct("aa", 1) == 2
    leftover = Counter("aab")
    leftover["b"] -= 1
    assert len(leftover) == 2                                     # a chave com 0 continua lá
    assert _longest_unique_buggy("abba") == 3                     # sem `>= left`: a janela volta
    for _ in range(2000):
        nums = [rng.randint(-5, 9) for _ in range(rng.randint(1, 10))]
        k = rng.randint(1, len(nums))
        assert max_sum_window(nums, k) == max(sum(nums[i:i + k]) for i in range(len(nums) - k + 1))
        s = "".join(rng.choice("abc") for _ in range(rng.randint(0, 10)))
        brute = max((j - i for i in range(len(s) + 1) for j in range(i, len(s) + 1)
                     if len(set(s[i:j])) == j - i), default=0)
        assert longest_unique_substring(s) == brute, s
        k_distinct = rng.randint(1, 3)
        brute = max((j - i for i in range(len(s) + 1) for j in range(i, len(s) + 1)
                     if len(set(s[i:j])) <= k_distinct), default=0)
        assert longest_at_most_k_distinct(s, k_distinct) == brute, (s, k_distinct)
        pos = [rng.randint(1, 9) for _ in range(rng.randint(1, 10))]
        t = rng.randint(1, 40)
        lens = [j - i for i in range(len(pos)) for j in range(i + 1, len(pos) + 1)
                if sum(pos[i:j]) >= t]
        assert min_subarray_len(t, pos) == (min(lens) if lens else 0)
    print("janela deslizante: fixa e variável (maior e menor janela) conferem com a força bruta")


def _longest_unique_buggy(s: str) -> int:
    last_seen: dict[str, int] = {}
    left = best = 0
    for right, ch in enumerate(s):
        if ch in last_seen:                   # BUG: não confere se está dentro da janela
            left = last_seen[ch] + 1
        last_seen[ch] = right
        best = max(best, right - left + 1)
    return best


def _two_sum_store_first(nums: Sequence[int], target: int) -> tuple[int, int] | None:
    seen: dict[int, int] = {}
    for i, x in enumerate(nums):
        seen[x] = i                           # BUG: guarda antes de procurar
        if target - x in seen:
            return seen[target - x], i
    return None


def _subarray_sum_no_seed(nums: Sequence[int], k: int) -> int:
    count = prefix = 0
    seen: Counter[int] = Counter()            # BUG: falta o {0: 1}
    for x in nums:
        prefix += x
        count += seen[prefix - k]
        seen[prefix] += 1
    return count


def test_hash_and_prefix(rng: random.Random) -> None:
    assert two_sum([3, 2, 4], 6) == (1, 2)             # não usa o 3 duas vezes
    assert two_sum([3, 3], 6) == (0, 1)
    groups = group_anagrams(["eat", "tea", "tan", "ate", "nat", "bat"])
    assert groups == [["eat", "tea", "ate"], ["tan", "nat"], ["bat"]]
    p = prefix_sums([3, 1, 4, 1, 5])
    assert p == [0, 3, 4, 8, 9, 14] and range_sum(p, 1, 3) == 6
    assert subarray_sum_equals_k([1, 1, 1], 2) == 2
    assert subarray_sum_equals_k([1, 2, 3], 3) == 2   # [1, 2] e [3]
    assert subarray_sum_equals_k([1, -1, 1, -1], 0) == 4   # negativos: janela não serve
    assert _subarray_sum_no_seed([1, 2, 3], 3) == 1        # perde [1, 2], que começa no 0
    assert _two_sum_store_first([3, 2, 4], 6) == (0, 0)    # usou o 3 com ele mesmo
    for _ in range(2000):
        nums = [rng.randint(-4, 4) for _ in range(rng.randint(0, 10))]
        k = rng.randint(-5, 5)
        brute = sum(1 for i in range(len(nums)) for j in range(i + 1, len(nums) + 1)
                    if sum(nums[i:j]) == k)
        assert subarray_sum_equals_k(nums, k) == brute, (nums, k)
        res = two_sum(nums, k)
        exists = any(nums[i] + nums[j] == k
                     for i in range(len(nums)) for j in range(i + 1, len(nums)))
        assert (res is not None) == exists
        if res:
            assert res[0] < res[1] and nums[res[0]] + nums[res[1]] == k
    print("hash map e somas de prefixo: conferem com a força bruta (inclusive com negativos)")


def test_binary_search(rng: random.Random) -> None:
    a = [1, 2, 2, 2, 5, 7]
    assert lower_bound(a, 2) == bisect.bisect_left(a, 2) == 1
    assert bisect.bisect_right(a, 2) == 4
    assert lower_bound(a, 8) == 6 and lower_bound([], 3) == 0
    assert count_in_range(a, 2, 5) == 4
    rows = [(1, "a"), (3, "b"), (5, "c")]
    assert bisect.bisect_left(rows, 3, key=lambda r: r[0]) == 1     # key (3.10+) NÃO vale para x
    try:
        bisect.bisect_left(rows, (3, "b"), key=lambda r: r[0])      # compara (3, "b") com 3
        raise AssertionError("deveria ter falhado")
    except TypeError:
        pass
    bisect.insort(rows, (4, "x"), key=lambda r: r[0])              # no insort, key vale para x
    assert rows == [(1, "a"), (3, "b"), (4, "x"), (5, "c")]
    assert ship_within_days([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == 15
    assert ship_within_days([3, 2, 2, 4, 1, 4], 3) == 6
    assert ship_within_days([1, 2, 3, 1, 1], 4) == 3
    for _ in range(3000):
        a = sorted(rng.randint(0, 10) for _ in range(rng.randint(0, 10)))
        x = rng.randint(-1, 11)
        assert lower_bound(a, x) == bisect.bisect_left(a, x)
        lo, hi = sorted((rng.randint(-1, 11), rng.randint(-1, 11)))
        assert count_in_range(a, lo, hi) == sum(1 for v in a if lo <= v <= hi)
        weights = [rng.randint(1, 6) for _ in range(rng.randint(1, 7))]
        days = rng.randint(1, len(weights))
        brute = next(c for c in itertools.count(max(weights))
                     if _greedy_days(weights, c) <= days)
        assert ship_within_days(weights, days) == brute
    print("busca binária: lower_bound == bisect_left; busca na resposta == varredura linear")


def _greedy_days(weights: Sequence[int], capacity: int) -> int:
    days, load = 1, 0
    for w in weights:
        if load + w > capacity:
            days, load = days + 1, 0
        load += w
    return days


def test_heaps(rng: random.Random) -> None:
    assert top_k_largest([3, 1, 5, 12, 2, 11], 3) == [12, 11, 5]
    assert k_smallest([3, 1, 5, 12, 2, 11], 3) == [1, 2, 3]
    assert top_k_frequent(["b", "a", "c", "a", "b", "d"], 2) == ["a", "b"]
    assert merge_k_sorted([[1, 4, 5], [1, 3, 4], [2, 6], []]) == [1, 1, 2, 3, 4, 4, 5, 6]
    assert list(heapq.merge([1, 4, 5], [1, 3, 4], [2, 6])) == [1, 1, 2, 3, 4, 4, 5, 6]
    h = [5, 1, 8, 3]
    heapq.heapify(h)
    assert h[0] == 1                                   # min-heap: a raiz é o MENOR
    assert [heapq.heappop(h) for _ in range(4)] == [1, 3, 5, 8]
    ties: list[tuple[int, dict[str, str]]] = []
    try:                                               # empate na prioridade compara o 2º campo
        heapq.heappush(ties, (1, {"job": "a"}))
        heapq.heappush(ties, (1, {"job": "b"}))
        raise AssertionError("deveria ter falhado")
    except TypeError:
        pass
    for _ in range(2000):
        nums = [rng.randint(-20, 20) for _ in range(rng.randint(1, 12))]
        k = rng.randint(1, len(nums))
        assert top_k_largest(nums, k) == sorted(nums, reverse=True)[:k] == heapq.nlargest(k, nums)
        assert k_smallest(nums, k) == sorted(nums)[:k] == heapq.nsmallest(k, nums)
        lists = [sorted(rng.randint(0, 9) for _ in range(rng.randint(0, 4)))
                 for _ in range(rng.randint(0, 4))]
        assert merge_k_sorted(lists) == sorted(itertools.chain.from_iterable(lists))
    print("heaps: top-k, k menores (max-heap por negação) e merge de k listas conferem com sorted")


def _bfs_pushes(graph: dict[int, list[int]], start: int, mark_on_enqueue: bool) -> int:
    seen, queue, pushes = {start}, deque([start]), 1
    while queue:
        u = queue.popleft()
        if not mark_on_enqueue:
            seen.add(u)                       # marcar só aqui deixa duplicatas na fila
        for v in graph[u]:
            if v not in seen:
                if mark_on_enqueue:
                    seen.add(v)
                queue.append(v)
                pushes += 1
    return pushes


def test_graphs(rng: random.Random) -> None:
    graph = {0: [1, 2], 1: [3], 2: [3], 3: [4], 4: []}
    assert bfs_shortest_path(graph, 0, 4) == [0, 1, 3, 4]
    assert bfs_shortest_path(graph, 4, 0) is None
    assert count_islands(["11000", "11000", "00100", "00011"]) == 3
    assert _bfs_pushes(graph, 0, mark_on_enqueue=True) == 5          # cada nó entra uma vez
    assert _bfs_pushes(graph, 0, mark_on_enqueue=False) == 7         # 3 e 4 entram 2 vezes cada
    assert topo_sort(4, [(0, 1), (0, 2), (1, 3), (2, 3)]) == [0, 1, 2, 3]
    assert topo_sort(3, [(0, 1), (1, 2), (2, 1)]) is None
    assert has_cycle_undirected(3, [(0, 1), (1, 2)]) is False
    assert has_cycle_undirected(3, [(0, 1), (1, 2), (2, 0)]) is True

    # BFS devolve o caminho com MENOS arestas: confere com força bruta por profundidade.
    for _ in range(500):
        n = rng.randint(1, 7)
        g = {u: sorted(rng.sample(range(n), rng.randint(0, min(3, n)))) for u in range(n)}
        s, t = rng.randrange(n), rng.randrange(n)
        path = bfs_shortest_path(g, s, t)
        dist = {s: 0}
        frontier = [s]
        while frontier:                               # BFS "por camadas" como referência
            nxt = []
            for u in frontier:
                for v in g[u]:
                    if v not in dist:
                        dist[v] = dist[u] + 1
                        nxt.append(v)
            frontier = nxt
        if t in dist:
            assert path is not None and len(path) - 1 == dist[t]
            assert all(b in g[a] for a, b in itertools.pairwise(path))
        else:
            assert path is None
        edges = sorted({(u, v) for u in g for v in g[u]})
        order = topo_sort(n, edges)
        acyclic = any(all(pos[u] < pos[v] for u, v in edges)
                      for perm in itertools.permutations(range(n))
                      for pos in [{x: i for i, x in enumerate(perm)}]) if n <= 6 else None
        if acyclic is not None:
            assert (order is not None) == acyclic
        if order is not None:
            pos = {x: i for i, x in enumerate(order)}
            assert all(pos[u] < pos[v] for u, v in edges)

    # Union-find: um grafo simples tem ciclo  <=>  E > V - (número de componentes).
    for _ in range(1000):
        n = rng.randint(1, 7)
        uedges = rng.sample(list(itertools.combinations(range(n), 2)), rng.randint(0, min(6, n * (n - 1) // 2)))
        adj: dict[int, set[int]] = {u: set() for u in range(n)}
        for u, v in uedges:
            adj[u].add(v)
            adj[v].add(u)
        seen_nodes: set[int] = set()
        components = 0
        for s in range(n):
            if s not in seen_nodes:
                components += 1
                stack = [s]
                seen_nodes.add(s)
                while stack:
                    for v in adj[stack.pop()]:
                        if v not in seen_nodes:
                            seen_nodes.add(v)
                            stack.append(v)
        assert has_cycle_undirected(n, uedges) == (len(uedges) > n - components)

    # Dijkstra == Bellman-Ford com pesos >= 0.
    for _ in range(500):
        nodes = [chr(ord("a") + i) for i in range(rng.randint(1, 6))]
        wedges = [(u, v, rng.randint(0, 9)) for u in nodes for v in nodes
                  if u != v and rng.random() < 0.4]
        wg: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for u, v, w in wedges:
            wg[u].append((v, w))
        bf = {v: d for v, d in bellman_ford(nodes, wedges, "a").items() if d != math.inf}
        assert dijkstra(wg, "a") == bf
        g01: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for u, v, w in wedges:
            g01[u].append((v, w % 2))                 # pesos 0/1
        assert bfs_01(g01, "a") == dijkstra(g01, "a")
        dag_edges = [(u, v, w - 5) for u, v, w in wedges if u < v]  # u < v: acíclico; negativos
        bf_dag = bellman_ford(nodes, dag_edges, "a")
        assert dag_shortest_paths(nodes, dag_edges, "a") == bf_dag
    print("grafos: BFS, ilhas, Kahn, union-find, Dijkstra, BFS 0-1 e DAG conferem com as referências")

    # Peso negativo: Dijkstra fecha `a` cedo demais (finaliza no pop) e erra a e t.
    neg = {"s": [("a", 2), ("b", 5)], "b": [("a", -4)], "a": [("t", 1)]}
    neg_edges = [(u, v, w) for u in neg for v, w in neg[u]]
    wrong = dijkstra(neg, "s")
    right = bellman_ford(["s", "a", "b", "t"], neg_edges, "s")
    assert (wrong["a"], wrong["t"]) == (2, 3) and (right["a"], right["t"]) == (1, 2)
    again, processed = dijkstra_reprocess(neg, "s")
    assert (again["a"], again["t"]) == (1, 2)         # acerta, mas reprocessou nós
    assert processed > 4                              # a e t foram expandidos duas vezes
    print(f"peso negativo: Dijkstra a={wrong['a']} t={wrong['t']}; "
          f"Bellman-Ford a={right['a']} t={right['t']}; "
          f"variante que reprocessa a={again['a']} t={again['t']} ({processed} expansões para 4 nós)")


def _merge_without_max(intervals: Sequence[Sequence[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = end               # BUG: intervalo contido encolhe o anterior
        else:
            merged.append([start, end])
    return merged


def test_intervals(rng: random.Random) -> None:
    assert merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]]) == [[1, 6], [8, 10], [15, 18]]
    assert merge_intervals([[1, 4], [4, 5]]) == [[1, 5]]          # fechados: encostar mescla
    assert merge_intervals([[1, 10], [2, 3], [4, 5]]) == [[1, 10]]  # contido: o max importa
    assert _merge_without_max([[4, 5], [1, 10], [2, 3]]) == [[1, 3], [4, 5]]
    original = [[1, 3], [2, 4]]
    merge_intervals(original)
    assert original == [[1, 3], [2, 4]]                             # não altera a entrada
    assert min_meeting_rooms([[0, 30], [5, 10], [15, 20]]) == 2
    assert min_meeting_rooms([[1, 5], [5, 8]]) == 1                 # semiabertos: reusa
    for _ in range(2000):
        ivs = [sorted((rng.randint(0, 20), rng.randint(0, 20))) for _ in range(rng.randint(0, 6))]
        covered = {x for s, e in ivs for x in range(2 * s, 2 * e + 1)}  # pontos e meios-pontos
        merged = merge_intervals(ivs)
        assert {x for s, e in merged for x in range(2 * s, 2 * e + 1)} == covered
        assert all(a[1] < b[0] for a, b in itertools.pairwise(merged))
        meetings = [(s, s + rng.randint(1, 6)) for s in (rng.randint(0, 12) for _ in range(rng.randint(0, 6)))]
        peak = max((sum(1 for s, e in meetings if s <= t < e) for t in range(0, 20)), default=0)
        assert min_meeting_rooms(meetings) == peak
    print("intervalos: merge e salas de reunião conferem com a força bruta")


def test_backtracking() -> None:
    assert subsets([1, 2, 3]) == [[], [1], [1, 2], [1, 2, 3], [1, 3], [2], [2, 3], [3]]
    assert len(subsets(list(range(10)))) == 2 ** 10
    assert permutations([1, 2, 3]) == [list(p) for p in itertools.permutations([1, 2, 3])]
    assert combination_sum([2, 3, 6, 7], 7) == [[2, 2, 3], [7]]
    assert combination_sum([2, 3, 5], 8) == [[2, 2, 2, 2], [2, 3, 3], [3, 5]]
    assert combination_sum([5], 3) == []
    rng = random.Random(78)
    for _ in range(300):
        nums = [rng.randint(1, 3) for _ in range(rng.randint(0, 6))]
        expected = sorted({tuple(sorted(c)) for r in range(len(nums) + 1)
                           for c in itertools.combinations(nums, r)})
        got = subsets_with_dup(nums)
        assert len(got) == len(expected) and sorted(map(tuple, got)) == expected
    assert subsets_buggy([1, 2]) == [[], [], [], []]                # 4 referências à mesma lista vazia
    print("backtracking: subconjuntos, permutações e combination sum; sem cópia, tudo vira []")


def main() -> None:
    rng = random.Random(2024)
    test_two_pointers(rng)
    test_windows(rng)
    test_hash_and_prefix(rng)
    test_binary_search(rng)
    test_heaps(rng)
    test_graphs(rng)
    test_intervals(rng)
    test_backtracking()


if __name__ == "__main__":
    main()
