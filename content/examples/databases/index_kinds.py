"""Executa ``index_kinds.sql`` num PostgreSQL real e confere o que ele promete.

O arquivo .sql (é ele que os cards mostram) cria ``users`` (50 mil linhas) e ``orders`` (100 mil)
e tem duas regiões, cada uma com um ``CREATE INDEX``. Este script lê o arquivo, divide-o em
comandos (um comando termina numa linha que acaba em ``;``), executa-os em autocommit e confere:

1. Região ``expression-index`` (índice em ``lower(email)``):
   - ``WHERE lower(email) = ...`` usa o índice (EXPLAIN ANALYZE mostra ``users_email_lower``);
   - ``WHERE email = ...`` e ``WHERE upper(email) = ...`` **não podem** usá-lo: nem com
     ``enable_seqscan = off`` o índice aparece no plano. Só serve a mesma expressão;
   - a expressão precisa ser IMMUTABLE: ``created_at::date`` (``timestamptz`` → ``date``
     depende do fuso da sessão, é STABLE) é recusado com SQLSTATE 42P17;
     ``(created_at AT TIME ZONE 'UTC')::date`` (fuso fixo, IMMUTABLE) é aceito.
2. Região ``covering-index`` (``UNIQUE (number) INCLUDE (status, total)``, PostgreSQL 11+):
   - depois de ``VACUUM (ANALYZE)``, ``SELECT number, status, total ... WHERE number = 42`` é
     **Index Only Scan** com ``Heap Fetches: 0``; pedir também ``id`` (fora do índice) volta a
     ser Index Scan, que visita o heap;
   - a unicidade vale só para ``number``: repetir o número com outro ``status`` falha (23505);
     outro número com o mesmo ``status`` passa.

O que olhar: o nó do plano e o índice usado em cada consulta, e o SQLSTATE de cada recusa.

Schema com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/index_kinds.py
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg import errors, sql

from _sql_regions import read_sql, run  # o módulo auxiliar ao lado deste arquivo

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/index_kinds.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_idxkinds_{uuid.uuid4().hex[:8]}"
SQL_FILE = Path(__file__).with_name("index_kinds.sql")


def nodes(plan: dict) -> list[dict]:
    """Todos os nós do plano em JSON, em pré-ordem."""
    found = [plan]
    for child in plan.get("Plans", []):
        found.extend(nodes(child))
    return found


def explain(conn: psycopg.Connection, query: str) -> list[dict]:
    row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query).fetchone()
    return nodes(row[0][0]["Plan"])


def show(query: str, plan: list[dict]) -> str:
    steps = [n["Node Type"] + (f" using {n['Index Name']}" if "Index Name" in n else "") for n in plan]
    return f"   {query}\n      -> {' -> '.join(steps)}"


def uses(plan: list[dict], index: str) -> bool:
    return any(n.get("Index Name") == index for n in plan)


setup, regions = read_sql(SQL_FILE)
assert list(regions) == ["expression-index", "covering-index"], list(regions)

with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    conn.execute("SET max_parallel_workers_per_gather = 0")  # planos estáveis
    try:
        run(conn, setup)

        print("1) índice de expressão")
        run(conn, regions["expression-index"])
        conn.execute("ANALYZE users")  # também coleta estatísticas da expressão indexada
        same = "SELECT id, email FROM users WHERE lower(email) = 'user42@example.com'"
        plan = explain(conn, same)
        print(show(same, plan))
        assert uses(plan, "users_email_lower") and plan[0]["Actual Rows"] == 1, plan

        conn.execute("SET enable_seqscan = off")  # mesmo "proibindo" o Seq Scan...
        for other in ("SELECT id, email FROM users WHERE email = 'User42@Example.com'",
                      "SELECT id, email FROM users WHERE upper(email) = 'USER42@EXAMPLE.COM'"):
            plan = explain(conn, other)
            print(show(other, plan), "(enable_seqscan = off)")
            # ...o índice não serve: a expressão não é a mesma
            assert not uses(plan, "users_email_lower") and plan[0]["Node Type"] == "Seq Scan", plan
            assert plan[0]["Actual Rows"] == 1
        conn.execute("RESET enable_seqscan")

        try:
            conn.execute("CREATE INDEX users_day ON users ((created_at::date))")
        except errors.InvalidObjectDefinition as exc:
            print(f"   (created_at::date): SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
            assert exc.diag.message_primary == "functions in index expression must be marked IMMUTABLE"
        else:
            raise AssertionError("esperava InvalidObjectDefinition")
        conn.execute("CREATE INDEX users_day ON users (((created_at AT TIME ZONE 'UTC')::date))")
        print("   ((created_at AT TIME ZONE 'UTC')::date): aceito")

        version = conn.info.server_version
        print(f"2) índice de cobertura (servidor {version}; INCLUDE existe desde o 11)")
        assert version >= 110000
        run(conn, regions["covering-index"])
        conn.execute("VACUUM (ANALYZE) orders")  # visibility map em dia: páginas all-visible
        covered = "SELECT number, status, total FROM orders WHERE number = 42"
        plan = explain(conn, covered)
        print(show(covered, plan), f"(Heap Fetches: {plan[0].get('Heap Fetches')})")
        assert plan[0]["Node Type"] == "Index Only Scan" and uses(plan, "orders_number"), plan
        assert plan[0]["Heap Fetches"] == 0 and plan[0]["Actual Rows"] == 1
        not_covered = "SELECT id, number, status, total FROM orders WHERE number = 42"
        plan = explain(conn, not_covered)
        print(show(not_covered, plan))
        assert plan[0]["Node Type"] == "Index Scan" and uses(plan, "orders_number"), plan

        status_42 = conn.execute("SELECT status FROM orders WHERE number = 42").fetchone()[0]
        try:
            conn.execute("INSERT INTO orders (number, status, total) VALUES (42, %s, 1.00)",
                         ("shipped" if status_42 != "shipped" else "new",))
        except errors.UniqueViolation as exc:
            print(f"   number 42 de novo, outro status: SQLSTATE {exc.sqlstate}: {exc.diag.message_detail}")
            assert exc.diag.message_detail == "Key (number)=(42) already exists."
        else:
            raise AssertionError("esperava UniqueViolation")
        conn.execute("INSERT INTO orders (number, status, total) VALUES (100001, %s, 1.00)",
                     (status_42,))  # UniqueViolation aqui derrubaria o exemplo
        print(f"   outro number, mesmo status ({status_42!r}): aceito")
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
