"""Cache-aside com TTL e proteção contra stampede (lock com SET NX PX) num Redis real.

O que observar:
- Cache-aside: a aplicação lê do cache; no miss, carrega da fonte lenta e grava com TTL.
- Sem proteção, N threads que encontram a mesma chave vazia ao mesmo tempo chamam o loader
  lento N vezes (cache stampede / dogpile).
- Com um lock por chave (`SET lock token NX PX 5000`) só quem ganha o lock chama o loader;
  os demais esperam o valor aparecer no cache. Resultado: o loader roda UMA vez.
- Depois de ganhar o lock, relê o cache (double-check): uma thread que deu miss logo antes de o
  vencedor gravar e soltar o lock conseguiria o lock em seguida e recarregaria à toa.
- O lock tem expiração (PX) para não ficar preso se o dono morrer, e é liberado com um script
  Lua "compara o token e apaga": nunca apaga o lock de outra thread que o pegou depois.
- Negative caching: um id inexistente também é cacheado (com TTL curto), então ataques/bugs
  que pedem ids que não existem não batem no banco a cada requisição (cache penetration).

Precisa de um Redis real em KB_REDIS_URL:
    python scripts/services.py run -- python content/examples/redis/cache_aside.py
"""

import json
import os
import sys
import threading
import time
import uuid

import redis

URL = os.environ.get("KB_REDIS_URL")
if not URL:
    print(
        "KB_REDIS_URL não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/redis/cache_aside.py",
        file=sys.stderr,
    )
    sys.exit(2)

r = redis.Redis.from_url(URL, decode_responses=True)
PREFIX = f"kb:example:cache:{uuid.uuid4().hex}"
N_THREADS = 10
TTL_S = 300
NEGATIVE_TTL_S = 30
MISSING = "__missing__"  # sentinela do negative caching

loader_calls = 0
calls_lock = threading.Lock()
PRODUCTS = {1: {"id": 1, "name": "teclado", "price": 199}}


def slow_load_product(product_id: int) -> dict | None:
    """Simula uma consulta cara ao banco."""
    global loader_calls
    with calls_lock:
        loader_calls += 1
    time.sleep(0.5)
    return PRODUCTS.get(product_id)


# region: naive
def get_product_naive(product_id: int) -> dict | None:
    key = f"{PREFIX}:naive:product:{product_id}"
    cached = r.get(key)
    if cached is not None:
        return json.loads(cached)
    value = slow_load_product(product_id)  # todas as threads que erraram o cache chegam aqui
    r.set(key, json.dumps(value), ex=TTL_S)
    return value
# endregion: naive


# region: cache-aside-lock
RELEASE = r.register_script(
    """
    if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
    end
    return 0
    """
)


def get_product(product_id: int) -> dict | None:
    key = f"{PREFIX}:product:{product_id}"
    lock_key = f"{key}:lock"
    while True:
        cached = r.get(key)
        if cached is not None:  # hit (inclusive o negativo)
            return None if cached == MISSING else json.loads(cached)
        token = uuid.uuid4().hex
        if r.set(lock_key, token, nx=True, px=5_000):  # só um ganha
            try:
                cached = r.get(key)  # double-check: outro pode ter preenchido e soltado o lock
                if cached is not None:
                    return None if cached == MISSING else json.loads(cached)
                value = slow_load_product(product_id)
                if value is None:  # negative caching, TTL curto
                    r.set(key, MISSING, ex=NEGATIVE_TTL_S)
                else:
                    r.set(key, json.dumps(value), ex=TTL_S)
                return value
            finally:
                RELEASE(keys=[lock_key], args=[token])  # compare-and-delete atômico
        time.sleep(0.02)  # perdeu o lock: espera o vencedor preencher o cache
# endregion: cache-aside-lock


def run_concurrently(fn, product_id: int) -> list:
    results: list = []
    barrier = threading.Barrier(N_THREADS)
    out_lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        value = fn(product_id)
        with out_lock:
            results.append(value)

    threads = [threading.Thread(target=worker) for _ in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> None:
    try:
        scenarios()
    finally:  # limpa mesmo se um assert falhar
        keys = list(r.scan_iter(match=f"{PREFIX}:*"))
        if keys:
            r.delete(*keys)
    assert not list(r.scan_iter(match=f"{PREFIX}:*"))
    print("chaves removidas")


def scenarios() -> None:
    global loader_calls

    loader_calls = 0
    results = run_concurrently(get_product_naive, 1)
    print(f"sem lock: {N_THREADS} threads, loader executou {loader_calls} vezes")
    assert loader_calls == N_THREADS  # stampede: todas foram ao banco

    loader_calls = 0
    results = run_concurrently(get_product, 1)
    print(f"com lock SET NX PX: {N_THREADS} threads, loader executou {loader_calls} vez")
    assert loader_calls == 1
    assert all(v == PRODUCTS[1] for v in results)

    ttl = r.ttl(f"{PREFIX}:product:1")
    print(f"valor cacheado com TTL entre 1 e {TTL_S} s: {0 < ttl <= TTL_S}")
    assert 0 < ttl <= TTL_S

    loader_calls = 0
    get_product(1)
    print(f"leitura seguinte (hit): loader executou {loader_calls} vezes")
    assert loader_calls == 0

    # Negative caching: id 999 não existe; só a primeira consulta chega ao "banco".
    loader_calls = 0
    first, second = get_product(999), get_product(999)
    neg_ttl = r.ttl(f"{PREFIX}:product:999")
    print(f"id inexistente 2x: {first}, {second}; loader executou {loader_calls} vez")
    assert (first, second, loader_calls) == (None, None, 1)
    assert 0 < neg_ttl <= NEGATIVE_TTL_S


if __name__ == "__main__":
    main()
