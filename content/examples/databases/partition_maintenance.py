"""Executa ``partition_maintenance.sql`` num PostgreSQL real e confere o que ele promete.

O arquivo .sql (é ele que os cards mostram) cria ``events`` particionada por mês (janeiro e
fevereiro/2024, 100 linhas por dia) e tem duas regiões. Este script lê o arquivo, divide-o em
comandos (um comando termina numa linha que acaba em ``;``) e os executa um a um em autocommit,
porque ``CREATE INDEX CONCURRENTLY`` e ``DETACH ... CONCURRENTLY`` não rodam em bloco de
transação. Entre um comando e outro, confere:

1. ``CREATE INDEX CONCURRENTLY`` no pai falha (SQLSTATE 0A000): daí o caminho da região
   ``index-on-only``. O índice criado ``ON ONLY events`` nasce inválido
   (``pg_index.indisvalid = false``), continua inválido com só uma das duas partições anexada e
   fica válido quando a última é anexada com ``ALTER INDEX ... ATTACH PARTITION``.
2. ``DETACH PARTITION ... CONCURRENTLY`` (PostgreSQL 14+) falha dentro de um bloco de transação
   (25001) e também quando existe partição DEFAULT (55000); sem a DEFAULT, funciona.
3. Região ``detach-retention``: depois de ``DETACH PARTITION`` + ``DROP TABLE``, as linhas de
   janeiro sumiram de ``events`` e as de fevereiro continuam lá, sem nenhum ``DELETE``.

O que olhar: ``indisvalid`` a cada passo da região 1 e as mensagens de erro do item 2.

Schema com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/partition_maintenance.py
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
        "python scripts/services.py run -- python content/examples/databases/partition_maintenance.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_partmaint_{uuid.uuid4().hex[:8]}"
SQL_FILE = Path(__file__).with_name("partition_maintenance.sql")


def parent_index(conn: psycopg.Connection) -> tuple[bool, int]:
    """(indisvalid do índice do pai, quantos índices de partição estão anexados a ele)."""
    return conn.execute("""
        SELECT i.indisvalid,
               (SELECT count(*) FROM pg_inherits WHERE inhparent = i.indexrelid)::int
        FROM pg_index i WHERE i.indexrelid = 'events_idx'::regclass""").fetchone()


def rows_per_partition(conn: psycopg.Connection) -> dict[str, int]:
    return dict(conn.execute(
        "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1").fetchall())


setup, regions = read_sql(SQL_FILE)
assert list(regions) == ["index-on-only", "detach-retention"], list(regions)

with psycopg.connect(DSN, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        run(conn, setup)
        print("linhas por partição:", rows_per_partition(conn))
        assert rows_per_partition(conn) == {"events_2024_01": 3100, "events_2024_02": 2900}

        print("1) índice sem travar escritas")
        try:
            conn.execute("CREATE INDEX CONCURRENTLY events_all_idx ON events (created_at)")
        except errors.FeatureNotSupported as exc:
            print(f"   CONCURRENTLY no pai: SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
            assert exc.diag.message_primary == (
                'cannot create index on partitioned table "events" concurrently')
        else:
            raise AssertionError("esperava FeatureNotSupported")

        on_only, *per_partition = regions["index-on-only"]
        conn.execute(on_only)
        valid, attached = parent_index(conn)
        print(f"   ON ONLY no pai: indisvalid = {valid}, anexados = {attached}/2")
        assert (valid, attached) == (False, 0), (valid, attached)
        expected = [(False, 1), (True, 2)]  # só fica válido quando TODAS estão anexadas
        assert len(per_partition) == 2 * len(expected), per_partition
        for i, want in enumerate(expected):
            run(conn, per_partition[2 * i:2 * i + 2])  # CREATE INDEX CONCURRENTLY + ATTACH
            valid, attached = parent_index(conn)
            print(f"   + CONCURRENTLY e ATTACH da partição {i + 1}: "
                  f"indisvalid = {valid}, anexados = {attached}/2")
            assert (valid, attached) == want, (valid, attached)

        detach_concurrently = "ALTER TABLE events DETACH PARTITION events_2024_01 CONCURRENTLY"
        version = conn.info.server_version
        print(f"2) DETACH ... CONCURRENTLY (servidor {version})")
        if version >= 140000:
            try:
                with conn.transaction():
                    conn.execute(detach_concurrently)
            except errors.ActiveSqlTransaction as exc:
                print(f"   em bloco de transação: SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
                assert exc.diag.message_primary == (
                    "ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a transaction block")
            else:
                raise AssertionError("esperava ActiveSqlTransaction")

            conn.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
            try:
                conn.execute(detach_concurrently)
            except errors.ObjectNotInPrerequisiteState as exc:
                print(f"   com partição DEFAULT: SQLSTATE {exc.sqlstate}: {exc.diag.message_primary}")
                assert exc.diag.message_primary == (
                    "cannot detach partitions concurrently when a default partition exists")
            else:
                raise AssertionError("esperava ObjectNotInPrerequisiteState")
            conn.execute("DROP TABLE events_default")
        else:
            print("   servidor anterior ao 14: não existe DETACH ... CONCURRENTLY")

        print("3) retenção: DETACH PARTITION + DROP TABLE")
        run(conn, regions["detach-retention"])
        left = rows_per_partition(conn)
        january = conn.execute(
            "SELECT count(*) FROM events WHERE created_at < '2024-02-01'").fetchone()[0]
        print(f"   linhas de janeiro em events: {january}; por partição: {left}")
        assert january == 0 and left == {"events_2024_02": 2900}, (january, left)
        assert conn.execute("SELECT to_regclass('events_2024_01')").fetchone()[0] is None

        if version >= 140000:
            # Sem DEFAULT, o CONCURRENTLY passa: a DEFAULT era o que o impedia no item 2.
            conn.execute(detach_concurrently.replace("2024_01", "2024_02"))
            left = rows_per_partition(conn)
            kept = conn.execute("SELECT count(*) FROM events_2024_02").fetchone()[0]
            print(f"   sem DEFAULT, DETACH CONCURRENTLY de fevereiro: events = {left}, "
                  f"events_2024_02 (agora avulsa) = {kept}")
            assert left == {} and kept == 2900
    finally:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
