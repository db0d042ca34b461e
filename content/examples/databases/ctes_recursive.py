"""CTEs no PostgreSQL: inlining vs materialização, CTEs que modificam dados e CTEs recursivas.

O que este exemplo mostra:

1. **Inlining (PostgreSQL 12+)**: uma CTE não recursiva, sem efeitos colaterais e referenciada
   uma vez é incorporada à consulta; o filtro de fora desce até a tabela e o plano usa o índice
   da PK. Com ``MATERIALIZED`` ela vira uma barreira: o plano mostra ``CTE Scan`` + ``Filter``
   sobre um Seq Scan. Referenciada duas vezes (ou com função volátil), ela é materializada por
   padrão; ``NOT MATERIALIZED`` força o inlining.
2. **CTE com DELETE ... RETURNING**: todas as partes do comando enxergam o MESMO snapshot; a
   consulta principal ainda "vê" as linhas que a CTE apagou. O padrão útil é mover linhas
   atomicamente (``DELETE ... RETURNING`` alimentando um ``INSERT``).
3. **Recursiva em hierarquia**: organograma com profundidade e caminho, ordenado com
   ``SEARCH DEPTH FIRST BY`` (PostgreSQL 14+).
4. **Recursiva em grafo com ciclo**: ``UNION ALL`` com uma coluna de profundidade nunca repete
   linhas idênticas, então só para por um limite artificial; ``UNION`` sem a profundidade para
   sozinho (descarta duplicatas); a cláusula ``CYCLE`` (PostgreSQL 14+) marca a linha que fecha
   o ciclo e para de expandi-la.

O que olhar: os planos do item 1 (procure "Index Scan" vs "CTE Scan") e as colunas
``is_cycle``/``path`` do item 4.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/ctes_recursive.py
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
        "python scripts/services.py run -- python content/examples/databases/ctes_recursive.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_cte_{uuid.uuid4().hex[:8]}"

# region: inline-vs-materialized
INLINED = """
    WITH t AS (SELECT * FROM items)
    SELECT * FROM t WHERE id = 42
"""
MATERIALIZED = """
    WITH t AS MATERIALIZED (SELECT * FROM items)
    SELECT * FROM t WHERE id = 42
"""
# endregion: inline-vs-materialized
# INLINED (PG 12+) vira "SELECT * FROM items WHERE id = 42" -> Index Scan.
# MATERIALIZED é barreira: calcula a CTE inteira (Seq Scan) e filtra depois (CTE Scan + Filter).

TWICE = """
    WITH t AS {kw} (SELECT * FROM items)
    SELECT * FROM t WHERE id = 42
    UNION ALL
    SELECT * FROM t WHERE id = 43
"""
VOLATILE = """
    WITH t AS (SELECT id, random() AS r FROM items)
    SELECT * FROM t WHERE id = 42
"""

# region: modifying-cte
SAME_SNAPSHOT = """
    WITH deleted AS (DELETE FROM queue WHERE id <= 2 RETURNING id)
    SELECT (SELECT count(*) FROM deleted) AS apagadas,
           (SELECT count(*) FROM queue)   AS vistas_na_queue
"""
MOVE_ROWS = """
    WITH moved AS (DELETE FROM queue WHERE id <= 4 RETURNING id, payload)
    INSERT INTO queue_archive (id, payload) SELECT id, payload FROM moved
"""
# endregion: modifying-cte

# region: recursive-tree
ORG_CHART = """
    WITH RECURSIVE chain AS (
        SELECT id, name, 1 AS depth                      -- termo não recursivo: a raiz
        FROM staff WHERE manager_id IS NULL
        UNION ALL
        SELECT s.id, s.name, c.depth + 1                 -- termo recursivo: os filhos
        FROM staff s JOIN chain c ON s.manager_id = c.id
    ) SEARCH DEPTH FIRST BY name SET ord                 -- PG 14+: ordem de árvore
    SELECT repeat('  ', depth - 1) || name AS org FROM chain ORDER BY ord
"""
# endregion: recursive-tree

# region: graph-cycle
NAIVE = """
    WITH RECURSIVE walk(node, depth) AS (
        SELECT 'a', 0
        UNION ALL
        SELECT e.dst, w.depth + 1 FROM edges e JOIN walk w ON e.src = w.node
        WHERE w.depth < 6                                -- sem isto, nunca termina
    )
    SELECT node, count(*) FROM walk GROUP BY node ORDER BY node
"""
WITH_UNION = """
    WITH RECURSIVE reach(node) AS (
        SELECT 'a'
        UNION                                            -- descarta linhas repetidas
        SELECT e.dst FROM edges e JOIN reach r ON e.src = r.node
    )
    SELECT node FROM reach ORDER BY node
