"""DDL sem downtime no PostgreSQL: o que reescreve a tabela e a fila de locks atrás de um ALTER.

O que este exemplo mostra:

1. **Quais ALTERs reescrevem a tabela**, comparando ``pg_relation_filenode()`` antes e depois
   (um arquivo novo = a tabela inteira foi copiada, sob ACCESS EXCLUSIVE):
   - ``ADD COLUMN ... DEFAULT 'free'`` (constante) e ``DEFAULT now()`` (STABLE) não reescrevem
     desde o PostgreSQL 11: o valor fica no catálogo (``pg_attribute.atthasmissing``);
   - ``DEFAULT gen_random_uuid()`` (VOLATILE) reescreve: cada linha precisa de um valor próprio;
   - ``varchar(20) -> varchar(50)`` não reescreve (binariamente compatível); ``int -> bigint``
     reescreve.
2. **A fila de locks**: a sessão A só leu a tabela (ACCESS SHARE) e ficou com a transação aberta.
   A migração pede ACCESS EXCLUSIVE e espera A. Um SELECT simples da sessão C, que seria
   compatível com A, agora espera **atrás da migração**: ``pg_blocking_pids`` mostra a cadeia
   C -> migração -> A. Em produção, é assim que um ALTER "instantâneo" derruba a aplicação.
3. **lock_timeout + retry**: com ``SET lock_timeout = '100ms'`` a migração desiste rápido
   (SQLSTATE 55P03), as consultas da aplicação seguem, e ela tenta de novo com backoff até A
   terminar.

O que olhar: a coluna "reescreveu?" do item 1 e a cadeia de bloqueio do item 2.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/zero_downtime_migration.py
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
        "python scripts/services.py run -- "
        "python content/examples/databases/zero_downtime_migration.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_ddl_{uuid.uuid4().hex[:8]}"

# region: rewrite-check
FILENODE = "SELECT pg_relation_filenode('accounts')"

ALTERS = [
    "ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free'",     # constante
    "ALTER TABLE accounts ADD COLUMN created_at timestamptz DEFAULT now()",  # STABLE
    "ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()",  # VOLATILE
    "ALTER TABLE accounts ALTER COLUMN nick TYPE varchar(50)",               # era varchar(20)
    "ALTER TABLE accounts ALTER COLUMN score TYPE bigint",                   # era int
]
# endregion: rewrite-check

# region: lock-timeout-retry
MIGRATION = "ALTER TABLE accounts ADD COLUMN referrer text"


def run_ddl_with_retry(conn: psycopg.Connection, ddl: str, attempts: int = 20) -> int:
    """Tenta o DDL com lock_timeout curto; em 55P03 espera um pouco e tenta de novo."""
    conn.execute("SET lock_timeout = '100ms'")
    for attempt in range(1, attempts + 1):
        try:
            conn.execute(ddl)
            return attempt
        except errors.LockNotAvailable:
            time.sleep(min(0.05 * 2 ** attempt, 1.0))  # backoff: não vira a fila
    raise RuntimeError("não conseguiu o lock; tente fora do pico")
# endregion: lock-timeout-retry


def connect(name: str) -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True, application_name=name)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


def wait_until_blocked(admin: psycopg.Connection, pid: int) -> None:
    for _ in range(500):
        row = admin.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError(f"sessão {pid} não bloqueou")


def blockers(admin: psycopg.Connection, pid: int) -> list[str]:
    return [r[0] for r in admin.execute(
        "SELECT application_name FROM pg_stat_activity "
        "WHERE pid = ANY(pg_blocking_pids(%s)) ORDER BY 1", (pid,))]


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        admin.execute("""CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL,
                         nick varchar(20), score int)""")
        admin.execute("""INSERT INTO accounts SELECT i, 'u' || i || '@x.com', 'n' || i, i
                         FROM generate_series(1, 20000) i""")

        print("1) quais ALTERs reescrevem a tabela (filenode muda = cópia inteira)")
        rewrote = []
        missing: list[str] = []
        for ddl in ALTERS:
            before = admin.execute(FILENODE).fetchone()[0]
            admin.execute(ddl)
            after = admin.execute(FILENODE).fetchone()[0]
            rewrote.append(before != after)
            print(f"   reescreveu? {'SIM' if before != after else 'não':<3}  {ddl[21:]}")
            if "created_at" in ddl:
                missing = [r[0] for r in admin.execute("""SELECT attname FROM pg_attribute
                    WHERE attrelid = 'accounts'::regclass AND atthasmissing ORDER BY attnum""")]
        assert rewrote == [False, False, True, False, True]
        # antes da reescrita, o default das colunas novas vivia só no catálogo
        print(f"   após as 2 primeiras: colunas com valor 'missing' no catálogo: {missing}")
        assert missing == ["plan", "created_at"]

        print("2) a fila de locks")
        with connect("app-A") as a, connect("migracao") as m, connect("app-C") as c:
            done: set[str] = set()

            def run(conn: psycopg.Connection, name: str, stmt: str) -> None:
                conn.execute(stmt)
                done.add(name)

            with a.transaction():
                a.execute("SELECT count(*) FROM accounts")   # ACCESS SHARE até o COMMIT
                tm = threading.Thread(target=run, args=(m, "migracao", MIGRATION))
                tm.start()
                wait_until_blocked(admin, m.info.backend_pid)
                tc = threading.Thread(target=run, args=(c, "app-C", "SELECT 1 FROM accounts LIMIT 1"))
                tc.start()
                wait_until_blocked(admin, c.info.backend_pid)
                chain_m = blockers(admin, m.info.backend_pid)
                chain_c = blockers(admin, c.info.backend_pid)
                print(f"   migração espera: {chain_m}")
                print(f"   SELECT de app-C espera: {chain_c}  (A e C são compatíveis!)")
                assert chain_m == ["app-A"] and chain_c == ["migracao"]
            tm.join(timeout=10)
            tc.join(timeout=10)
            print("   A fez COMMIT: a migração rodou e o SELECT de C saiu da fila")
            assert set(done) == {"migracao", "app-C"}

        print("3) lock_timeout + retry")
        with connect("app-A") as a, connect("migracao") as m, connect("app-C") as c:
            a.execute("BEGIN")
            a.execute("SELECT count(*) FROM accounts")       # A segura ACCESS SHARE
            try:
                m.execute("SET lock_timeout = '100ms'")
                m.execute(MIGRATION)
            except errors.LockNotAvailable as exc:
                print(f"   migração desistiu: SQLSTATE {exc.sqlstate} ({exc.diag.message_primary})")
                assert exc.sqlstate == "55P03"
            else:
                raise AssertionError("esperava LockNotAvailable")
            # a migração saiu da fila: C lê normalmente mesmo com A aberta
            c.execute("SET lock_timeout = '100ms'")
            c.execute("SELECT 1 FROM accounts LIMIT 1")
            print("   app-C leu sem esperar")
            threading.Timer(0.3, a.execute, args=("COMMIT",)).start()  # A termina em 300 ms
            attempts = run_ddl_with_retry(m, MIGRATION.replace("referrer", "coupon"))
            print(f"   com retry: aplicada na tentativa {attempts}, depois do COMMIT de A")
            assert attempts > 1
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
