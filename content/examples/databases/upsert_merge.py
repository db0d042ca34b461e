"""Upserts no PostgreSQL: INSERT ... ON CONFLICT, EXCLUDED, MERGE (15+) e a diferença sob concorrência.

O que este exemplo mostra:

1. ``ON CONFLICT (key) DO UPDATE`` soma no contador existente usando ``EXCLUDED`` (a linha que
   seria inserida). ``RETURNING (xmax = 0)`` distingue insert de update (truque que depende de
   detalhe de implementação; útil para depurar, não para lógica de negócio).
2. ``DO NOTHING ... RETURNING`` não devolve nada para a linha que já existia: o "get or create"
   precisa de um SELECT de fallback.
3. Sem índice único (ou exclusion constraint) que case com o alvo, o comando nem roda: SQLSTATE
   42P10.
4. A mesma chave duas vezes no MESMO INSERT com ``DO UPDATE``: SQLSTATE 21000 ("cannot affect row
   a second time"). Deduplique a entrada antes.
5. Cada tentativa consome um valor da sequência, mesmo quando dá conflito: surgem buracos nos ids.
6. ``DO UPDATE ... WHERE``: atualização condicional (ignora um evento mais velho que o gravado).
7. ``MERGE`` (PostgreSQL 15+): sincroniza uma tabela de staging com UPDATE, DELETE e INSERT num
   comando só, sem exigir índice único.
8. Concorrência (duas conexões, intercaladas à mão; a segunda roda numa thread para poder ficar
   bloqueada): a sessão A insere a chave ``k`` sem confirmar. A sessão B tenta o upsert da mesma
   chave. Com ``ON CONFLICT`` B espera o COMMIT de A e então ATUALIZA. Com ``MERGE`` B não viu a
   linha (não confirmada), escolhe o ramo ``NOT MATCHED``, espera A e então falha com
   ``UniqueViolation`` (23505): MERGE não é um upsert "à prova de corrida".

O que olhar: as linhas "inserted", os SQLSTATEs capturados e o desfecho de B no item 8.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/upsert_merge.py
"""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid

import psycopg
from psycopg import errors, sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/upsert_merge.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_upsert_{uuid.uuid4().hex[:8]}"

# region: on-conflict-update
UPSERT_COUNTER = """
    INSERT INTO counters AS c (key, hits) VALUES (%s, %s)
    ON CONFLICT (key) DO UPDATE
        SET hits = c.hits + EXCLUDED.hits          -- EXCLUDED = a linha proposta
    RETURNING key, hits, (xmax = 0) AS inserted
"""
# endregion: on-conflict-update

# region: do-nothing-returning
GET_OR_CREATE = """
    INSERT INTO tags (name) VALUES (%s)
    ON CONFLICT (name) DO NOTHING
    RETURNING id                                    -- nada, se a tag já existia
"""
# endregion: do-nothing-returning

# region: conditional-update
UPSERT_IF_NEWER = """
    INSERT INTO prices AS p (sku, price, version) VALUES (%s, %s, %s)
    ON CONFLICT (sku) DO UPDATE
        SET price = EXCLUDED.price, version = EXCLUDED.version
        WHERE p.version < EXCLUDED.version
    RETURNING sku, price, version
"""
# endregion: conditional-update

# region: merge
MERGE_STOCK = """
    MERGE INTO stock s
    USING stock_feed f ON s.sku = f.sku
    WHEN MATCHED AND f.qty = 0 THEN DELETE
    WHEN MATCHED THEN UPDATE SET qty = f.qty
    WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (f.sku, f.qty)
"""
# endregion: merge

# region: concurrent-upsert
ON_CONFLICT_K = """
    INSERT INTO accounts (key, balance) VALUES ('k', 10)
    ON CONFLICT (key) DO UPDATE SET balance = accounts.balance + EXCLUDED.balance
"""
MERGE_K = """
    MERGE INTO accounts a
    USING (VALUES ('k', 10)) AS src(key, amount) ON a.key = src.key
    WHEN MATCHED THEN UPDATE SET balance = a.balance + src.amount
    WHEN NOT MATCHED THEN INSERT (key, balance) VALUES (src.key, src.amount)
"""
# endregion: concurrent-upsert


def connect() -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


def wait_until_blocked(admin: psycopg.Connection, pid: int) -> None:
    """Espera a sessão `pid` ficar parada esperando um lock."""
    for _ in range(500):
        row = admin.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError(f"sessão {pid} não bloqueou")


def race(admin: psycopg.Connection, statement: str) -> str:
    """A insere 'k' sem confirmar; B roda `statement`; A confirma. Devolve o desfecho de B."""
    admin.execute("DELETE FROM accounts")
    outcome: list[str] = []
    with connect() as a, connect() as b:
        b_pid = b.info.backend_pid

        def session_b() -> None:
            try:
                b.execute(statement)
                outcome.append("ok")
            except errors.UniqueViolation as exc:
                outcome.append(f"UniqueViolation ({exc.sqlstate})")

        with a.transaction():
            a.execute("INSERT INTO accounts (key, balance) VALUES ('k', 100)")
            t = threading.Thread(target=session_b)
            t.start()
            wait_until_blocked(admin, b_pid)       # B parou esperando a transação de A
        t.join(timeout=10)                         # saiu do bloco: A fez COMMIT
    return outcome[0]


