"""Fila de jobs no PostgreSQL com SELECT ... FOR UPDATE SKIP LOCKED e dois workers.

O que este exemplo mostra:

1. Passo a passo (intercalado à mão, saída estável): o worker A trava o job 1 dentro da sua
   transação; o worker B, com ``SKIP LOCKED``, não espera: pula a linha travada e pega o job 2.
   Sem ``SKIP LOCKED`` B ficaria bloqueado; com ``NOWAIT`` ele falha na hora com SQLSTATE 55P03
   (``LockNotAvailable``).
2. Dois workers em threads de verdade drenando 40 jobs: cada job é processado **exatamente uma
   vez**, sem coordenação além dos row locks do PostgreSQL. Se um worker morrer no meio, o
   ROLLBACK solta o lock e o job volta a ficar disponível (sem "job perdido").

O que olhar: qual job cada worker recebeu e as contagens finais (os números por worker variam
de execução para execução; o total e a ausência de duplicatas não).

Tabela com nome único num schema próprio, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/skip_locked_queue.py
"""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections import Counter

import psycopg
from psycopg import sql

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/skip_locked_queue.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_queue_{uuid.uuid4().hex[:8]}"
N_JOBS = 40


def connect() -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


# region: claim
CLAIM = """
    SELECT id, payload FROM jobs
    WHERE status = 'pending'
    ORDER BY id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
"""


def work_one(conn: psycopg.Connection, worker: str) -> int | None:
    """Pega um job, processa e marca como feito, tudo na MESMA transação."""
    with conn.transaction():
        row = conn.execute(CLAIM).fetchone()
        if row is None:
            return None                      # fila vazia (ou tudo travado por outros)
        job_id, payload = row
        # ... processamento; se levantar exceção, ROLLBACK e o job volta para a fila
        conn.execute(
            "UPDATE jobs SET status = 'done', done_by = %s WHERE id = %s", (worker, job_id))
    return job_id
# endregion: claim


def worker_loop(name: str, processed: list[int]) -> None:
    with connect() as conn:
        while (job_id := work_one(conn, name)) is not None:
            processed.append(job_id)
            time.sleep(0.002)  # simula trabalho e dá chance ao outro worker


with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    try:
        # region: table
        admin.execute("""
            CREATE TABLE jobs (
                id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                payload text NOT NULL,
                status  text NOT NULL DEFAULT 'pending',
                done_by text
            )""")
        # índice parcial: só as linhas pendentes, que é o que o worker procura
        admin.execute("CREATE INDEX jobs_pending_idx ON jobs (id) WHERE status = 'pending'")
        # endregion: table
        admin.execute("INSERT INTO jobs (payload) SELECT 'job-' || i FROM generate_series(1, 3) i")

        print("1) passo a passo")
        with connect() as a, connect() as b:
            with a.transaction():
                job_a = a.execute(CLAIM).fetchone()[0]
                print(f"   worker A travou o job {job_a}")
                with b.transaction():
                    job_b = b.execute(CLAIM).fetchone()[0]
                    print(f"   worker B (SKIP LOCKED) pulou-o e pegou o job {job_b}")
                try:
                    with b.transaction():
                        b.execute("SELECT id FROM jobs WHERE id = %s FOR UPDATE NOWAIT", (job_a,))
                except psycopg.errors.LockNotAvailable as exc:
                    print(f"   worker B com NOWAIT no job {job_a}: SQLSTATE {exc.sqlstate}")
                else:
                    raise AssertionError("esperava LockNotAvailable")
            assert (job_a, job_b) == (1, 2)
        admin.execute("TRUNCATE jobs RESTART IDENTITY")

        print(f"2) dois workers em threads drenando {N_JOBS} jobs")
        admin.execute(
            "INSERT INTO jobs (payload) SELECT 'job-' || i FROM generate_series(1, %s) i",
            (N_JOBS,))
        done_a: list[int] = []
        done_b: list[int] = []
        threads = [threading.Thread(target=worker_loop, args=("A", done_a)),
                   threading.Thread(target=worker_loop, args=("B", done_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=15)
        all_done = done_a + done_b
        dupes = [j for j, n in Counter(all_done).items() if n > 1]
        pending = admin.execute("SELECT count(*) FROM jobs WHERE status <> 'done'").fetchone()[0]
        print(f"   processados: {len(all_done)}, duplicados: {len(dupes)}, pendentes: {pending}")
        assert len(all_done) == N_JOBS and not dupes and pending == 0
        assert sorted(all_done) == list(range(1, N_JOBS + 1))
    finally:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

print("ok")
