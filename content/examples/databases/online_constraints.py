"""Constraints e índices "online" no PostgreSQL: backfill em lotes, NOT VALID + VALIDATE e CIC.

O que este exemplo mostra:

1. **Backfill em lotes**: preencher uma coluna nova em transações curtas por faixa de id, em vez
   de um UPDATE gigante (que seguraria row locks, geraria bloat e lag de réplica de uma vez).
2. **NOT NULL sem varredura sob ACCESS EXCLUSIVE** (PostgreSQL 12+): ``CHECK (col IS NOT NULL)
   NOT VALID`` (instantâneo), ``VALIDATE CONSTRAINT`` (varre, mas com lock fraco) e então
   ``SET NOT NULL``, que usa a CHECK válida como prova e pula a varredura. As mensagens DEBUG1
   do servidor ("verifying table" vs "existing constraints ... are sufficient") provam qual
   caminho foi tomado.
3. **Qual lock cada passo segura**: com um ``VALIDATE CONSTRAINT`` aberto (SHARE UPDATE
   EXCLUSIVE), um INSERT de outra sessão passa; com um ``ADD CONSTRAINT ... CHECK`` validando na
   hora (ACCESS EXCLUSIVE), o mesmo INSERT estoura o ``lock_timeout``.
4. **FK NOT VALID**: linhas antigas órfãs são toleradas, linhas novas já são checadas; o
   ``VALIDATE`` falha enquanto houver órfãos e passa depois da limpeza.
5. **CREATE INDEX CONCURRENTLY**: não roda dentro de transação (25001); se falhar (aqui por
   duplicatas num índice UNIQUE) deixa um índice INVALID (``pg_index.indisvalid = false``), que
   precisa de ``DROP INDEX CONCURRENTLY`` antes de tentar de novo.

O que olhar: as mensagens DEBUG1 do item 2, o modo de lock do item 3 e ``indisvalid`` no item 5.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/online_constraints.py
"""
from __future__ import annotations

import os
import sys
import uuid

import psycopg
from psycopg import errors, sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/online_constraints.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_online_{uuid.uuid4().hex[:8]}"
N_ROWS = 25_000


def connect() -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


# region: backfill
def backfill(conn: psycopg.Connection, batch: int = 5_000) -> int:
    """Preenche users.email_lower em lotes por faixa de PK; cada lote é uma transação curta."""
    max_id = conn.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0]
    batches = 0
    for start in range(1, max_id + 1, batch):
        with conn.transaction():
            conn.execute(
                """UPDATE users SET email_lower = lower(email)
                   WHERE id >= %s AND id < %s AND email_lower IS NULL""",
                (start, start + batch))
        batches += 1
        # aqui: time.sleep(...) e/ou checar o lag das réplicas antes do próximo lote
    return batches
# endregion: backfill

# region: not-null-steps
NOT_NULL_STEPS = [
    # 1) instantâneo: só catálogo (ACCESS EXCLUSIVE por um instante); linhas novas já checadas
    "ALTER TABLE users ADD CONSTRAINT email_lower_nn CHECK (email_lower IS NOT NULL) NOT VALID",
    # 2) varre a tabela, mas com SHARE UPDATE EXCLUSIVE: leituras e escritas continuam
    "ALTER TABLE users VALIDATE CONSTRAINT email_lower_nn",
    # 3) PG 12+: a CHECK válida prova que não há NULL -> sem varredura
    "ALTER TABLE users ALTER COLUMN email_lower SET NOT NULL",
    # 4) a CHECK virou redundante
    "ALTER TABLE users DROP CONSTRAINT email_lower_nn",
]
# endregion: not-null-steps

# region: fk-not-valid
FK_NOT_VALID = """
    ALTER TABLE orders ADD CONSTRAINT orders_user_fk
        FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID
"""
FK_VALIDATE = "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk"
# endregion: fk-not-valid

# region: cic-invalid
CIC = "CREATE UNIQUE INDEX CONCURRENTLY users_nick_uq ON users (nick)"
IS_VALID = """
    SELECT i.indisvalid FROM pg_index i
    WHERE i.indexrelid = to_regclass('users_nick_uq')
"""
# endregion: cic-invalid


def lock_modes(admin: psycopg.Connection, pid: int) -> list[str]:
    return [r[0] for r in admin.execute(
        "SELECT mode FROM pg_locks WHERE pid = %s AND relation = 'users'::regclass", (pid,))]


