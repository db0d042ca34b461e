"""Transactional outbox: PostgreSQL (pedido + evento na mesma transação) -> relay -> Redis Stream.

O que este exemplo mostra, com PostgreSQL e Redis reais:

1. Dual write: gravar o pedido (COMMIT) e depois publicar no broker. Se o processo morre entre os
   dois, o pedido existe e o evento nunca sai.
2. Outbox: o pedido e a linha da tabela ``outbox`` entram na MESMA transação. Um rollback leva os
   dois (nenhum evento "fantasma"); um commit garante que o evento será publicado.
3. Relay por polling com ``FOR UPDATE SKIP LOCKED``: publica no stream e marca ``published_at`` na
   mesma transação do banco. Um crash DEPOIS do ``XADD`` e ANTES do COMMIT desfaz a marcação: a
   próxima rodada publica de novo -> duplicata no stream (at-least-once).
4. O consumidor idempotente (tabela ``processed_messages`` com chave única, na mesma transação do
   efeito) aplica cada evento uma vez e ignora a duplicata pelo ``event_id``.
5. Dois relays em paralelo: SKIP LOCKED impede publicação dupla, mas a ORDEM no stream deixa de ser
   a ordem da outbox.
6. O bug do "high-water mark": um relay que busca ``id > último_id_visto`` perde para sempre a
   linha de uma transação que pegou um id menor e confirmou depois. Sequências não seguem a
   ordem de COMMIT; buscar por ``published_at IS NULL`` não perde nada.

O que olhar: o conteúdo do stream (com a duplicata), o que o consumidor aplicou ou ignorou, a
ordem trocada no stream com dois relays e o id que o relay por high-water mark nunca vê.

Schema PostgreSQL e chaves Redis com nomes únicos por execução, apagados no fim.

Requer KB_PG_DSN e KB_REDIS_URL. Rode com:
    python scripts/services.py run -- python content/examples/messaging/transactional_outbox.py
"""
from __future__ import annotations

import json
import os
import sys
import uuid

import psycopg
import redis
from psycopg import sql
from psycopg.types.json import Jsonb

DSN = os.environ.get("KB_PG_DSN")
URL = os.environ.get("KB_REDIS_URL")
if not DSN or not URL:
    print(
        "KB_PG_DSN/KB_REDIS_URL não definidos; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/messaging/transactional_outbox.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_outbox_{uuid.uuid4().hex[:8]}"
r = redis.Redis.from_url(URL, decode_responses=True)
STREAM = f"kb:example:outbox:{uuid.uuid4().hex}:order-events"
GROUP = "shipping"


class Crash(Exception):
    """Simula o processo morrendo naquele ponto."""


def connect() -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


def create_schema(conn: psycopg.Connection) -> None:
    # region: outbox-table
    conn.execute("""
        CREATE TABLE outbox (
            id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id       uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),  -- id estável
            aggregate_type text NOT NULL,         -- ex.: 'order' (vira o tópico/stream)
            aggregate_id   text NOT NULL,         -- ex.: id do pedido (vira a chave/partição)
            event_type     text NOT NULL,         -- ex.: 'OrderPlaced'
            payload        jsonb NOT NULL,
            created_at     timestamptz NOT NULL DEFAULT now(),
            published_at   timestamptz            -- NULL = ainda não publicado
        )""")
    conn.execute("CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL")
    # endregion: outbox-table
    conn.execute("""
        CREATE TABLE orders (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            customer    text NOT NULL,
            total_cents bigint NOT NULL
        )""")
    # Lado do consumidor (em produção, o banco de OUTRO serviço):
    conn.execute("""
        CREATE TABLE processed_messages (
            consumer text NOT NULL, message_id uuid NOT NULL, PRIMARY KEY (consumer, message_id)
        )""")
    conn.execute("CREATE TABLE shipments (order_id text PRIMARY KEY)")


def place_order_dual_write(conn: psycopg.Connection, customer: str, total: int) -> None:
    # region: dual-write
    with conn.transaction():
        order_id = conn.execute(
            "INSERT INTO orders (customer, total_cents) VALUES (%s, %s) RETURNING id",
            (customer, total)).fetchone()[0]
    # COMMIT feito. Se o processo morrer AQUI, o evento nunca é publicado:
    raise Crash
    r.xadd(STREAM, {"type": "OrderPlaced", "order_id": order_id})  # nunca executa
    # endregion: dual-write


# region: place-order
def place_order(conn: psycopg.Connection, customer: str, total: int,
                fail: bool = False) -> int:
    with conn.transaction():  # pedido e evento: os dois ou nenhum
        order_id = conn.execute(
            "INSERT INTO orders (customer, total_cents) VALUES (%s, %s) RETURNING id",
            (customer, total)).fetchone()[0]
        conn.execute(
            "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)"
            " VALUES ('order', %s, 'OrderPlaced', %s)",
            (str(order_id), Jsonb({"order_id": order_id, "customer": customer,
                                   "total_cents": total})))
        if fail:
            raise ValueError("estoque insuficiente")  # ROLLBACK: nem pedido, nem evento
    return order_id
# endregion: place-order


# region: relay
FETCH_UNPUBLISHED = """
    SELECT id, event_id, aggregate_id, event_type, payload
    FROM outbox
    WHERE published_at IS NULL
    ORDER BY id
    LIMIT %s
    FOR UPDATE SKIP LOCKED          -- outro relay pula estas linhas em vez de esperar
"""


def publish(rows: list[tuple]) -> None:
    for _, event_id, aggregate_id, event_type, payload in rows:
        r.xadd(STREAM, {"event_id": str(event_id), "type": event_type,
                        "order_id": aggregate_id, "payload": json.dumps(payload)})


def mark_published(conn: psycopg.Connection, rows: list[tuple]) -> None:
    conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)",
                 ([row[0] for row in rows],))