"""
WITH_CYCLE = """
    WITH RECURSIVE walk(node, depth) AS (
        SELECT 'a', 0
        UNION ALL
        SELECT e.dst, w.depth + 1 FROM edges e JOIN walk w ON e.src = w.node
    ) CYCLE node SET is_cycle USING path                 -- PG 14+
    SELECT node, depth, is_cycle, path::text FROM walk ORDER BY depth, node
"""
# endregion: graph-cycle


def plan(conn: psycopg.Connection, query: str) -> str:
    rows = conn.execute("EXPLAIN (COSTS OFF) " + query).fetchall()
    return "\n".join(r[0] for r in rows)


def show_plan(title: str, text: str) -> None:
    print(title)
    for line in text.splitlines():
        print("    " + line)


with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items SELECT i, 'item-' || i FROM generate_series(1, 20000) i")
        conn.execute("ANALYZE items")

        print("1) CTE: inlining vs materialização")
        p_inline, p_mat = plan(conn, INLINED), plan(conn, MATERIALIZED)
        show_plan("   WITH t AS (...):", p_inline)
        show_plan("   WITH t AS MATERIALIZED (...):", p_mat)
        assert "Index Scan" in p_inline and "CTE Scan" not in p_inline
        assert "CTE Scan" in p_mat and "Seq Scan" in p_mat

        p_twice = plan(conn, TWICE.format(kw=""))
        p_twice_inline = plan(conn, TWICE.format(kw="NOT MATERIALIZED"))
        p_volatile = plan(conn, VOLATILE)
        print(f"   referenciada 2x          -> CTE Scan? {'CTE Scan' in p_twice}")
        print(f"   2x com NOT MATERIALIZED  -> CTE Scan? {'CTE Scan' in p_twice_inline}")
        print(f"   com random() (volátil)   -> CTE Scan? {'CTE Scan' in p_volatile}")
        assert "CTE Scan" in p_twice and "CTE Scan" not in p_twice_inline
        assert "CTE Scan" in p_volatile

        print("2) CTE com DELETE ... RETURNING")
        conn.execute("CREATE TABLE queue (id int PRIMARY KEY, payload text)")
        conn.execute("CREATE TABLE queue_archive (id int PRIMARY KEY, payload text)")
        conn.execute("INSERT INTO queue SELECT i, 'p' || i FROM generate_series(1, 5) i")
        deleted, seen = conn.execute(SAME_SNAPSHOT).fetchone()
        after = conn.execute("SELECT count(*) FROM queue").fetchone()[0]
        print(f"   apagadas={deleted}, a consulta principal ainda viu {seen}; depois: {after}")
        assert (deleted, seen, after) == (2, 5, 3)
        conn.execute(MOVE_ROWS)
        left = conn.execute("SELECT count(*) FROM queue").fetchone()[0]
        archived = conn.execute("SELECT array_agg(id ORDER BY id) FROM queue_archive").fetchone()[0]
        print(f"   movidas para o arquivo: {archived}; restam na fila: {left}")
        assert archived == [3, 4] and left == 1

        print("3) CTE recursiva: organograma")
        conn.execute("CREATE TABLE staff (id int PRIMARY KEY, name text, manager_id int)")
        conn.execute("""INSERT INTO staff VALUES (1, 'ceo', NULL), (2, 'cto', 1), (3, 'cfo', 1),
                        (4, 'dev-a', 2), (5, 'dev-b', 2), (6, 'contador', 3)""")
        org = [r[0] for r in conn.execute(ORG_CHART).fetchall()]
        for line in org:
            print("    " + line)
        assert org == ["ceo", "  cfo", "    contador", "  cto", "    dev-a", "    dev-b"]

        print("4) CTE recursiva em grafo com ciclo a -> b -> c -> a (e c -> d)")
        conn.execute("CREATE TABLE edges (src text, dst text)")
        conn.execute("INSERT INTO edges VALUES ('a', 'b'), ('b', 'c'), ('c', 'a'), ('c', 'd')")
        naive = conn.execute(NAIVE).fetchall()
        print(f"   UNION ALL + depth < 6 (visitas por nó): {naive}")
        assert dict(naive)["a"] == 3  # revisita 'a' a cada volta no ciclo
        reach = [r[0] for r in conn.execute(WITH_UNION).fetchall()]
        print(f"   UNION (sem depth): {reach}")
        assert reach == ["a", "b", "c", "d"]
        rows = conn.execute(WITH_CYCLE).fetchall()
        print("   CYCLE node SET is_cycle USING path:")
        for r in rows:
            print("    ", " | ".join(str(v) for v in r))
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("a", 0, False), ("b", 1, False), ("c", 2, False), ("a", 3, True), ("d", 3, False)]
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
