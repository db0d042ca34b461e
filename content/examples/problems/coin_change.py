"""Coin change (LeetCode 322): menor número de moedas para formar um valor.

O que mostra:
- força bruta recursiva (exponencial), memoização top-down com `functools.lru_cache` e a
  versão bottom-up O(amount * len(coins)) de tempo e O(amount) de memória;
- reconstrução das moedas usadas (follow-up comum) e a variação "quantas combinações"
  (LeetCode 518), onde a ORDEM dos laços decide entre combinações e permutações;
- armadilhas: o guloso falha em sistemas de moedas não canônicos ([1, 3, 4], valor 6) e a
  versão recursiva estoura o limite de recursão para valores grandes;
- asserts em casos conhecidos e uma verificação cruzada contra a força bruta em milhares de
  entradas pequenas geradas com semente fixa.
"""
from __future__ import annotations

import math
import random
import sys
from functools import lru_cache
from typing import Sequence


# region: brute-force
def min_coins_brute(coins: Sequence[int], amount: int) -> int:
    if amount == 0:
        return 0
    best = math.inf
    for c in coins:
        if c <= amount:
            sub = min_coins_brute(coins, amount - c)
            if sub != -1:
                best = min(best, sub + 1)
    return -1 if best == math.inf else int(best)
# endregion: brute-force


# region: memo
def min_coins_memo(coins: Sequence[int], amount: int) -> int:
    coins = sorted(set(coins))

    @lru_cache(maxsize=None)
    def solve(rest: int) -> float:          # f(rest): mínimo de moedas para "rest"
        if rest == 0:
            return 0
        best = math.inf
        for c in coins:
            if c > rest:
                break                       # ordenadas: as próximas também não cabem
            best = min(best, solve(rest - c) + 1)
        return best

    result = solve(amount)
    return -1 if result == math.inf else int(result)
# endregion: memo


# region: bottom-up
def min_coins(coins: Sequence[int], amount: int) -> int:
    INF = amount + 1                        # nenhuma solução usa mais que `amount` moedas
    dp = [0] + [INF] * amount               # dp[a] = mínimo de moedas para formar a
    for a in range(1, amount + 1):
        for c in coins:
            if c <= a and dp[a - c] + 1 < dp[a]:
                dp[a] = dp[a - c] + 1
    return dp[amount] if dp[amount] != INF else -1
# endregion: bottom-up


# region: reconstruct
def min_coins_with_path(coins: Sequence[int], amount: int) -> list[int] | None:
    INF = amount + 1
    dp = [0] + [INF] * amount
    last = [0] * (amount + 1)               # última moeda usada para chegar em a
    for a in range(1, amount + 1):
        for c in coins:
            if c <= a and dp[a - c] + 1 < dp[a]:
                dp[a], last[a] = dp[a - c] + 1, c
    if dp[amount] == INF:
        return None
    path, a = [], amount
    while a:
        path.append(last[a])
        a -= last[a]
    return path
# endregion: reconstruct


# region: count-ways
def count_combinations(coins: Sequence[int], amount: int) -> int:
    ways = [1] + [0] * amount
    for c in coins:                         # moedas por fora: cada multiconjunto conta 1 vez
        for a in range(c, amount + 1):
            ways[a] += ways[a - c]
    return ways[amount]


def count_permutations(coins: Sequence[int], amount: int) -> int:
    ways = [1] + [0] * amount
    for a in range(1, amount + 1):          # valor por fora: ordens diferentes contam
        for c in coins:
            if c <= a:
                ways[a] += ways[a - c]
    return ways[amount]
# endregion: count-ways


def greedy(coins: Sequence[int], amount: int) -> int:
    count = 0
    for c in sorted(coins, reverse=True):
        count += amount // c
        amount %= c
    return count if amount == 0 else -1


def main() -> None:
    known = [
        (([1, 2, 5], 11), 3),               # 5 + 5 + 1
        (([2], 3), -1),                     # impossível
        (([1], 0), 0),                      # valor zero: zero moedas
        (([1, 3, 4], 6), 2),                # 3 + 3 (o guloso daria 4 + 1 + 1)
        (([186, 419, 83, 408], 6249), 20),
        (([7], 7), 1),
        (([5, 10], 3), -1),                 # todas as moedas maiores que o valor
    ]
    for (coins, amount), expected in known:
        assert min_coins(coins, amount) == expected, (coins, amount)
        assert min_coins_memo(coins, amount) == expected, (coins, amount)
        print(f"min_coins({coins}, {amount}) = {expected}")

    # Verificação cruzada contra a força bruta em entradas pequenas (semente fixa).
    rng = random.Random(322)
    checks = 0
    for _ in range(1500):
        coins = rng.sample(range(1, 11), rng.randint(1, 4))
        amount = rng.randint(0, 18)
        expected = min_coins_brute(coins, amount)
        assert min_coins(coins, amount) == expected, (coins, amount)
        assert min_coins_memo(coins, amount) == expected, (coins, amount)
        path = min_coins_with_path(coins, amount)
        if expected == -1:
            assert path is None
        else:
            assert len(path) == expected and sum(path) == amount and set(path) <= set(coins)
        checks += 1
    print(f"verificação cruzada com força bruta: {checks} casos ok")

    # Reconstrução e variações.
    print("moedas usadas para 11 com [1, 2, 5]:", sorted(min_coins_with_path([1, 2, 5], 11)))
    assert count_combinations([1, 2, 5], 5) == 4     # 5, 2+2+1, 2+1+1+1, 1*5
    assert count_permutations([1, 2], 3) == 3        # 1+1+1, 1+2, 2+1
    assert count_combinations([1, 2], 3) == 2        # {1,1,1}, {1,2}
    print("combinações de [1, 2, 5] para 5:", count_combinations([1, 2, 5], 5))
    print("permutações de [1, 2] para 3:", count_permutations([1, 2], 3),
          "| combinações:", count_combinations([1, 2], 3))

    # Armadilha 1: guloso não é ótimo para qualquer sistema de moedas.
    assert greedy([1, 3, 4], 6) == 3 and min_coins([1, 3, 4], 6) == 2
    print("guloso [1, 3, 4] valor 6:", greedy([1, 3, 4], 6), "moedas; DP:", min_coins([1, 3, 4], 6))

    # Armadilha 2: a memoização recursiva tem profundidade ~ amount / menor moeda.
    print("limite de recursão:", sys.getrecursionlimit())
    try:
        min_coins_memo([1], 5000)
        print("memo com amount=5000: ok")
    except RecursionError:
        print("memo com amount=5000 e moeda 1: RecursionError")
    assert min_coins([1], 5000) == 5000
    print("bottom-up com amount=5000: 5000")


if __name__ == "__main__":
    main()