def insert_with_timeout(conn: psycopg.Connection, user_id: int) -> str:
    conn.execute("SET lock_timeout = '200ms'")
    try:
        conn.execute("""INSERT INTO users (id, email, email_lower, nick)
                        VALUES (%s, 'X@y.com', 'x@y.com', 'nx' || %s)""", (user_id, user_id))
        return "INSERT passou"
    except errors.LockNotAvailable as exc:
        return f"INSERT bloqueado: SQLSTATE {exc.sqlstate}"


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        admin.execute("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, nick text)")
        admin.execute("""INSERT INTO users SELECT i, 'User' || i || '@X.com', 'n' || mod(i, 24990)
                         FROM generate_series(1, %s) i""", (N_ROWS,))  # nicks repetidos!
        admin.execute("ALTER TABLE users ADD COLUMN email_lower text")  # expand: nullable

        print("1) backfill em lotes")
        batches = backfill(admin)
        nulls = admin.execute("SELECT count(*) FROM users WHERE email_lower IS NULL").fetchone()[0]
        print(f"   {batches} lotes; linhas ainda NULL: {nulls}")
        assert batches == 5 and nulls == 0

        print("2) NOT NULL em passos (mensagens DEBUG1 do servidor)")
        debug: list[str] = []
        admin.add_notice_handler(lambda d: debug.append(d.message_primary or ""))
        admin.execute("SET client_min_messages = debug1")
        for step in NOT_NULL_STEPS:
            debug.clear()
            admin.execute(step)
            msgs = [m for m in debug if "verifying" in m or "sufficient" in m]
            print(f"   {step.split('users ', 1)[1][:60]}\n      -> {msgs or '(sem varredura)'}")
            if "VALIDATE" in step:
                assert msgs == ['verifying table "users"']
            if "SET NOT NULL" in step:
                assert len(msgs) == 1 and "sufficient to prove" in msgs[0]
        admin.execute("RESET client_min_messages")
        debug.clear()
        attnotnull = admin.execute("""SELECT attnotnull FROM pg_attribute
            WHERE attrelid = 'users'::regclass AND attname = 'email_lower'""").fetchone()[0]
        assert attnotnull is True

        print("3) que lock cada passo segura (outra sessão tenta um INSERT)")
        admin.execute("ALTER TABLE users ADD CONSTRAINT email_at CHECK (email LIKE '%@%') NOT VALID")
        with connect() as ddl, connect() as app:
            with ddl.transaction(force_rollback=True):
                ddl.execute("ALTER TABLE users VALIDATE CONSTRAINT email_at")
                modes = lock_modes(admin, ddl.info.backend_pid)
                outcome = insert_with_timeout(app, N_ROWS + 1)
                print(f"   VALIDATE CONSTRAINT segura {modes}: {outcome}")
                assert modes == ["ShareUpdateExclusiveLock"] and outcome == "INSERT passou"
            with ddl.transaction(force_rollback=True):
                ddl.execute("ALTER TABLE users ADD CONSTRAINT email_dot CHECK (email LIKE '%.%')")
                modes = lock_modes(admin, ddl.info.backend_pid)
                outcome = insert_with_timeout(app, N_ROWS + 2)
                print(f"   ADD CONSTRAINT CHECK (validando) segura {modes}: {outcome}")
                assert modes == ["AccessExclusiveLock"] and outcome.endswith("55P03")

        print("4) FK NOT VALID + VALIDATE")
        admin.execute("CREATE TABLE orders (id int PRIMARY KEY, user_id int)")
        admin.execute("INSERT INTO orders VALUES (1, 10), (2, 999999)")  # 999999: órfão antigo
        admin.execute(FK_NOT_VALID)
        print("   FK NOT VALID criada apesar do órfão antigo")
        try:
            admin.execute("INSERT INTO orders VALUES (3, 888888)")
        except errors.ForeignKeyViolation as exc:
            print(f"   órfão NOVO rejeitado na hora: SQLSTATE {exc.sqlstate}")
        else:
            raise AssertionError("esperava ForeignKeyViolation")
        try:
            admin.execute(FK_VALIDATE)
        except errors.ForeignKeyViolation as exc:
            print(f"   VALIDATE com órfão antigo: SQLSTATE {exc.sqlstate}")
        else:
            raise AssertionError("esperava ForeignKeyViolation no VALIDATE")
        admin.execute("DELETE FROM orders WHERE user_id NOT IN (SELECT id FROM users)")
        admin.execute(FK_VALIDATE)
        validated = admin.execute("""SELECT convalidated FROM pg_constraint
                                     WHERE conname = 'orders_user_fk'""").fetchone()[0]
        print(f"   depois da limpeza: convalidated = {validated}")
        assert validated is True

        print("5) CREATE INDEX CONCURRENTLY")
        try:
            with admin.transaction():
                admin.execute(CIC)
        except errors.ActiveSqlTransaction as exc:
            print(f"   dentro de transação: SQLSTATE {exc.sqlstate}")
        else:
            raise AssertionError("esperava ActiveSqlTransaction")
        try:
            admin.execute(CIC)
        except errors.UniqueViolation as exc:
            print(f"   falhou por duplicatas: SQLSTATE {exc.sqlstate}")
        else:
            raise AssertionError("esperava UniqueViolation")
        valid = admin.execute(IS_VALID).fetchone()
        print(f"   o índice ficou para trás: indisvalid = {valid[0]}")
        assert valid == (False,)
        admin.execute("DROP INDEX CONCURRENTLY users_nick_uq")
        admin.execute("UPDATE users SET nick = 'u' || id WHERE nick IN "
                      "(SELECT nick FROM users GROUP BY nick HAVING count(*) > 1)")
        admin.execute(CIC)
        valid = admin.execute(IS_VALID).fetchone()
        print(f"   DROP INDEX CONCURRENTLY + dados corrigidos + CIC de novo: indisvalid = {valid[0]}")
        assert valid == (True,)
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
