"""Executa ``extended_statistics.sql`` num PostgreSQL real e confere o que ele promete.

O arquivo .sql (é ele que os cards mostram) cria ``addresses`` com 100 mil linhas: 100 cidades
com 1000 endereços cada, e cada cidade num único estado (20 estados). ``city`` e ``state`` são,
portanto, fortemente correlacionadas. Este script lê o arquivo, divide-o em comandos (um comando
termina numa linha que acaba em ``;``), executa-os em autocommit e compara, para
``WHERE city = 'Cidade 7' AND state = 'UF7'``, as linhas **estimadas** pelo planejador
(``Plan Rows`` do EXPLAIN) com as **reais** (1000):

1. Só com o ANALYZE comum: o planejador multiplica as seletividades (1/100 × 1/20) e estima
   cerca de 50 linhas, 20 vezes menos que o real.
2. Depois do ``CREATE STATISTICS`` mas antes do ``ANALYZE``: o objeto existe em
   ``pg_statistic_ext`` (tipos ``d``, ``f``, ``m``), mas ainda sem dados, e a estimativa não muda.
3. Depois do ``ANALYZE``: ``pg_stats_ext`` mostra a dependência ``city => state`` (1.0) e a
   estimativa fica a menos de 2× do real.

O que olhar: estimado × real em cada passo.

Atenção (visto ao montar o exemplo): com ``mcv``, uma combinação que fica **fora** da lista MCV
(mais combinações do que ``default_statistics_target``, 100) continua subestimada, porque o MCV
tem prioridade sobre ``dependencies``; por isso aqui há 100 combinações, todas na lista.

Schema com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/extended_statistics.py
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from _sql_regions import read_sql, run  # o módulo auxiliar ao lado deste arquivo

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/extended_statistics.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_extstats_{uuid.uuid4().hex[:8]}"
SQL_FILE = Path(__file__).with_name("extended_statistics.sql")
QUERY = "SELECT * FROM addresses WHERE city = 'Cidade 7' AND state = 'UF7'"


def estimated(conn: psycopg.Connection) -> int:
    """Linhas que o planejador espera (EXPLAIN sem ANALYZE: só a estimativa)."""
    return conn.execute("EXPLAIN (FORMAT JSON) " + QUERY).fetchone()[0][0]["Plan"]["Plan Rows"]


setup, regions = read_sql(SQL_FILE)
assert list(regions) == ["create-statistics"], list(regions)

with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    conn.execute("SET max_parallel_workers_per_gather = 0")  # estimativa de um nó só
    try:
        version = conn.info.server_version
        print(f"servidor {version} (mcv existe desde o 12)")
        assert version >= 120000

        run(conn, setup)
        actual = conn.execute(QUERY.replace("*", "count(*)", 1)).fetchone()[0]
        assert actual == 1000, actual

        before = estimated(conn)
        print(f"1) só ANALYZE comum:              estimado={before:>5}  real={actual}")
        assert before * 10 < actual, before  # subestima mais de 10x

        create_statistics, analyze = regions["create-statistics"]
        conn.execute(create_statistics)
        kinds = conn.execute("""
            SELECT stxkind FROM pg_statistic_ext
            WHERE stxname = 'addr_city_state'
              AND stxnamespace = current_schema()::regnamespace""").fetchone()
        built = conn.execute(
            "SELECT count(*) FROM pg_stats_ext WHERE statistics_name = 'addr_city_state'"
        ).fetchone()[0]
        middle = estimated(conn)
        print(f"2) CREATE STATISTICS, sem ANALYZE: estimado={middle:>5}  real={actual}"
              f"  (stxkind={sorted(kinds[0])}, linhas em pg_stats_ext={built})")
        assert sorted(kinds[0]) == ["d", "f", "m"] and built == 0, (kinds, built)
        assert middle * 10 < actual, middle  # o objeto sozinho não muda nada

        conn.execute(analyze)
        after = estimated(conn)
        print(f"3) depois do ANALYZE:              estimado={after:>5}  real={actual}")
        assert actual / 2 <= after <= actual * 2, after
        dependencies = conn.execute("""
            SELECT dependencies FROM pg_stats_ext
            WHERE statistics_name = 'addr_city_state' AND statistics_schemaname = current_schema()
        """).fetchone()
        print(f"   pg_stats_ext.dependencies = {dependencies[0]}  (atributo 2 = city, 3 = state)")
        assert '"2 => 3": 1.000000' in dependencies[0], dependencies
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
