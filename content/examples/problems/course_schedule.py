"""Course schedule (LeetCode 207 e 210): dá para fazer todos os cursos? Em que ordem?

O que mostra:
- a modelagem: `[a, b]` em `prerequisites` vira a aresta b -> a ("b antes de a"); existe
  ordem válida  <=>  o grafo direcionado não tem ciclo;
- DFS com três cores (branco / cinza / preto): aresta para um nó CINZA é aresta de retorno,
  ou seja, ciclo; aresta para um nó PRETO não é (o "diamante" prova que um `visited` booleano
  só não basta);
- a mesma DFS iterativa (pilha de iteradores) e o que acontece com a recursiva numa cadeia de
  2000 cursos: RecursionError com o limite padrão de 1000;
- Kahn (BFS por grau de entrada): sobrou curso fora da ordem => ciclo; a ordem é a resposta
  do LeetCode 210; com heap no lugar da fila sai a menor ordem lexicográfica; por camadas, o
  número mínimo de semestres;
- follow-ups de ciclo: UM ciclo para mostrar ao usuário (caminho da pilha da DFS), os cursos
  BLOQUEADOS (sobras do Kahn) e os cursos que estão EM algum ciclo (componentes fortemente
  conexas): são conjuntos diferentes;
- `graphlib.TopologicalSorter` (3.9+) como conferência;
- verificação cruzada de tudo contra uma força bruta (todas as permutações) com semente fixa.

    python content/examples/problems/course_schedule.py
"""
from __future__ import annotations

import graphlib
import heapq
import itertools
import random
from collections import Counter, deque
from collections.abc import Sequence

Prereqs = Sequence[Sequence[int]]


# region: build-graph
def build_graph(num_courses: int, prerequisites: Prereqs) -> list[list[int]]:
    graph: list[list[int]] = [[] for _ in range(num_courses)]
    for course, prereq in prerequisites:      # [a, b]: para fazer a, antes b
        graph[prereq].append(course)          # aresta b -> a
    return graph
# endregion: build-graph


# region: dfs-three-colours
WHITE, GRAY, BLACK = 0, 1, 2                  # não visto / na pilha atual / terminado


def can_finish_dfs(num_courses: int, prerequisites: Prereqs) -> bool:
    graph = build_graph(num_courses, prerequisites)
    color = [WHITE] * num_courses

    def has_cycle(u: int) -> bool:
        color[u] = GRAY                       # u está no caminho da recursão
        for v in graph[u]:
            if color[v] == GRAY:              # aresta de retorno: ciclo
                return True
            if color[v] == WHITE and has_cycle(v):
                return True
        color[u] = BLACK                      # tudo abaixo de u já foi verificado
        return False

    return not any(color[u] == WHITE and has_cycle(u) for u in range(num_courses))
# endregion: dfs-three-colours


# region: dfs-iterative
def can_finish_dfs_iterative(num_courses: int, prerequisites: Prereqs) -> bool:
    graph = build_graph(num_courses, prerequisites)
    color = [WHITE] * num_courses
    for start in range(num_courses):
        if color[start] != WHITE:
            continue
        color[start] = GRAY
        stack = [(start, iter(graph[start]))]  # o iterador lembra onde a DFS parou
        while stack:
            u, neighbours = stack[-1]
            for v in neighbours:
                if color[v] == GRAY:
                    return False
                if color[v] == WHITE:
                    color[v] = GRAY
                    stack.append((v, iter(graph[v])))
                    break                     # desce em v; volta a u depois
            else:                             # acabaram os vizinhos de u
                color[u] = BLACK
                stack.pop()
    return True
# endregion: dfs-iterative


