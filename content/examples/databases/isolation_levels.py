"""Níveis de isolamento do PostgreSQL com duas conexões reais.

O que este exemplo mostra (cada passo é intercalado à mão, numa única thread, para que a
ordem dos eventos seja sempre a mesma):

1. **Leitura suja não existe**: mesmo pedindo READ UNCOMMITTED, o PostgreSQL se comporta como
   READ COMMITTED e não enxerga o UPDATE ainda não confirmado de outra transação.
2. **Leitura não repetível** em READ COMMITTED: a transação A lê o saldo duas vezes e vê valores
   diferentes, porque B fez COMMIT no meio. Em REPEATABLE READ a segunda leitura repete a
   primeira (o snapshot é tirado no primeiro comando da transação).
3. **Fantasma** evitado em REPEATABLE READ: um INSERT confirmado por B no meio não aparece
   no segundo COUNT de A (no PostgreSQL, RR é snapshot isolation e vai além do padrão SQL).
4. **Write skew**: dois médicos de plantão; cada transação verifica "há pelo menos 2 de
   plantão?" e tira um médico diferente. Em REPEATABLE READ as duas confirmam e o hospital
   fica sem ninguém. Em SERIALIZABLE (SSI) a segunda falha com SQLSTATE 40001
   (``SerializationFailure``); o laço de retry a reexecuta, ela relê o estado e desiste.

O que olhar: os valores lidos em cada passo, o SQLSTATE capturado e o número de tentativas.

Tabelas com nome único num schema próprio, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/isolation_levels.py
"""
from __future__ import annotations

import os
import sys
import uuid
from typing import Callable, TypeVar

import psycopg
from psycopg import IsolationLevel, errors, sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/isolation_levels.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_iso_{uuid.uuid4().hex[:8]}"
T = TypeVar("T")


def connect(isolation: IsolationLevel | None = None) -> psycopg.Connection:
    # autocommit=True + "with conn.transaction()" => o psycopg emite BEGIN ISOLATION LEVEL ...
    # e COMMIT/ROLLBACK explicitamente; fora do bloco cada comando é sua própria transação.
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    if isolation is not None:
        conn.isolation_level = isolation
    return conn


def balance(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT balance FROM accounts WHERE id = 1").fetchone()[0]


def reset_account(admin: psycopg.Connection) -> None:
    admin.execute("UPDATE accounts SET balance = 100 WHERE id = 1")


def non_repeatable_read(level: IsolationLevel, admin: psycopg.Connection) -> tuple[int, int]:
    reset_account(admin)
    with connect(level) as a, connect() as b:
        with a.transaction():
            first = balance(a)
            b.execute("UPDATE accounts SET balance = balance + 50 WHERE id = 1")  # B commit
            second = balance(a)
    return first, second


def phantom(level: IsolationLevel) -> tuple[int, int]:
    with connect(level) as a, connect() as b:
        with a.transaction():
            first = a.execute("SELECT count(*) FROM accounts").fetchone()[0]
            b.execute("INSERT INTO accounts (id, balance) VALUES (%s, 0)", (first + 1,))
            second = a.execute("SELECT count(*) FROM accounts").fetchone()[0]
    return first, second


# region: retry
def run_with_retry(fn: Callable[[int], T], attempts: int = 5) -> T:
    """Reexecuta a transação INTEIRA quando o PostgreSQL pede (40001 / 40P01)."""
    for attempt in range(1, attempts + 1):
        try:
            return fn(attempt)
        except (errors.SerializationFailure, errors.DeadlockDetected) as exc:
            print(f"    tentativa {attempt}: SQLSTATE {exc.sqlstate} -> repetir")
            if attempt == attempts:
                raise
    raise AssertionError("inalcançável")
# endregion: retry


# region: write_skew
def go_off_call(conn: psycopg.Connection, doctor: str,
                between_read_and_write: Callable[[], None] | None = None) -> bool:
    """Regra de negócio: só sai do plantão se sobrar pelo menos 1 médico."""
    with conn.transaction():  # BEGIN ISOLATION LEVEL <conn.isolation_level>
        on_call = conn.execute(
            "SELECT count(*) FROM doctors WHERE on_call").fetchone()[0]
        if between_read_and_write:
            between_read_and_write()       # outra transação roda aqui, no meio
        if on_call < 2:
            return False                   # COMMIT sem mudanças
        conn.execute("UPDATE doctors SET on_call = false WHERE name = %s", (doctor,))
    return True                            # COMMIT (pode falhar com 40001)
# endregion: write_skew


def write_skew(level: IsolationLevel, admin: psycopg.Connection) -> int:
    admin.execute("UPDATE doctors SET on_call = true")
    with connect(level) as alice, connect(level) as bob:
        def bob_leaves() -> None:
            print(f"    bob sai do plantão: {go_off_call(bob, 'bob')}")

        def alice_attempt(attempt: int) -> bool:
            # Só a 1ª tentativa é intercalada com a de Bob; o retry roda sozinho.
            return go_off_call(alice, "alice", bob_leaves if attempt == 1 else None)

        print(f"    alice sai do plantão: {run_with_retry(alice_attempt)}")
    return admin.execute("SELECT count(*) FROM doctors WHERE on_call").fetchone()[0]


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        admin.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
        admin.execute("INSERT INTO accounts VALUES (1, 100)")
        admin.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)")
        admin.execute("INSERT INTO doctors VALUES ('alice', true), ('bob', true)")

        print("1) leitura suja (A em READ UNCOMMITTED, B com UPDATE não confirmado)")
        with connect(IsolationLevel.READ_UNCOMMITTED) as a, connect() as b:
            with b.transaction(force_rollback=True):   # B nunca confirma
                b.execute("UPDATE accounts SET balance = 999 WHERE id = 1")
                with a.transaction():
                    level = a.execute("SHOW transaction_isolation").fetchone()[0]
                    seen = balance(a)
        print(f"   A ({level}) vê {seen}")
        assert seen == 100  # nunca 999: READ UNCOMMITTED se comporta como READ COMMITTED

        print("2) leitura não repetível (B soma 50 e confirma entre as leituras de A)")
        rc = non_repeatable_read(IsolationLevel.READ_COMMITTED, admin)
        rr = non_repeatable_read(IsolationLevel.REPEATABLE_READ, admin)
        print(f"   READ COMMITTED : {rc[0]} depois {rc[1]}")
        print(f"   REPEATABLE READ: {rr[0]} depois {rr[1]}")
        assert rc == (100, 150) and rr == (100, 100)

        print("3) fantasma (B insere e confirma entre os COUNT de A)")
        rc = phantom(IsolationLevel.READ_COMMITTED)
        rr = phantom(IsolationLevel.REPEATABLE_READ)
        print(f"   READ COMMITTED : {rc[0]} depois {rc[1]}")
        print(f"   REPEATABLE READ: {rr[0]} depois {rr[1]}")
        assert rc[1] == rc[0] + 1 and rr[1] == rr[0]

        print("4) write skew: alice e bob tentam sair do plantão ao mesmo tempo")
        print("   REPEATABLE READ:")
        left = write_skew(IsolationLevel.REPEATABLE_READ, admin)
        print(f"   médicos de plantão: {left}")
        assert left == 0  # anomalia: a regra "sobra pelo menos 1" foi violada

        print("   SERIALIZABLE:")
        left = write_skew(IsolationLevel.SERIALIZABLE, admin)
        print(f"   médicos de plantão: {left}")
        assert left == 1  # SSI abortou alice (40001); no retry ela viu só 1 e desistiu
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
