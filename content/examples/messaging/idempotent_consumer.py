"""Consumidor idempotente no PostgreSQL: deduplicação por constraint UNIQUE na mesma transação.

Entrega at-least-once significa que a MESMA mensagem pode chegar duas vezes (crash antes do ack,
rebalanceamento, XAUTOCLAIM, replay de DLQ). O consumidor é que precisa transformar isso em
"efeito uma vez só". O que este exemplo mostra, com um PostgreSQL real:

1. Consumidor ingênuo: a mensagem entregue duas vezes credita duas vezes.
2. Deduplicação correta: ``INSERT INTO processed_messages ... ON CONFLICT DO NOTHING`` e o efeito
   (``UPDATE`` do saldo) na MESMA transação. A reentrega vê ``rowcount == 0`` e vira no-op.
3. Crash depois do efeito e antes do COMMIT: o ROLLBACK desfaz o efeito E a marca; a reentrega
   aplica uma vez. Nunca "marcado sem efeito" nem "efeito sem marca".
4. O bug de marcar numa transação separada: a marca é confirmada, o efeito falha, e a reentrega é
   descartada como duplicada — o crédito se perde para sempre.
5. Duas entregas SIMULTÂNEAS da mesma mensagem (duas threads): o segundo INSERT espera o
   primeiro no índice único e, depois do COMMIT, vira DO NOTHING. Um crédito só, sem lock
   explícito. (Um SELECT "já processei?" antes do INSERT deixaria as duas passarem.)
6. Idempotência natural: transição condicional de estado (``WHERE status = 'pending'``) dispensa
   tabela de deduplicação.

O que olhar: o saldo depois de cada passo e a contagem "aplicada"/"duplicada" das threads (qual
thread vence varia; as contagens não).

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/messaging/idempotent_consumer.py
"""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid

import psycopg
from psycopg import sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/messaging/idempotent_consumer.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_idem_{uuid.uuid4().hex[:8]}"


class ConsumerCrash(Exception):
    """Simula o processo morrendo no meio do processamento."""


def connect() -> psycopg.Connection:
    # autocommit=True: fora de "with conn.transaction()" cada comando é sua própria transação
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


def balance(conn: psycopg.Connection, account: str = "acc-1") -> int:
    return conn.execute("SELECT balance_cents FROM accounts WHERE id = %s", (account,)).fetchone()[0]


def naive_handle(conn: psycopg.Connection, msg: dict) -> str:
    conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s",
                 (msg["amount_cents"], msg["account"]))
    return "aplicada"


# region: dedupe-same-tx
def handle(conn: psycopg.Connection, msg: dict, consumer: str = "billing",
           crash_before_commit: bool = False) -> str:
    with conn.transaction():  # marca e efeito: os dois ou nenhum
        cur = conn.execute(
            "INSERT INTO processed_messages (consumer, message_id) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING",
            (consumer, msg["message_id"]))
        if cur.rowcount == 0:
            return "duplicada, ignorada"  # já processada: só falta o ack
        conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s",
                     (msg["amount_cents"], msg["account"]))
        if crash_before_commit:
            raise ConsumerCrash  # ROLLBACK: desfaz o UPDATE e também a marca
    return "aplicada"  # o ack ao broker vem DEPOIS do COMMIT
# endregion: dedupe-same-tx


# region: mark-first-bug
def handle_mark_first(conn: psycopg.Connection, msg: dict, crash_after_mark: bool = False) -> str:
    # BUG: a marca é confirmada sozinha (autocommit), antes de o efeito acontecer
    cur = conn.execute(
        "INSERT INTO processed_messages (consumer, message_id) VALUES ('billing-bug', %s)"
        " ON CONFLICT DO NOTHING", (msg["message_id"],))
    if cur.rowcount == 0:
        return "duplicada, ignorada"
    if crash_after_mark:
        raise ConsumerCrash  # marcada como processada, mas o crédito nunca aconteceu
    conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s",
                 (msg["amount_cents"], msg["account"]))
    return "aplicada"
# endregion: mark-first-bug


# region: natural
def mark_paid(conn: psycopg.Connection, order_id: int) -> bool:
    cur = conn.execute(
        "UPDATE orders SET status = 'paid' WHERE id = %s AND status = 'pending'", (order_id,))
    return cur.rowcount == 1  # False: já estava pago (reentrega) -> nada a fazer, só o ack
