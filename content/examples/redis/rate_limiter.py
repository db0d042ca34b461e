"""Rate limiting distribuído no Redis: janela fixa (MULTI) vs janela deslizante (script Lua).

O que observar:
- Janela fixa com `INCR` + `PEXPIRE` dentro de MULTI/EXEC (pipeline transacional): simples e
  barata, mas na fronteira entre duas janelas deixa passar até 2x o limite em poucos segundos.
- Janela deslizante (sliding window log) com um sorted set e um script Lua: o script inteiro roda
  de forma atômica no Redis (execução de comandos é single-threaded), então "limpar, contar,
  decidir e registrar" não sofre corrida mesmo com 20 threads batendo ao mesmo tempo.
- Quando nega, o script devolve em quantos ms a requisição mais antiga sai da janela: é o valor
  do cabeçalho `Retry-After` (em segundos, arredondado para cima) de uma resposta 429.
- O relógio é injetado (`now_ms` vem do chamador) para a saída ser determinística; em produção
  use um relógio único (por exemplo `redis.call('TIME')` dentro do script) para evitar clock skew
  entre instâncias da aplicação.

Precisa de um Redis real em KB_REDIS_URL:
    python scripts/services.py run -- python content/examples/redis/rate_limiter.py
"""

import math
import os
import sys
import threading
import uuid

import redis

URL = os.environ.get("KB_REDIS_URL")
if not URL:
    print(
        "KB_REDIS_URL não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/redis/rate_limiter.py",
        file=sys.stderr,
    )
    sys.exit(2)

r = redis.Redis.from_url(URL, decode_responses=True)
PREFIX = f"kb:example:ratelimit:{uuid.uuid4().hex}"  # prefixo único: não colide com ninguém


# region: fixed-window
def fixed_window_allow(user: str, limit: int, window_ms: int, now_ms: int) -> bool:
    window_id = now_ms // window_ms
    key = f"{PREFIX}:fixed:{user}:{window_id}"
    with r.pipeline(transaction=True) as pipe:  # MULTI ... EXEC
        pipe.incr(key)
        pipe.pexpire(key, window_ms)  # INCR e PEXPIRE juntos: nunca fica chave sem TTL
        count, _ = pipe.execute()
    return count <= limit
# endregion: fixed-window


# region: sliding-window-lua
SLIDING_WINDOW = r.register_script(
    """
    local key = KEYS[1]
    local now = tonumber(ARGV[1])
    local window = tonumber(ARGV[2])
    local limit = tonumber(ARGV[3])
    local member = ARGV[4]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)  -- descarta o que saiu da janela
    local count = redis.call('ZCARD', key)
    if count < limit then
        redis.call('ZADD', key, now, member)
        redis.call('PEXPIRE', key, window)
        return {1, limit - count - 1, 0}           -- permitido, restantes, retry_after_ms
    end
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return {0, 0, tonumber(oldest[2]) + window - now}
    """
)


def sliding_window_allow(user: str, limit: int, window_ms: int, now_ms: int):
    key = f"{PREFIX}:sliding:{user}"
    allowed, remaining, retry_ms = SLIDING_WINDOW(
        keys=[key], args=[now_ms, window_ms, limit, uuid.uuid4().hex]
    )
    return bool(allowed), remaining, retry_ms
# endregion: sliding-window-lua


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
    limit, window = 10, 60_000  # 10 requisições por minuto

    # 1) Concorrência: 20 threads no mesmo instante contra o script Lua -> exatamente 10 passam.
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def worker() -> None:
        barrier.wait()
        ok, _, _ = sliding_window_allow("alice", limit, window, now_ms=1_000_000)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    allowed = results.count(True)
    denied = results.count(False)
    print(f"janela deslizante, 20 threads simultâneas: {allowed} permitidas, {denied} negadas")
    assert (allowed, denied) == (10, 10)

    # 2) Retry-After: 30 s depois, ainda negado; faltam 30 s para a mais antiga sair da janela.
    ok, _, retry_ms = sliding_window_allow("alice", limit, window, now_ms=1_030_000)
    retry_after = math.ceil(retry_ms / 1000)
    print(f"30 s depois: permitido={ok}, HTTP 429 com Retry-After: {retry_after}")
    assert not ok and retry_after == 30

    # 3) Passada a janela, as 10 antigas expiram e o usuário volta a ter 10 requisições.
    ok, remaining, _ = sliding_window_allow("alice", limit, window, now_ms=1_060_001)
    print(f"60 s depois: permitido={ok}, restantes={remaining}")
    assert ok and remaining == 9

    # 4) Explosão na fronteira: 10 req em t=59 s e 10 em t=60 s (2 janelas fixas diferentes).
    burst = [59_000] * 10 + [60_000] * 10
    fixed_ok = sum(fixed_window_allow("bob", limit, window, t) for t in burst)
    sliding_ok = sum(sliding_window_allow("bob", limit, window, t)[0] for t in burst)
    print(f"fronteira (20 req em ~1 s): janela fixa permitiu {fixed_ok}, deslizante {sliding_ok}")
    assert fixed_ok == 20  # 2x o limite em 1 segundo
    assert sliding_ok == 10


if __name__ == "__main__":
    main()
