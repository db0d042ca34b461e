"""Window functions, "top N por grupo", LATERAL, DISTINCT ON e FILTER num PostgreSQL real.

O que este exemplo mostra (cada consulta roda de verdade e o resultado é conferido por asserts):

1. ``ROW_NUMBER``, ``RANK`` e ``DENSE_RANK`` com empates: ``RANK`` pula posições depois de um
   empate, ``DENSE_RANK`` não, ``ROW_NUMBER`` numera sem empates (por isso precisa de um critério
   de desempate para ser determinístico).
2. "Top 2 por departamento": com ``ROW_NUMBER`` saem exatamente 2 linhas por grupo; com
   ``DENSE_RANK`` saem os 2 maiores *valores*, o que pode trazer mais linhas. Window function não
   pode aparecer no ``WHERE`` (SQLSTATE 42P20): filtra-se numa subconsulta.
3. ``LAG``/``LEAD``: variação dia a dia; a primeira linha não tem anterior (NULL ou o default).
4. Total acumulado e frames: o frame padrão com ``ORDER BY`` é ``RANGE ... CURRENT ROW``, que
   inclui os *pares* (linhas empatadas no ORDER BY): empatados recebem o mesmo total. Com
   ``ROWS`` o acúmulo é linha a linha. ``RANGE`` com ``INTERVAL`` conta tempo, ``ROWS`` conta
   linhas: numa série com dias faltando, as médias móveis divergem.
5. A armadilha do ``last_value``: com o frame padrão ele devolve a linha atual (ou, havendo
   empate no ORDER BY, o último par dela), não a última da partição.
6. Alternativas para top-N: ``DISTINCT ON`` (top 1) e ``JOIN LATERAL ... LIMIT`` (top N, usa
   índice por grupo); ``LEFT JOIN LATERAL ... ON true`` mantém grupos vazios.
7. ``FILTER (WHERE ...)``: agregação condicional (um "pivot") numa só passada.

O que olhar: as tabelas impressas e o texto do erro do item 2.

Tabelas num schema próprio com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/window_functions.py
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
        "python scripts/services.py run -- python content/examples/databases/window_functions.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_win_{uuid.uuid4().hex[:8]}"


def show(title: str, rows: list[tuple]) -> None:
    print(title)
    for row in rows:
        print("   ", " | ".join("NULL" if v is None else str(v) for v in row))


# region: ranking
RANKING = """
    SELECT dept, name, salary,
           ROW_NUMBER() OVER (PARTITION BY dept ORDER BY salary DESC, name) AS rn,
           RANK()       OVER (PARTITION BY dept ORDER BY salary DESC)       AS rnk,
           DENSE_RANK() OVER (PARTITION BY dept ORDER BY salary DESC)       AS drnk
    FROM employees
    ORDER BY dept, salary DESC, name
"""
# endregion: ranking
# eng | ana  | 9000 | 1 | 1 | 1
# eng | bia  | 9000 | 2 | 1 | 1
# eng | caio | 8000 | 3 | 3 | 2   <- RANK pula o 2; DENSE_RANK não
# eng | duda | 7000 | 4 | 4 | 3

# region: top-n
TOP2_ROW_NUMBER = """
    SELECT dept, name, salary FROM (
        SELECT e.*, ROW_NUMBER() OVER (PARTITION BY dept ORDER BY salary DESC, name) AS rn
        FROM employees e
    ) ranked
    WHERE rn <= 2                      -- filtra FORA: window function não vale no WHERE
    ORDER BY dept, salary DESC, name
"""
TOP2_DENSE_RANK = """
    SELECT dept, name, salary FROM (
        SELECT e.*, DENSE_RANK() OVER (PARTITION BY dept ORDER BY salary DESC) AS rnk
        FROM employees e
    ) ranked
    WHERE rnk <= 2
    ORDER BY dept, salary DESC, name