def relay_once(conn: psycopg.Connection, batch: int = 100,
               crash_after_publish: bool = False) -> int:
    with conn.transaction():
        rows = conn.execute(FETCH_UNPUBLISHED, (batch,)).fetchall()
        publish(rows)                # efeito fora do banco: não volta atrás num ROLLBACK
        if crash_after_publish:
            raise Crash              # publicou, mas a marcação abaixo nunca é confirmada
        mark_published(conn, rows)
    return len(rows)
# endregion: relay


# region: consumer
def consume(conn: psycopg.Connection, consumer: str = "shipping-svc") -> list[str]:
    log = []
    batch = r.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=100)
    for msg_id, fields in (batch[0][1] if batch else []):
        with conn.transaction():
            cur = conn.execute(
                "INSERT INTO processed_messages VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (consumer, fields["event_id"]))
            if cur.rowcount == 1:
                conn.execute("INSERT INTO shipments VALUES (%s)", (fields["order_id"],))
        r.xack(STREAM, GROUP, msg_id)  # depois do COMMIT; se morrer antes, a dedupe segura
        log.append(f"pedido {fields['order_id']}: "
                   + ("aplicado" if cur.rowcount == 1 else "duplicado, ignorado"))
    return log
# endregion: consumer


def stream_orders() -> list[str]:
    return [fields["order_id"] for _, fields in r.xrange(STREAM)]


def count(conn: psycopg.Connection, table: str, where: str = "true") -> int:
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def scenarios(conn: psycopg.Connection) -> None:
    create_schema(conn)
    r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)

    print("1) dual write: COMMIT do pedido e crash antes de publicar")
    try:
        place_order_dual_write(conn, "zoe", 999)
    except Crash:
        pass
    print(f"   pedidos={count(conn, 'orders')} eventos no stream={r.xlen(STREAM)} -> evento perdido")
    assert count(conn, "orders") == 1 and r.xlen(STREAM) == 0
    conn.execute("TRUNCATE orders RESTART IDENTITY")

    print("2) outbox: pedido e evento na mesma transação")
    for customer, total in (("ana", 1000), ("bia", 2000), ("caio", 3000)):
        place_order(conn, customer, total)
    try:
        place_order(conn, "davi", 4000, fail=True)
    except ValueError:
        pass
    print(f"   pedidos={count(conn, 'orders')} outbox={count(conn, 'outbox')} "
          "(o pedido que falhou não deixou evento)")
    assert count(conn, "orders") == 3 and count(conn, "outbox") == 3

    print("3) relay publica o pedido 1 e morre antes do COMMIT; a próxima rodada republica")
    try:
        relay_once(conn, batch=1, crash_after_publish=True)
    except Crash:
        pass
    pending = count(conn, "outbox", "published_at IS NULL")
    print(f"   após o crash: stream={stream_orders()} outbox pendente={pending}")
    assert stream_orders() == ["1"] and pending == 3
    relay_once(conn)
    print(f"   após a nova rodada: stream={stream_orders()} (pedido 1 duas vezes)")
    assert stream_orders() == ["1", "1", "2", "3"]
    assert count(conn, "outbox", "published_at IS NULL") == 0

    print("4) consumidor idempotente")
    log = consume(conn)
    for line in log:
        print(f"   {line}")
    assert log.count("pedido 1: duplicado, ignorado") == 1 and count(conn, "shipments") == 3

    print("5) dois relays em paralelo com SKIP LOCKED")
    # O rollback do passo 2 consumiu o id 4: sequências não voltam atrás (os novos são 5..8).
    new_ids = [str(place_order(conn, customer, 500)) for customer in ("edu", "fia", "gil", "hugo")]
    with connect() as a, connect() as b:
        with a.transaction():
            rows_a = a.execute(FETCH_UNPUBLISHED, (2,)).fetchall()  # A trava os 2 primeiros...
            published_by_b = relay_once(b)                          # ...B pula e publica o resto
            publish(rows_a)                                         # A publica depois
            mark_published(a, rows_a)
    tail = stream_orders()[-4:]
    print(f"   A travou {[row[2] for row in rows_a]}, B publicou {published_by_b}; "
          f"ordem no stream: {tail}")
    assert [row[2] for row in rows_a] == new_ids[:2] and tail == new_ids[2:] + new_ids[:2]
    consume(conn)
    assert count(conn, "shipments") == 7

    print("6) high-water mark: 'id > último visto' perde eventos")
    with connect() as t1, connect() as t2:
        t1.execute("BEGIN")
        last_seen = conn.execute("SELECT max(id) FROM outbox").fetchone()[0]
        place_order(t1, "iris", 100)   # outbox ganha o id N: transação ainda aberta
        place_order(t2, "joão", 100)   # outbox ganha o id N+1: COMMIT imediato
        seen = [row[0] for row in conn.execute(
            "SELECT id FROM outbox WHERE id > %s ORDER BY id", (last_seen,))]
        last_seen = max(seen)
        t1.execute("COMMIT")                    # o id menor só fica visível agora
        seen_later = [row[0] for row in conn.execute(
            "SELECT id FROM outbox WHERE id > %s ORDER BY id", (last_seen,))]
    unpublished = [row[0] for row in conn.execute(
        "SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id")]
    slow = unpublished[0]
    print(f"   relay por high-water mark viu {seen}, depois {seen_later}: o id {slow} nunca;"
          f" relay por published_at IS NULL vê {unpublished}")
    assert seen == [slow + 1] and seen_later == [] and unpublished == [slow, slow + 1]
    relay_once(conn)
    consume(conn)

    shipped = count(conn, "shipments")
    print(f"fim: pedidos={count(conn, 'orders')} eventos no stream={r.xlen(STREAM)} "
          f"envios={shipped} pendentes no grupo={r.xpending(STREAM, GROUP)['pending']}")
    assert shipped == count(conn, "orders") == 9 and r.xlen(STREAM) == 10
    assert r.xpending(STREAM, GROUP)["pending"] == 0


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    try:
        with connect() as main_conn:
            scenarios(main_conn)
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))
        r.delete(STREAM)

assert not r.exists(STREAM)
print("ok")