# region: kahn
def can_finish_kahn(num_courses: int, prerequisites: Prereqs) -> bool:
    graph = build_graph(num_courses, prerequisites)
    indegree = [0] * num_courses              # quantos pré-requisitos faltam
    for course, _ in prerequisites:
        indegree[course] += 1
    queue = deque(c for c in range(num_courses) if indegree[c] == 0)
    taken = 0
    while queue:
        u = queue.popleft()
        taken += 1
        for v in graph[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                queue.append(v)
    return taken == num_courses               # quem sobrou nunca chegou a grau 0
# endregion: kahn


# region: find-order
def kahn_order(num_courses: int, prerequisites: Prereqs) -> list[int]:
    """Cursos na ordem em que ficam disponíveis; quem está num ciclo (ou depende de um) falta."""
    graph = build_graph(num_courses, prerequisites)
    indegree = [0] * num_courses
    for course, _ in prerequisites:
        indegree[course] += 1
    queue = deque(c for c in range(num_courses) if indegree[c] == 0)
    order = []
    while queue:
        u = queue.popleft()
        order.append(u)
        for v in graph[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                queue.append(v)
    return order


def find_order(num_courses: int, prerequisites: Prereqs) -> list[int]:
    """LeetCode 210: uma ordem válida, ou [] se não existe."""
    order = kahn_order(num_courses, prerequisites)
    return order if len(order) == num_courses else []
# endregion: find-order


# region: smallest-order
def smallest_order(num_courses: int, prerequisites: Prereqs) -> list[int]:
    """A menor ordem lexicográfica: heap no lugar da fila, O((V + E) log V)."""
    graph = build_graph(num_courses, prerequisites)
    indegree = [0] * num_courses
    for course, _ in prerequisites:
        indegree[course] += 1
    heap = [c for c in range(num_courses) if indegree[c] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        u = heapq.heappop(heap)               # sempre o menor curso disponível
        order.append(u)
        for v in graph[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(heap, v)
    return order if len(order) == num_courses else []
# endregion: smallest-order


# region: min-semesters
def min_semesters(num_courses: int, prerequisites: Prereqs) -> int:
    """Sem limite de cursos por semestre: número de camadas do Kahn; -1 se há ciclo."""
    graph = build_graph(num_courses, prerequisites)
    indegree = [0] * num_courses
    for course, _ in prerequisites:
        indegree[course] += 1
    layer = [c for c in range(num_courses) if indegree[c] == 0]
    semesters = taken = 0
    while layer:
        semesters += 1
        taken += len(layer)
        nxt = []
        for u in layer:
            for v in graph[u]:
                indegree[v] -= 1
                if indegree[v] == 0:
                    nxt.append(v)
        layer = nxt
    return semesters if taken == num_courses else -1
# endregion: min-semesters


# region: find-cycle
def find_cycle(num_courses: int, prerequisites: Prereqs) -> list[int] | None:
    """Um ciclo como [c0, c1, ..., c0] (cada um é pré-requisito do próximo), ou None."""
    graph = build_graph(num_courses, prerequisites)
    color = [WHITE] * num_courses
    for start in range(num_courses):
        if color[start] != WHITE:
            continue
        path = [start]                        # os nós CINZA, na ordem da pilha
        color[start] = GRAY
        stack = [iter(graph[start])]
        while stack:
            for v in stack[-1]:
                if color[v] == GRAY:          # v está no caminho: o ciclo é path[v..] + v
                    return [*path[path.index(v):], v]
                if color[v] == WHITE:
                    color[v] = GRAY
                    path.append(v)
                    stack.append(iter(graph[v]))
                    break
            else:
                color[path.pop()] = BLACK
                stack.pop()
    return None
# endregion: find-cycle


# region: blocked
def blocked_courses(num_courses: int, prerequisites: Prereqs) -> list[int]:
    """Cursos que nunca ficam disponíveis: estão num ciclo OU dependem de um."""
    taken = set(kahn_order(num_courses, prerequisites))
    return [c for c in range(num_courses) if c not in taken]
# endregion: blocked


# region: on-cycles
def courses_on_cycles(num_courses: int, prerequisites: Prereqs) -> list[int]:
    """Cursos que pertencem a algum ciclo: SCC com 2+ nós, ou laço [c, c] (Kosaraju)."""
    graph = build_graph(num_courses, prerequisites)
    reverse: list[list[int]] = [[] for _ in range(num_courses)]
    for u in range(num_courses):
        for v in graph[u]:
            reverse[v].append(u)

    finished, seen = [], [False] * num_courses   # 1ª passada: ordem de término
    for start in range(num_courses):
        if seen[start]:
            continue
        seen[start] = True
        stack = [(start, iter(graph[start]))]
        while stack:
            u, neighbours = stack[-1]
            for v in neighbours:
                if not seen[v]:
                    seen[v] = True
                    stack.append((v, iter(graph[v])))
                    break
            else:
                stack.pop()
                finished.append(u)

    component = [-1] * num_courses               # 2ª passada: grafo reverso
    for root in reversed(finished):
        if component[root] != -1:
            continue
        component[root] = root
        stack = [root]
        while stack:
            for v in reverse[stack.pop()]:
                if component[v] == -1:
                    component[v] = root
                    stack.append(v)

    size = Counter(component)
    self_loops = {c for c, p in prerequisites if c == p}
    return [c for c in range(num_courses) if size[component[c]] > 1 or c in self_loops]
# endregion: on-cycles


# region: graphlib
def can_finish_graphlib(num_courses: int, prerequisites: Prereqs) -> bool:
    ts: graphlib.TopologicalSorter[int] = graphlib.TopologicalSorter()
    for c in range(num_courses):
        ts.add(c)
    for course, prereq in prerequisites:
        ts.add(course, prereq)                # add(nó, *predecessores)
    try:
        ts.prepare()                          # detecta ciclo aqui
    except graphlib.CycleError:
        return False
    return True
# endregion: graphlib


# --------------------------------------------------------------------------- testes


def brute_force_can_finish(num_courses: int, prerequisites: Prereqs) -> bool:
    for perm in itertools.permutations(range(num_courses)):
        pos = {c: i for i, c in enumerate(perm)}
        if all(pos[p] < pos[c] for c, p in prerequisites):
            return True
    return False


def reachable(graph: list[list[int]], start: int) -> set[int]:
    seen: set[int] = set()
    stack = list(graph[start])
    while stack:
        u = stack.pop()
        if u not in seen:
            seen.add(u)
            stack.extend(graph[u])
    return seen                               # alcançáveis por 1+ arestas


def main() -> None:
    examples = [
        ((2, [[1, 0]]), True),
        ((2, [[1, 0], [0, 1]]), False),
        ((4, [[1, 0], [2, 1], [3, 2], [1, 3]]), False),   # ciclo 1 -> 2 -> 3 -> 1
        ((3, []), True),
        ((1, [[0, 0]]), False),                          # laço: o curso exige ele mesmo
    ]
    solvers = [can_finish_dfs, can_finish_dfs_iterative, can_finish_kahn, can_finish_graphlib]
    for (n, prereqs), expected in examples:
        for solve in solvers:
            assert solve(n, prereqs) is expected, (solve.__name__, n, prereqs)
        print(f"can_finish({n}, {prereqs}) = {expected}")

    # Pares repetidos: grafo e graus contam a repetição do mesmo jeito, e tudo continua certo.
    repeated = [[1, 0], [1, 0], [2, 1]]
    assert all(solve(3, repeated) for solve in solvers) and find_order(3, repeated) == [0, 1, 2]

    # Diamante: 0 -> 1 -> 3 e 0 -> 2 -> 3. Chegar em 3 pela 2ª vez (PRETO) não é ciclo.
    diamond = [[1, 0], [2, 0], [3, 1], [3, 2]]
    assert can_finish_dfs(4, diamond) and can_finish_dfs_iterative(4, diamond)
    assert find_order(4, diamond) == [0, 1, 2, 3]

    # Ordem (LeetCode 210), menor ordem lexicográfica e semestres.
    assert find_order(2, [[1, 0]]) == [0, 1]
    assert find_order(2, [[1, 0], [0, 1]]) == []
    assert smallest_order(4, [[0, 3], [1, 3], [2, 1]]) == [3, 0, 1, 2]
    assert min_semesters(4, diamond) == 3
    assert min_semesters(2, [[1, 0], [0, 1]]) == -1
    swapped = [[p, c] for c, p in diamond]            # arestas invertidas por engano
    assert find_order(4, swapped) == [3, 1, 2, 0]     # ordem válida para o grafo ERRADO
    print("ordem do diamante:", find_order(4, diamond), "| com pares invertidos:", find_order(4, swapped))

    # Follow-ups de ciclo: um ciclo, bloqueados e "em ciclo" são respostas diferentes.
    # 0 -> 1 -> 2 -> 0 é o ciclo; 3 depende de 2 (bloqueado, mas fora do ciclo); 4 é livre.
    prereqs = [[1, 0], [2, 1], [0, 2], [3, 2]]
    cycle = find_cycle(5, prereqs)
    assert cycle == [0, 1, 2, 0]
    assert blocked_courses(5, prereqs) == [0, 1, 2, 3]
    assert courses_on_cycles(5, prereqs) == [0, 1, 2]
    print("um ciclo:", cycle, "| bloqueados:", blocked_courses(5, prereqs),
          "| em ciclo:", courses_on_cycles(5, prereqs))
    try:                                              # graphlib também aponta um ciclo
        graphlib.TopologicalSorter({1: {0}, 2: {1}, 0: {2}, 3: {2}}).prepare()
        raise AssertionError("deveria detectar o ciclo")
    except graphlib.CycleError as e:
        found = e.args[1]                             # [x, ..., x]: cada um precede o próximo
        assert found[0] == found[-1] and set(found) == {0, 1, 2}

    # Verificação cruzada com força bruta (todas as permutações) em grafos pequenos.
    rng = random.Random(207)
    checks = 0
    for _ in range(1500):
        n = rng.randint(1, 6)
        pairs = list(itertools.product(range(n), repeat=2))
        prereqs = [list(p) for p in rng.sample(pairs, rng.randint(0, min(len(pairs), 8)))]
        expected = brute_force_can_finish(n, prereqs)
        for solve in solvers:
            assert solve(n, prereqs) is expected, (solve.__name__, n, prereqs)
        order = find_order(n, prereqs)
        if expected:
            pos = {c: i for i, c in enumerate(order)}
            assert sorted(order) == list(range(n))
            assert all(pos[p] < pos[c] for c, p in prereqs)
            assert find_cycle(n, prereqs) is None and courses_on_cycles(n, prereqs) == []
            assert smallest_order(n, prereqs) == min(
                list(perm) for perm in itertools.permutations(range(n))
                if all(perm.index(p) < perm.index(c) for c, p in prereqs))
        else:
            assert order == [] and min_semesters(n, prereqs) == -1
            cyc = find_cycle(n, prereqs)
            edges = {(p, c) for c, p in prereqs}
            assert cyc is not None and cyc[0] == cyc[-1]
            assert all((a, b) in edges for a, b in itertools.pairwise(cyc))
        graph = build_graph(n, prereqs)
        on_cycle = [c for c in range(n) if c in reachable(graph, c)]   # c alcança c
        assert courses_on_cycles(n, prereqs) == on_cycle, (n, prereqs)
        blocked = [c for c in range(n)
                   if any(b in on_cycle for b in [c] + [x for x in range(n) if c in reachable(graph, x)])]
        assert blocked_courses(n, prereqs) == blocked, (n, prereqs)
        checks += 1
    print(f"verificação cruzada com força bruta: {checks} grafos ok")

    # Profundidade: cadeia 0 -> 1 -> ... -> 1999 (o limite do LeetCode é 2000 cursos).
    n = 2000
    chain = [[i + 1, i] for i in range(n - 1)]
    assert can_finish_kahn(n, chain) and can_finish_dfs_iterative(n, chain)
    try:
        can_finish_dfs(n, chain)
        print("DFS recursiva numa cadeia de 2000: ok")
    except RecursionError:
        print("DFS recursiva numa cadeia de 2000: RecursionError (limite padrão 1000)")
    else:
        raise AssertionError("esperava RecursionError com o limite padrão")


if __name__ == "__main__":
    main()