"""
# endregion: top-n

# region: lag-lead
LAG_LEAD = """
    SELECT day, revenue,
           revenue - LAG(revenue) OVER (ORDER BY day) AS delta,
           LAG(revenue, 1, 0)     OVER (ORDER BY day) AS prev_or_0,
           LEAD(revenue)          OVER (ORDER BY day) AS next
    FROM daily_revenue
    ORDER BY day
"""
# endregion: lag-lead

# region: running-total
RUNNING_TOTAL = """
    SELECT id, day, amount,
           SUM(amount) OVER (ORDER BY day)                         AS range_default,
           SUM(amount) OVER (ORDER BY day, id
                             ROWS BETWEEN UNBOUNDED PRECEDING
                                  AND CURRENT ROW)                 AS rows_running
    FROM payments
    ORDER BY day, id
"""
# id | day | amount | range_default | rows_running
#  1 |  1  |   10   |      10       |     10
#  2 |  2  |   20   |      60       |     30   <- RANGE inclui o "par" (id 3, mesmo day)
#  3 |  2  |   30   |      60       |     60
#  4 |  3  |   40   |     100       |    100
# endregion: running-total

# region: moving-average
MOVING = """
    SELECT day, revenue,
           round(avg(revenue) OVER (ORDER BY day
                 ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)) AS last_3_rows,
           round(avg(revenue) OVER (ORDER BY day
                 RANGE BETWEEN INTERVAL '2 days' PRECEDING AND CURRENT ROW)) AS last_3_days
    FROM daily_revenue
    ORDER BY day
"""
# endregion: moving-average

# region: last-value
LAST_VALUE = """
    SELECT name, salary,
           last_value(name) OVER (ORDER BY salary DESC, name)          AS padrao,
           last_value(name) OVER (ORDER BY salary DESC, name
                                  ROWS BETWEEN UNBOUNDED PRECEDING
                                       AND UNBOUNDED FOLLOWING)        AS particao_toda
    FROM employees WHERE dept = 'ops'
    ORDER BY salary DESC, name
"""
# endregion: last-value

# region: distinct-on
TOP1_DISTINCT_ON = """
    SELECT DISTINCT ON (customer_id) customer_id, id, created_at
    FROM orders
    ORDER BY customer_id, created_at DESC
"""
# endregion: distinct-on

# region: lateral
TOP2_LATERAL = """
    SELECT c.name, o.id, o.created_at
    FROM customers c
    LEFT JOIN LATERAL (
        SELECT id, created_at FROM orders
        WHERE orders.customer_id = c.id
        ORDER BY created_at DESC
        LIMIT 2
    ) o ON true
    ORDER BY c.name, o.created_at DESC
"""
# endregion: lateral

# region: filter
FILTER = """
    SELECT customer_id,
           count(*)                                       AS total,
           count(*) FILTER (WHERE status = 'paid')        AS paid,
           count(*) FILTER (WHERE status = 'refunded')    AS refunded,
           sum(amount) FILTER (WHERE status = 'paid')     AS paid_amount
    FROM orders
    GROUP BY customer_id
    ORDER BY customer_id
