"""Anti-joins e NULL: por que ``NOT IN`` com um NULL não devolve nada, e a lógica de três valores.

O que este exemplo mostra:

1. "Clientes sem pedidos": basta UM pedido com ``customer_id`` NULL para ``NOT IN (subconsulta)``
   devolver **zero linhas**. ``NOT EXISTS`` e ``LEFT JOIN ... WHERE o.customer_id IS NULL``
   devolvem o resultado certo. No plano, ``NOT EXISTS`` vira ``Anti Join``; ``NOT IN`` não pode
   (a semântica com NULL é outra) e vira um filtro com SubPlan.
2. Lógica de três valores: ``NULL = NULL`` é NULL (não TRUE), ``2 NOT IN (1, NULL)`` é NULL,
   ``TRUE OR NULL`` é TRUE, ``FALSE AND NULL`` é FALSE; ``IS [NOT] DISTINCT FROM`` sempre devolve
   TRUE/FALSE.
3. ``WHERE status <> 'cancelled'`` descarta as linhas com status NULL (o WHERE só mantém TRUE);
   ``IS DISTINCT FROM`` as mantém.
4. ``CHECK (qty > 0)`` aceita NULL: a constraint só rejeita FALSE.
5. Agregados ignoram NULL: ``count(col)`` < ``count(*)``, ``avg`` divide só pelos não nulos e
   ``sum`` de zero linhas é NULL, não 0.

O que olhar: a contagem de linhas de cada versão do anti-join e a tabela-verdade impressa.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/anti_join_null.py
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
        "python scripts/services.py run -- python content/examples/databases/anti_join_null.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_null_{uuid.uuid4().hex[:8]}"

# region: anti-joins
# customers: 1 ana, 2 bia, 3 caio     orders.customer_id: 1, 1, NULL
NOT_IN = """
    SELECT name FROM customers
    WHERE id NOT IN (SELECT customer_id FROM orders)
"""
NOT_EXISTS = """
    SELECT name FROM customers c
    WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
"""
LEFT_JOIN = """
    SELECT c.name FROM customers c
    LEFT JOIN orders o ON o.customer_id = c.id
    WHERE o.customer_id IS NULL
"""
# endregion: anti-joins

# region: three-valued
TRUTH = """
    SELECT NULL = NULL             AS null_eq_null,
           2 NOT IN (1, NULL)      AS not_in_with_null,
           2 IN (2, NULL)          AS in_found,
           TRUE OR NULL            AS true_or_null,
           FALSE AND NULL          AS false_and_null,
           NULL IS DISTINCT FROM NULL     AS distinct_nulls,
           1 IS DISTINCT FROM NULL        AS distinct_1_null
"""
# endregion: three-valued

# region: not-equal-drops-null
NOT_EQUAL = "SELECT count(*) FROM tickets WHERE status <> 'cancelled'"
NULL_SAFE = "SELECT count(*) FROM tickets WHERE status IS DISTINCT FROM 'cancelled'"
# tickets.status: 'open', 'cancelled', NULL
# endregion: not-equal-drops-null

# region: aggregates
AGGREGATES = """
    SELECT count(*), count(discount), avg(discount),
           (SELECT sum(discount) FROM tickets WHERE false) AS sum_of_nothing
    FROM tickets
"""
# tickets.discount: 10, NULL, 20
# endregion: aggregates


with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        conn.execute("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)")
        conn.execute("INSERT INTO customers VALUES (1, 'ana'), (2, 'bia'), (3, 'caio')")
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY, customer_id int)")
        conn.execute("INSERT INTO orders VALUES (10, 1), (11, 1)")

        print("1) clientes sem pedidos")
        before = [r[0] for r in conn.execute(NOT_IN).fetchall()]
        print(f"   NOT IN sem NULL em orders: {before}")
        print("   depois de um pedido com customer_id NULL:")
        assert before == ["bia", "caio"]
        conn.execute("INSERT INTO orders VALUES (12, NULL)")  # um pedido "avulso"
        results = {label: sorted(r[0] for r in conn.execute(q).fetchall())
                   for label, q in [("NOT IN", NOT_IN), ("NOT EXISTS", NOT_EXISTS),
                                    ("LEFT JOIN IS NULL", LEFT_JOIN)]}
        for label, names in results.items():
            print(f"     {label:<18}: {names}")
        assert results["NOT IN"] == []
        assert results["NOT EXISTS"] == results["LEFT JOIN IS NULL"] == ["bia", "caio"]

        p_exists = "\n".join(r[0] for r in conn.execute("EXPLAIN (COSTS OFF) " + NOT_EXISTS))
        p_not_in = "\n".join(r[0] for r in conn.execute("EXPLAIN (COSTS OFF) " + NOT_IN))
        print("   plano do NOT EXISTS:", p_exists.splitlines()[0].strip())
        print("   plano do NOT IN    :", " / ".join(l.strip() for l in p_not_in.splitlines()[:2]))
        assert "Anti Join" in p_exists and "Anti Join" not in p_not_in
        assert "SubPlan" in p_not_in

        print("2) lógica de três valores")
        cur = conn.execute(TRUTH)
        row = cur.fetchone()
        for col, value in zip((d.name for d in cur.description), row):
            print(f"   {col:<17} = {'NULL' if value is None else value}")
        assert row == (None, None, True, True, False, False, True)

        print("3) <> descarta NULL")
        conn.execute("""CREATE TABLE tickets (id int PRIMARY KEY, status text,
                        discount int, qty int CHECK (qty > 0))""")
        conn.execute("""INSERT INTO tickets (id, status, discount) VALUES
                        (1, 'open', 10), (2, 'cancelled', NULL), (3, NULL, 20)""")
        ne = conn.execute(NOT_EQUAL).fetchone()[0]
        safe = conn.execute(NULL_SAFE).fetchone()[0]
        print(f"   status <> 'cancelled'              : {ne} linha(s)")
        print(f"   status IS DISTINCT FROM 'cancelled': {safe} linha(s)")
        assert (ne, safe) == (1, 2)

        print("4) CHECK (qty > 0) e NULL")
        conn.execute("UPDATE tickets SET qty = NULL WHERE id = 1")  # aceito: NULL não é FALSE
        try:
            conn.execute("UPDATE tickets SET qty = 0 WHERE id = 1")
        except psycopg.errors.CheckViolation as exc:
            print(f"   qty = NULL aceito; qty = 0 rejeitado (SQLSTATE {exc.sqlstate})")
        else:
            raise AssertionError("esperava CheckViolation")

        print("5) agregados ignoram NULL")
        total, non_null, avg, nothing = conn.execute(AGGREGATES).fetchone()
        print(f"   count(*)={total} count(discount)={non_null} avg={avg} "
              f"sum(sem linhas)={nothing}")
        assert (total, non_null, int(avg), nothing) == (3, 2, 15, None)
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
