"""Redis Streams como fila de trabalho: consumer group, PEL, XAUTOCLAIM e dead-letter stream.

O que este exemplo mostra (tudo intercalado à mão numa única thread, para a saída ser estável):

1. Dois consumidores no mesmo grupo dividem o trabalho: cada entrada vai para UM deles
   (``XREADGROUP ... >``) e cada um confirma com ``XACK`` o que processou.
2. Um consumidor lê uma mensagem e "morre" sem ``XACK``: ela fica na PEL (pending entries list)
   com 1 entrega. O outro consumidor continua lendo ``>`` e NÃO a recebe: o Redis não reentrega
   sozinho. Passado o tempo mínimo de ociosidade, ``XAUTOCLAIM`` a transfere para quem está vivo
   (o contador de entregas vai a 2) e ela é processada.
3. Uma mensagem venenosa (valor "12,50", que o handler com bug não converte) falha em toda
   tentativa. Ela continua pendente, é reivindicada de novo a cada rodada (o min-idle-time faz
   papel de backoff) e, na entrega número MAX_DELIVERIES, vai para um stream de dead-letter com o
   erro e o id original, num MULTI/EXEC junto com o ``XACK``.
4. Corrigido o handler, a dead-letter é reprocessada: a mensagem volta ao stream principal com um
   ID de stream NOVO. Por isso a deduplicação usa um id de negócio (``event_id``), não o ID do
   stream.

O que olhar: quem recebeu cada evento, o contador de entregas na PEL, a rodada em que a mensagem
venenosa vai para a dead-letter e o ``lag``/``pending`` do grupo no fim (ambos zero).

As chaves têm um prefixo único com hash tag (``{...}``): o stream e a dead-letter caem no mesmo
slot, o que o MULTI/EXEC exigiria num Redis Cluster. Tudo é apagado no fim.

Precisa de um Redis real (6.2+ para XAUTOCLAIM; ``lag`` no XINFO GROUPS é do 7.0+) em
KB_REDIS_URL:
    python scripts/services.py run -- python content/examples/messaging/redis_streams_consumer_group.py
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from decimal import Decimal

import redis

URL = os.environ.get("KB_REDIS_URL")
if not URL:
    print(
        "KB_REDIS_URL não definido; inicie os serviços com: "
        "python scripts/services.py run -- "
        "python content/examples/messaging/redis_streams_consumer_group.py",
        file=sys.stderr,
    )
    sys.exit(2)

r = redis.Redis.from_url(URL, decode_responses=True)
PREFIX = f"kb:example:streams:{{{uuid.uuid4().hex}}}"  # "{...}" = hash tag: mesmo slot no Cluster
STREAM = f"{PREFIX}:payments"
DEAD = f"{PREFIX}:payments:dead"
GROUP = "ledger"
MIN_IDLE_MS = 300      # em produção: bem acima do handler mais lento (ex.: 60 s)
MAX_DELIVERIES = 3
ROUND_PAUSE_S = MIN_IDLE_MS / 1000 + 0.1

HANDLER_FIXED = False
processed: dict[str, Decimal] = {}  # efeito do consumidor: event_id -> valor


def handle(fields: dict[str, str]) -> None:
    raw = fields["amount"]
    if HANDLER_FIXED:
        raw = raw.replace(",", ".")
    amount = Decimal(raw)  # bug: "12,50" levanta InvalidOperation (vírgula decimal)
    if fields["event_id"] in processed:  # dedupe por id de negócio, nunca pelo ID do stream
        return
    processed[fields["event_id"]] = amount


def publish(event_id: str, amount: str) -> str:
    # region: produce
    return r.xadd(STREAM, {"event_id": event_id, "amount": amount},
                  maxlen=100_000, approximate=True)  # MAXLEN ~: corta em blocos, barato
    # endregion: produce


# region: dead-letter
def fail(msg_id: str, fields: dict[str, str], exc: Exception) -> str:
    """Sem XACK a mensagem fica na PEL; na entrega MAX_DELIVERIES vai para a dead-letter."""
    (info,) = r.xpending_range(STREAM, GROUP, min=msg_id, max=msg_id, count=1)
    deliveries = info["times_delivered"]
    if deliveries < MAX_DELIVERIES:
        return f"falhou ({deliveries}ª entrega), fica pendente"
    with r.pipeline(transaction=True) as pipe:  # MULTI/EXEC: copia e confirma juntos
        pipe.xadd(DEAD, {**fields, "original_id": msg_id,
                         "error": type(exc).__name__, "deliveries": deliveries})
        pipe.xack(STREAM, GROUP, msg_id)
        pipe.execute()
    return f"falhou ({deliveries}ª entrega) -> dead-letter"
# endregion: dead-letter


# region: worker
def work(consumer: str, count: int = 10) -> list[str]:
    """Uma rodada: recupera pendências ociosas (de quem morreu) e depois lê as novas."""
    _, claimed, _ = r.xautoclaim(STREAM, GROUP, consumer, min_idle_time=MIN_IDLE_MS,
                                 start_id="0-0", count=count)  # conta +1 entrega em cada uma
    fresh = r.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count)  # ">": nunca entregues
    log = []
    for msg_id, fields in claimed + (fresh[0][1] if fresh else []):
        try:
            handle(fields)
        except Exception as exc:  # noqa: BLE001 - o exemplo trata qualquer falha do handler
            log.append(f"{fields['event_id']}: {fail(msg_id, fields, exc)}")
            continue
        r.xack(STREAM, GROUP, msg_id)  # só depois do efeito: at-least-once
        log.append(f"{fields['event_id']}: ok")
    return log
# endregion: worker


# region: replay
def replay_dead_letters() -> int:
    """Depois de corrigir a causa: devolve cada mensagem ao stream original e a tira da DLQ."""
    replayed = 0
    for dead_id, fields in r.xrange(DEAD):
        original = {k: v for k, v in fields.items()
                    if k not in ("original_id", "error", "deliveries")}
        with r.pipeline(transaction=True) as pipe:
            pipe.xadd(STREAM, {**original, "replayed_from": fields["original_id"]})  # ID novo!
            pipe.xdel(DEAD, dead_id)
            pipe.execute()
        replayed += 1
    return replayed
# endregion: replay


def pending_of(msg_id: str) -> dict:
    (info,) = r.xpending_range(STREAM, GROUP, min=msg_id, max=msg_id, count=1)
    return info


def scenarios() -> None:
    global HANDLER_FIXED

    # region: group
    # "0": o grupo começa do início do stream; "$": só o que chegar depois da criação
    r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    # endregion: group

    print("1) dois consumidores no mesmo grupo dividem o trabalho")
    for n in range(1, 5):
        publish(f"e-{n}", str(n * 10))
    log_a = work("worker-a", count=2)
    log_b = work("worker-b", count=2)
    print("   worker-a:", log_a)
    print("   worker-b:", log_b)
    assert log_a == ["e-1: ok", "e-2: ok"] and log_b == ["e-3: ok", "e-4: ok"]

    print("2) worker-a morre sem XACK; XAUTOCLAIM devolve a mensagem ao trabalho")
    publish("e-5", "50")
    publish("e-6", "60")
    # region: crash-without-ack
    ((_, [(lost_id, lost)]),) = r.xreadgroup(GROUP, "worker-a", {STREAM: ">"}, count=1)
    # ... o processo morre aqui: nenhum XACK. A entrada fica na PEL, em nome de worker-a.
    # endregion: crash-without-ack
    info = pending_of(lost_id)
    print(f"   {lost['event_id']} pendente com {info['consumer']}, "
          f"entregas={info['times_delivered']}")
    assert (info["consumer"], info["times_delivered"]) == ("worker-a", 1)
    log = work("worker-b")  # logo em seguida: e-5 ainda não está ociosa o bastante
    print("   worker-b (imediatamente):", log, "-> e-5 não foi reentregue sozinha")
    assert log == ["e-6: ok"]
    time.sleep(ROUND_PAUSE_S)
    # region: reclaim
    _, claimed, _ = r.xautoclaim(STREAM, GROUP, "worker-b", min_idle_time=MIN_IDLE_MS,
                                 start_id="0-0")  # só pega o que está ocioso há > 300 ms
    # endregion: reclaim
    info = pending_of(lost_id)
    print(f"   após {MIN_IDLE_MS} ms ociosa: XAUTOCLAIM -> {info['consumer']}, "
          f"entregas={info['times_delivered']}")
    assert [msg_id for msg_id, _ in claimed] == [lost_id]
    assert (info["consumer"], info["times_delivered"]) == ("worker-b", 2)
    handle(claimed[0][1])
    r.xack(STREAM, GROUP, lost_id)
    print(f"   worker-b processou {lost['event_id']} na 2ª entrega")
    assert processed["e-5"] == Decimal("50")

    print(f"3) mensagem venenosa: dead-letter na {MAX_DELIVERIES}ª entrega")
    poison_id = publish("e-7", "12,50")
    publish("e-8", "5")
    rounds = [("worker-a", work("worker-a"))]
    for consumer in ("worker-b", "worker-a"):
        time.sleep(ROUND_PAUSE_S)  # min-idle-time = espera entre tentativas (backoff)
        rounds.append((consumer, work(consumer)))
    for n, (consumer, log) in enumerate(rounds, 1):
        print(f"   rodada {n} ({consumer}): {log}")
    assert rounds[0][1] == ["e-7: falhou (1ª entrega), fica pendente", "e-8: ok"]
    assert rounds[2][1] == [f"e-7: falhou ({MAX_DELIVERIES}ª entrega) -> dead-letter"]
    (dead_id, dead), = r.xrange(DEAD)
    print(f"   dead-letter: event_id={dead['event_id']} error={dead['error']} "
          f"deliveries={dead['deliveries']}")
    assert dead["original_id"] == poison_id and r.xpending(STREAM, GROUP)["pending"] == 0

    print("4) handler corrigido; reprocessa a dead-letter")
    HANDLER_FIXED = True
    assert replay_dead_letters() == 1
    log = work("worker-b")
    (new_id, replayed), = r.xrevrange(STREAM, count=1)
    print("   worker-b:", log, f"| ID no stream mudou: {new_id != poison_id}")
    assert log == ["e-7: ok"] and new_id != poison_id and replayed["replayed_from"] == poison_id
    assert processed["e-7"] == Decimal("12.50") and r.xlen(DEAD) == 0

    (group,) = r.xinfo_groups(STREAM)
    print(f"fim: pending={group['pending']} lag={group['lag']} "
          f"processados={sorted(processed)} total={sum(processed.values())}")
    assert group["pending"] == 0 and group["lag"] == 0
    assert sorted(processed) == [f"e-{n}" for n in range(1, 9)]
    assert sum(processed.values()) == Decimal("227.50")


def main() -> None:
    try:
        scenarios()
    finally:  # limpa mesmo se um assert falhar
        r.delete(STREAM, DEAD)
    assert not r.exists(STREAM, DEAD)
    print("chaves removidas")


if __name__ == "__main__":
    main()
