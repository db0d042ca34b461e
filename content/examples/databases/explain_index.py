"""EXPLAIN ANALYZE antes e depois de um índice, num PostgreSQL de verdade.

O que este exemplo mostra:

1. Uma tabela ``orders`` com 100 mil linhas geradas por ``generate_series``. Sem índice em
   ``customer_id``, a consulta ``WHERE customer_id = 42`` vira **Seq Scan**: o PostgreSQL lê a
   tabela inteira e descarta 99,9% das linhas (veja ``Rows Removed by Filter``).
2. Depois de ``CREATE INDEX`` + ``ANALYZE``, o mesmo SELECT passa a usar o índice
   (**Index Scan** ou **Bitmap Index Scan → Bitmap Heap Scan**, conforme a estimativa de
   quantas páginas serão tocadas).
3. Depois de ``VACUUM`` (que marca as páginas como all-visible no *visibility map*), uma
   consulta que só precisa de colunas do índice vira **Index Only Scan** com
   ``Heap Fetches: 0``.

O que olhar: os nomes dos nós do plano (impressos sem tempos, para a saída ser estável) e as
linhas reais (``actual rows``), que batem com a contagem exata gerada.

Tudo acontece num schema temporário com nome único, apagado no fim (``DROP SCHEMA ... CASCADE``).

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/explain_index.py
"""
from __future__ import annotations

import os
import sys
import uuid

import psycopg
from psycopg import sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/explain_index.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_explain_{uuid.uuid4().hex[:8]}"


def plan_nodes(plan: dict) -> list[str]:
    """Percorre o plano em JSON (pré-ordem) e devolve os nomes dos nós."""
    names = [plan["Node Type"]]
    for child in plan.get("Plans", []):
        names.extend(plan_nodes(child))
    return names


def find_node(plan: dict, node_type: str) -> dict | None:
    if plan["Node Type"] == node_type:
        return plan
    for child in plan.get("Plans", []):
        found = find_node(child, node_type)
        if found:
            return found
    return None


# region: explain_json
def explain(conn: psycopg.Connection, query: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) em JSON: estrutura fácil de inspecionar por código."""
    row = conn.execute(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query
    ).fetchone()
    return row[0][0]["Plan"]  # a coluna já vem decodificada como lista de dicts
# endregion: explain_json


def show(title: str, plan: dict) -> None:
    print(f"{title}: {' -> '.join(plan_nodes(plan))} (actual rows={plan['Actual Rows']})")


with psycopg.connect(DSN, autocommit=True) as conn:
    # Sem workers paralelos a forma do plano é estável (senão poderia aparecer
    # Gather + Parallel Seq Scan, dependendo do tamanho da tabela e da máquina).
    conn.execute("SET max_parallel_workers_per_gather = 0")
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        # region: setup
        conn.execute("""
            CREATE TABLE orders (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                customer_id int         NOT NULL,
                status      text        NOT NULL,
                total       numeric(10,2) NOT NULL
            )""")
        conn.execute("""
            INSERT INTO orders (customer_id, status, total)
            SELECT i % 1000,                          -- 1000 clientes, 100 pedidos cada
                   (ARRAY['new','paid','shipped'])[i % 3 + 1],
                   (i % 500) + 0.99
            FROM generate_series(1, 100000) AS s(i)""")
        conn.execute("ANALYZE orders")  # estatísticas frescas para o planejador
        # endregion: setup

        query = "SELECT id, total FROM orders WHERE customer_id = 42"

        before = explain(conn, query)
        show("sem índice", before)
        assert before["Node Type"] == "Seq Scan", before["Node Type"]
        assert before["Actual Rows"] == 100
        print("  linhas descartadas pelo filtro:", before["Rows Removed by Filter"])

        # region: create_index
        conn.execute("CREATE INDEX orders_customer_idx ON orders (customer_id)")
        conn.execute("ANALYZE orders")
        # endregion: create_index

        after = explain(conn, query)
        show("com índice", after)
        nodes = plan_nodes(after)
        assert "Seq Scan" not in nodes, nodes
        assert {"Index Scan", "Bitmap Heap Scan"} & set(nodes), nodes
        assert after["Actual Rows"] == 100
        # O mesmo plano em texto, sem custos nem tempos (que variam a cada execução):
        for (line,) in conn.execute(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + query
        ):
            print("   ", line)

        # Index-only scan: a consulta só pede customer_id (está no índice) e o VACUUM
        # deixou o visibility map em dia, então o heap nem é visitado.
        conn.execute("VACUUM (ANALYZE) orders")
        only = explain(conn, "SELECT customer_id FROM orders WHERE customer_id = 42")
        show("só colunas do índice, após VACUUM", only)
        ios = find_node(only, "Index Only Scan")
        assert ios is not None, plan_nodes(only)
        print("  Heap Fetches:", ios["Heap Fetches"])
        assert ios["Heap Fetches"] == 0
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok: Seq Scan -> Index/Bitmap scan -> Index Only Scan")
