"""Particionamento declarativo por faixa (RANGE) e partition pruning, num PostgreSQL real.

O que este exemplo mostra:

1. Uma tabela ``events`` particionada por mês (jan–abr/2024) + partição DEFAULT, e um índice
   criado no pai, que o PostgreSQL propaga para cada partição. As linhas de maio, sem partição
   própria, caem na DEFAULT, e por isso criar ``events_2024_05`` depois falha (SQLSTATE 23514):
   a partição DEFAULT já contém linhas que pertenceriam a ela.
2. **Pruning em tempo de planejamento**: com o filtro em ``created_at`` (a chave) usando
   constantes, o plano só contém a partição de fevereiro.
3. **Pruning em tempo de execução**: com um prepared statement forçado a plano genérico
   (``plan_cache_mode = force_generic_plan``), o valor do parâmetro só é conhecido na execução;
   o nó ``Append`` mostra ``Subplans Removed``.
4. O que **impede** o pruning: aplicar função à chave (``date_trunc('month', created_at)``) faz
   o plano varrer todas as partições.
5. Retenção: ``DETACH PARTITION`` + ``DROP TABLE`` remove um mês inteiro sem ``DELETE`` (sem
   linhas mortas, sem VACUUM pesado).

O que olhar: a lista de partições que aparece em cada plano.

Schema com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/partition_pruning.py
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
        "python scripts/services.py run -- python content/examples/databases/partition_pruning.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_part_{uuid.uuid4().hex[:8]}"


def scanned(plan: dict) -> list[str]:
    """Relações (partições) que aparecem como nós de varredura no plano."""
    found = [plan["Relation Name"]] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found.extend(scanned(child))
    return sorted(set(found))


def find_key(plan: dict, key: str):
    if key in plan:
        return plan[key]
    for child in plan.get("Plans", []):
        value = find_key(child, key)
        if value is not None:
            return value
    return None


def explain(conn: psycopg.Connection, query: str, analyze: bool = False) -> dict:
    opts = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    return conn.execute(f"EXPLAIN ({opts}) {query}").fetchone()[0][0]["Plan"]


with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    conn.execute("SET max_parallel_workers_per_gather = 0")  # planos estáveis
    conn.execute("SET TimeZone = 'UTC'")  # limites das partições interpretados em UTC
    try:
        # region: ddl
        conn.execute("""
            CREATE TABLE events (
                id         bigint      NOT NULL,
                created_at timestamptz NOT NULL,
                payload    text
            ) PARTITION BY RANGE (created_at)""")
        for month in (1, 2, 3, 4):  # FROM é inclusivo, TO é exclusivo
            conn.execute(f"""
                CREATE TABLE events_2024_{month:02d} PARTITION OF events
                FOR VALUES FROM ('2024-{month:02d}-01') TO ('2024-{month + 1:02d}-01')""")
        conn.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
        # Índice no pai: vira um índice "particionado", criado em cada partição.
        conn.execute("CREATE INDEX events_created_idx ON events (created_at)")
        # endregion: ddl

        conn.execute("""
            INSERT INTO events
            SELECT i, timestamptz '2024-01-01 00:00+00' + (i % 130) * interval '1 day', 'x'
            FROM generate_series(1, 12000) AS s(i)""")
        conn.execute("ANALYZE events")
        per_partition = conn.execute("""
            SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1
        """).fetchall()
        print("linhas por partição:", ", ".join(f"{t}={n}" for t, n in per_partition))
        # Maio não tem partição: essas linhas caíram na DEFAULT.

        # region: default_pitfall
        try:
            conn.execute("""
                CREATE TABLE events_2024_05 PARTITION OF events
                FOR VALUES FROM ('2024-05-01') TO ('2024-06-01')""")
        except psycopg.errors.CheckViolation as exc:
            # a DEFAULT já tem linhas de maio: criar a partição exigiria movê-las antes
            print("criar maio falhou:", exc.sqlstate, exc.diag.message_primary)
        # endregion: default_pitfall
        else:
            raise AssertionError("esperava CheckViolation")

        # region: plan_time_pruning
        feb = explain(conn, """
            SELECT count(*) FROM events
            WHERE created_at >= '2024-02-01' AND created_at < '2024-03-01'""")
        # endregion: plan_time_pruning
        print("filtro por fevereiro (plan time):", scanned(feb))
        assert scanned(feb) == ["events_2024_02"], scanned(feb)

        # region: exec_time_pruning
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("""
            PREPARE by_day(timestamptz) AS
            SELECT count(*) FROM events
            WHERE created_at >= $1 AND created_at < $1 + interval '1 day'""")
        generic = explain(conn, "EXECUTE by_day('2024-03-15')", analyze=True)
        # endregion: exec_time_pruning
        removed = find_key(generic, "Subplans Removed")
        print("prepared genérico (execution time): Subplans Removed =", removed,
              "| executada:", scanned(generic))
        assert removed == 4 and scanned(generic) == ["events_2024_03"], (removed, scanned(generic))
        conn.execute("DEALLOCATE by_day")
        conn.execute("RESET plan_cache_mode")

        # region: no_pruning
        wrapped = explain(conn, """
            SELECT count(*) FROM events
            WHERE date_trunc('month', created_at) = '2024-02-01'""")
        # endregion: no_pruning
        print("função sobre a chave:", scanned(wrapped))
        assert len(scanned(wrapped)) == 5  # todas as partições, inclusive a default

        # region: retention
        conn.execute("ALTER TABLE events DETACH PARTITION events_2024_01")
        conn.execute("DROP TABLE events_2024_01")  # apaga um mês inteiro de uma vez
        # endregion: retention
        left = conn.execute(
            "SELECT count(*) FROM events WHERE created_at < '2024-02-01'").fetchone()[0]
        print("linhas de janeiro após DETACH + DROP:", left)
        assert left == 0
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
