"""Estruturas de dados do Redis aplicadas: leaderboard, sessão, fila com consumer group, pub/sub.

O que observar:
- Sorted set (ZSET) como leaderboard: `ZINCRBY` atualiza a pontuação em O(log N) e
  `ZRANGE ... REV WITHSCORES` / `ZREVRANK` respondem "top N" e "minha posição" sem ordenar nada
  na aplicação.
- Hash como sessão: campos individuais (`HSET`/`HINCRBY`) sem reescrever um JSON inteiro, e
  `EXPIRE` na chave inteira (o TTL é da chave, não de cada campo, até o Redis 7.4 trazer HEXPIRE).
- Stream com consumer group: cada mensagem vai para UM consumidor do grupo; fica na PEL
  (pending entries list) até o `XACK`. Se o consumidor morre antes do ACK, outro a recupera com
  `XAUTOCLAIM` (Redis 6.2+): entrega at-least-once, então o processamento deve ser idempotente.
- Pub/sub é fire-and-forget: `PUBLISH` sem assinantes conectados devolve 0 e a mensagem some.
  O stream guarda a mensagem até alguém ler e confirmar.

Precisa de um Redis real em KB_REDIS_URL:
    python scripts/services.py run -- python content/examples/redis/data_structures.py
"""

import os
import sys
import time
import uuid

import redis

URL = os.environ.get("KB_REDIS_URL")
if not URL:
    print(
        "KB_REDIS_URL não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/redis/data_structures.py",
        file=sys.stderr,
    )
    sys.exit(2)

r = redis.Redis.from_url(URL, decode_responses=True)
PREFIX = f"kb:example:ds:{uuid.uuid4().hex}"


def leaderboard() -> None:
    # region: leaderboard
    board = f"{PREFIX}:leaderboard"
    r.zadd(board, {"ana": 120, "bruno": 95, "carla": 150, "davi": 80})
    r.zincrby(board, 40, "bruno")  # bruno: 95 -> 135
    top3 = r.zrange(board, 0, 2, desc=True, withscores=True)
    rank_bruno = r.zrevrank(board, "bruno")  # 0 = primeiro lugar
    # endregion: leaderboard
    print("top 3:", [(name, int(score)) for name, score in top3])
    print("posição do bruno (0 = primeiro):", rank_bruno)
    assert [n for n, _ in top3] == ["carla", "bruno", "ana"]
    assert rank_bruno == 1


def session() -> None:
    # region: session-hash
    sid = f"{PREFIX}:session:abc123"
    r.hset(sid, mapping={"user_id": "42", "role": "admin", "cart_items": "0"})
    r.hincrby(sid, "cart_items", 2)  # altera um campo sem ler/reescrever o resto
    r.expire(sid, 1800)  # sessão expira em 30 min de inatividade (renove a cada acesso)
    # endregion: session-hash
    data = r.hgetall(sid)
    print("sessão:", dict(sorted(data.items())), "TTL ok:", 0 < r.ttl(sid) <= 1800)
    assert data["cart_items"] == "2"


def stream_consumer_group() -> None:
    # region: stream-group
    stream, group = f"{PREFIX}:orders", "billing"
    r.xgroup_create(stream, group, id="0", mkstream=True)
    for order in ("o-1", "o-2", "o-3"):
        r.xadd(stream, {"order": order})

    # worker-a lê 2 mensagens e "morre" antes de confirmar a segunda.
    batch = r.xreadgroup(group, "worker-a", {stream: ">"}, count=2)
    (_, msgs_a), = batch
    r.xack(stream, group, msgs_a[0][0])  # só o primeiro foi processado

    # worker-b pega a mensagem restante que ninguém leu ainda.
    (_, msgs_b), = r.xreadgroup(group, "worker-b", {stream: ">"}, count=10)

    pending = r.xpending(stream, group)["pending"]  # o-2 (worker-a) e o-3 (worker-b)
    r.xack(stream, group, msgs_b[0][0])

    # Recuperação: worker-b reivindica o que está pendente há mais de 0 ms.
    _, claimed, _ = r.xautoclaim(stream, group, "worker-b", min_idle_time=0, start_id="0-0")
    r.xack(stream, group, *[msg_id for msg_id, _ in claimed])
    # endregion: stream-group
    print("worker-a recebeu:", [f["order"] for _, f in msgs_a])
    print("worker-b recebeu:", [f["order"] for _, f in msgs_b])
    print("pendentes antes da recuperação:", pending)
    print("reivindicadas por worker-b:", [f["order"] for _, f in claimed])
    print("pendentes no fim:", r.xpending(stream, group)["pending"])
    assert [f["order"] for _, f in claimed] == ["o-2"]
    assert r.xpending(stream, group)["pending"] == 0


def pubsub_vs_stream() -> None:
    # region: pubsub-fire-and-forget
    channel = f"{PREFIX}:events"
    receivers = r.publish(channel, "pedido criado")  # ninguém assinando agora
    # endregion: pubsub-fire-and-forget
    print("PUBLISH sem assinantes, receptores:", receivers)
    assert receivers == 0

    p = r.pubsub()
    p.subscribe(channel)
    assert p.get_message(timeout=1)["type"] == "subscribe"
    receivers = r.publish(channel, "pedido pago")
    msg = None
    deadline = time.monotonic() + 2
    while msg is None and time.monotonic() < deadline:
        msg = p.get_message(ignore_subscribe_messages=True, timeout=0.1)
    print("com 1 assinante, receptores:", receivers, "| recebeu:", msg["data"])
    assert receivers == 1 and msg["data"] == "pedido pago"
    p.close()


def main() -> None:
    try:
        leaderboard()
        session()
        stream_consumer_group()
        pubsub_vs_stream()
    finally:
        keys = list(r.scan_iter(match=f"{PREFIX}:*"))
        if keys:
            r.delete(*keys)
    assert not list(r.scan_iter(match=f"{PREFIX}:*"))
    print("chaves removidas")


if __name__ == "__main__":
    main()