"""
# endregion: filter


with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        conn.execute("CREATE TABLE employees (name text PRIMARY KEY, dept text, salary int)")
        conn.execute("""INSERT INTO employees VALUES
            ('ana', 'eng', 9000), ('bia', 'eng', 9000), ('caio', 'eng', 8000),
            ('duda', 'eng', 7000), ('edu', 'ops', 6000), ('fabi', 'ops', 5000),
            ('gui', 'ops', 5000)""")
        conn.execute("CREATE TABLE daily_revenue (day date PRIMARY KEY, revenue int)")
        conn.execute("""INSERT INTO daily_revenue VALUES
            ('2024-05-01', 100), ('2024-05-02', 130), ('2024-05-03', 90),
            ('2024-05-06', 200), ('2024-05-07', 160)""")  # 04 e 05: sem vendas
        conn.execute("CREATE TABLE payments (id int PRIMARY KEY, day int, amount int)")
        conn.execute("INSERT INTO payments VALUES (1, 1, 10), (2, 2, 20), (3, 2, 30), (4, 3, 40)")
        conn.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO customers VALUES (1, 'ana'), (2, 'bia'), (3, 'caio')")
        conn.execute("""CREATE TABLE orders (id int PRIMARY KEY, customer_id int,
                        created_at date, status text, amount int)""")
        conn.execute("CREATE INDEX orders_customer_created ON orders (customer_id, created_at DESC)")
        conn.execute("""INSERT INTO orders VALUES
            (10, 1, '2024-05-01', 'paid', 50), (11, 1, '2024-05-03', 'refunded', 20),
            (12, 1, '2024-05-07', 'paid', 70), (13, 2, '2024-05-02', 'paid', 30)""")

        rows = conn.execute(RANKING).fetchall()
        show("1) dept | name | salary | ROW_NUMBER | RANK | DENSE_RANK", rows)
        assert [r[3:] for r in rows if r[0] == "eng"] == [(1, 1, 1), (2, 1, 1), (3, 3, 2), (4, 4, 3)]

        by_rn = conn.execute(TOP2_ROW_NUMBER).fetchall()
        by_dr = conn.execute(TOP2_DENSE_RANK).fetchall()
        show("2) top 2 por dept com ROW_NUMBER", by_rn)
        show("   top 2 por dept com DENSE_RANK (2 maiores salários, com empates)", by_dr)
        assert [r[1] for r in by_rn] == ["ana", "bia", "edu", "fabi"]
        assert [r[1] for r in by_dr] == ["ana", "bia", "caio", "edu", "fabi", "gui"]
        try:
            conn.execute("SELECT name FROM employees "
                         "WHERE ROW_NUMBER() OVER (ORDER BY salary) <= 2")
        except errors.WindowingError as exc:
            print(f"   window function no WHERE: SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
            assert exc.sqlstate == "42P20"
        else:
            raise AssertionError("esperava WindowingError")

        rows = conn.execute(LAG_LEAD).fetchall()
        show("3) day | revenue | delta | LAG(...,1,0) | LEAD", rows)
        assert [r[2] for r in rows] == [None, 30, -40, 110, -40]
        assert rows[0][3] == 0 and rows[-1][4] is None

        rows = conn.execute(RUNNING_TOTAL).fetchall()
        show("4) id | day | amount | SUM padrão (RANGE) | SUM com ROWS", rows)
        assert [r[3] for r in rows] == [10, 60, 60, 100]
        assert [r[4] for r in rows] == [10, 30, 60, 100]

        rows = conn.execute(MOVING).fetchall()
        show("   day | revenue | média 3 linhas (ROWS) | média 3 dias (RANGE INTERVAL)", rows)
        # dia 06: ROWS pega 02, 03 e 06 (linhas); RANGE pega 04..06 = só o próprio 06
        day6 = rows[3]
        assert (int(day6[2]), int(day6[3])) == (140, 200)

        rows = conn.execute(LAST_VALUE).fetchall()
        show("5) name | salary | last_value padrão | last_value partição toda", rows)
        # frame padrão termina na linha atual: last_value devolve a própria linha
        assert [r[2] for r in rows] == ["edu", "fabi", "gui"]
        assert [r[3] for r in rows] == ["gui", "gui", "gui"]

        rows = conn.execute(TOP1_DISTINCT_ON).fetchall()
        show("6) DISTINCT ON: último pedido de cada cliente", rows)
        assert [(r[0], r[1]) for r in rows] == [(1, 12), (2, 13)]
        rows = conn.execute(TOP2_LATERAL).fetchall()
        show("   LEFT JOIN LATERAL: 2 últimos pedidos por cliente (caio não tem)", rows)
        assert [(r[0], r[1]) for r in rows] == [("ana", 12), ("ana", 11), ("bia", 13), ("caio", None)]

        rows = conn.execute(FILTER).fetchall()
        show("7) customer_id | total | paid | refunded | paid_amount", rows)
        assert rows == [(1, 3, 2, 1, 120), (2, 1, 1, 0, 30)]
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