# endregion: natural


def reset(conn: psycopg.Connection) -> None:
    conn.execute("UPDATE accounts SET balance_cents = 0")


def scenarios(admin: psycopg.Connection) -> None:
    # region: schema
    admin.execute("""
        CREATE TABLE processed_messages (
            consumer     text NOT NULL,          -- cada consumidor deduplica por conta própria
            message_id   text NOT NULL,          -- id estável do evento, dado pelo produtor
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, message_id)   -- a constraint é quem deduplica
        )""")
    # endregion: schema
    admin.execute("CREATE TABLE accounts (id text PRIMARY KEY, balance_cents bigint NOT NULL)")
    admin.execute("INSERT INTO accounts VALUES ('acc-1', 0)")
    admin.execute("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL)")
    admin.execute("INSERT INTO orders VALUES (42, 'pending')")
    msg = {"message_id": "evt-1", "account": "acc-1", "amount_cents": 500}

    with connect() as conn:
        print("1) ingênuo, mesma mensagem entregue duas vezes")
        naive_handle(conn, msg)
        naive_handle(conn, msg)
        print(f"   saldo = {balance(conn)} (esperado 500)")
        assert balance(conn) == 1000
        reset(conn)

        print("2) dedupe na mesma transação")
        results = [handle(conn, msg), handle(conn, msg)]
        print(f"   {results}, saldo = {balance(conn)}")
        assert results == ["aplicada", "duplicada, ignorada"] and balance(conn) == 500
        reset(conn)

        print("3) crash depois do efeito, antes do COMMIT; depois a reentrega")
        msg2 = {**msg, "message_id": "evt-2"}
        try:
            handle(conn, msg2, crash_before_commit=True)
        except ConsumerCrash:
            pass
        print(f"   após o crash: saldo = {balance(conn)}, marcada = "
              f"{bool(conn.execute('SELECT 1 FROM processed_messages WHERE message_id = %s', ('evt-2',)).fetchone())}")
        assert balance(conn) == 0
        results = [handle(conn, msg2), handle(conn, msg2)]
        print(f"   reentregas: {results}, saldo = {balance(conn)}")
        assert results == ["aplicada", "duplicada, ignorada"] and balance(conn) == 500
        reset(conn)

        print("4) BUG: marca confirmada em transação separada, efeito falha")
        msg3 = {**msg, "message_id": "evt-3"}
        try:
            handle_mark_first(conn, msg3, crash_after_mark=True)
        except ConsumerCrash:
            pass
        result = handle_mark_first(conn, msg3)  # a reentrega
        print(f"   reentrega: {result!r}, saldo = {balance(conn)} (o crédito de 500 sumiu)")
        assert result == "duplicada, ignorada" and balance(conn) == 0

    print("5) duas entregas simultâneas da mesma mensagem (threads)")
    msg4 = {**msg, "message_id": "evt-4"}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver() -> None:
        with connect() as conn:
            barrier.wait()
            with conn.transaction():
                # mesma lógica de handle(), com uma pausa para as duas transações se sobreporem
                cur = conn.execute(
                    "INSERT INTO processed_messages (consumer, message_id) VALUES ('billing', %s)"
                    " ON CONFLICT DO NOTHING", (msg4["message_id"],))  # a 2ª espera aqui
                if cur.rowcount == 1:
                    time.sleep(0.3)  # segura a transação aberta: a outra fica bloqueada
                    conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s"
                                 " WHERE id = 'acc-1'", (msg4["amount_cents"],))
            with lock:
                outcomes.append("aplicada" if cur.rowcount == 1 else "duplicada")

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    print(f"   aplicada={outcomes.count('aplicada')} duplicada={outcomes.count('duplicada')}, "
          f"saldo = {balance(admin)}")
    assert sorted(outcomes) == ["aplicada", "duplicada"] and balance(admin) == 500

    print("6) idempotência natural: transição condicional de estado")
    with connect() as conn:
        results = [mark_paid(conn, 42), mark_paid(conn, 42)]
        status = conn.execute("SELECT status FROM orders WHERE id = 42").fetchone()[0]
    print(f"   mudou o estado? {results}, status = {status}")
    assert results == [True, False] and status == "paid"


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        scenarios(admin)
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