with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        conn.execute("CREATE TABLE counters (key text PRIMARY KEY, hits int NOT NULL)")
        print("1) ON CONFLICT DO UPDATE com EXCLUDED")
        first = conn.execute(UPSERT_COUNTER, ("home", 1)).fetchone()
        second = conn.execute(UPSERT_COUNTER, ("home", 5)).fetchone()
        print(f"   1ª chamada: {first}")
        print(f"   2ª chamada: {second}")
        assert first == ("home", 1, True) and second == ("home", 6, False)

        print("2) DO NOTHING + RETURNING")
        conn.execute("""CREATE TABLE tags (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        name text UNIQUE NOT NULL)""")
        created = conn.execute(GET_OR_CREATE, ("python",)).fetchall()
        again = conn.execute(GET_OR_CREATE, ("python",)).fetchall()
        print(f"   tag nova: {created}; tag existente: {again}")
        assert created == [(1,)] and again == []

        print("3) sem índice único que case com o alvo")
        conn.execute("CREATE TABLE events (id int, payload text)")  # sem PK/UNIQUE
        try:
            conn.execute("INSERT INTO events VALUES (1, 'x') ON CONFLICT (id) DO NOTHING")
        except errors.InvalidColumnReference as exc:
            print(f"   SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
            assert exc.sqlstate == "42P10"
        else:
            raise AssertionError("esperava 42P10")

        print("4) a mesma chave duas vezes no mesmo INSERT ... DO UPDATE")
        try:
            conn.execute("""INSERT INTO counters (key, hits) VALUES ('a', 1), ('a', 2)
                            ON CONFLICT (key) DO UPDATE SET hits = EXCLUDED.hits""")
        except errors.CardinalityViolation as exc:
            print(f"   SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
            assert exc.sqlstate == "21000"
        else:
            raise AssertionError("esperava 21000")

        print("5) buracos na sequência")
        # region: sequence-gaps
        # (tags vazia) 'python' -> id 1; 'python' de novo (item 2) -> conflito, gasta o 2
        conn.execute(GET_OR_CREATE, ("python",))      # conflito de novo: gasta o 3
        conn.execute(GET_OR_CREATE, ("sql",))         # recebe o 4
        ids = conn.execute("SELECT name, id FROM tags ORDER BY id").fetchall()
        # endregion: sequence-gaps
        print(f"   {ids}")
        assert ids == [("python", 1), ("sql", 4)]

        print("6) DO UPDATE ... WHERE (só se a versão for mais nova)")
        conn.execute("CREATE TABLE prices (sku text PRIMARY KEY, price int, version int)")
        conn.execute(UPSERT_IF_NEWER, ("x1", 100, 2))
        stale = conn.execute(UPSERT_IF_NEWER, ("x1", 90, 1)).fetchall()
        newer = conn.execute(UPSERT_IF_NEWER, ("x1", 120, 3)).fetchall()
        print(f"   evento velho (v1): {stale}; evento novo (v3): {newer}")
        assert stale == [] and newer == [("x1", 120, 3)]

        print("7) MERGE (PostgreSQL 15+)")
        conn.execute("CREATE TABLE stock (sku text, qty int)")  # MERGE não exige UNIQUE
        conn.execute("INSERT INTO stock VALUES ('a', 5), ('b', 3), ('c', 7)")
        conn.execute("CREATE TABLE stock_feed (sku text, qty int)")
        conn.execute("INSERT INTO stock_feed VALUES ('a', 9), ('b', 0), ('d', 4)")
        cur = conn.execute(MERGE_STOCK)
        stock = conn.execute("SELECT sku, qty FROM stock ORDER BY sku").fetchall()
        print(f"   linhas afetadas: {cur.rowcount}; stock: {stock}")
        assert cur.rowcount == 3 and stock == [("a", 9), ("c", 7), ("d", 4)]

        print("8) upsert concorrente: A insere 'k' sem confirmar, B tenta o mesmo")
        conn.execute("CREATE TABLE accounts (key text PRIMARY KEY, balance int NOT NULL)")
        oc = race(conn, ON_CONFLICT_K)
        oc_balance = conn.execute("SELECT balance FROM accounts WHERE key = 'k'").fetchone()[0]
        print(f"   B com ON CONFLICT: {oc}; saldo final {oc_balance}")
        assert oc == "ok" and oc_balance == 110
        mg = race(conn, MERGE_K)
        mg_balance = conn.execute("SELECT balance FROM accounts WHERE key = 'k'").fetchone()[0]
        print(f"   B com MERGE      : {mg}; saldo final {mg_balance}")
        assert mg == "UniqueViolation (23505)" and mg_balance == 100
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
