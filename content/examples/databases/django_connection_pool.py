"""Pool de conexões nativo do Django (5.1+) com psycopg 3, contra um PostgreSQL real.

O Django é configurado no próprio processo com ``OPTIONS["pool"]`` (requer ``psycopg[pool]``,
isto é, o pacote ``psycopg-pool``). O que o exemplo mostra:

1. ``connection.pool`` é um ``psycopg_pool.ConnectionPool`` com ``min_size=2`` e
   ``max_size=10``, criado fechado (o Django o abre na primeira conexão); as consultas passam por
   ele: a conexão que o Django usa veio do pool.
2. No fim de cada requisição (sinal ``request_finished``) o Django "fecha" a conexão, como sempre
   faz com ``CONN_MAX_AGE = 0``; com pool, o ``close()`` só a devolve ao pool: o backend do
   servidor (``pg_backend_pid()``) continua vivo e volta numa requisição seguinte, e o contador
   ``connections_num`` do pool não sobe. Sem pool (alias ``direct``), o mesmo ``close()``
   encerra o backend e cada requisição paga uma conexão nova.
3. O pool é do processo, não da thread: cada thread tem o seu ``connections["default"]``, mas
   todas usam o mesmo objeto de pool. Com 12 threads segurando conexão ao mesmo tempo ele cresce
   até ``max_size`` (10 backends) e as outras 2 esperam na fila (``requests_waiting``) até uma
   conexão voltar. Em produção,
   cada processo (worker do gunicorn, por exemplo) tem o seu pool: 4 workers = até 40 conexões.
4. ``CONN_MAX_AGE`` diferente de 0 (60 ou ``None``) junto com ``pool`` é recusado com
   ``ImproperlyConfigured`` ("Pooling doesn't support persistent connections."). O erro aparece
   na primeira conexão do alias, não no ``settings.configure``.

O que olhar: os pids do item 2 (com pool se repetem e seguem vivos; sem pool, um novo por
requisição) e as estatísticas do pool.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/django_connection_pool.py
"""
from __future__ import annotations

import os
import sys
import threading
import time

import psycopg
from psycopg.conninfo import conninfo_to_dict

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- "
        "python content/examples/databases/django_connection_pool.py",
        file=sys.stderr,
    )
    sys.exit(2)

params = conninfo_to_dict(DSN)
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": params.get("dbname", "postgres"),
    "USER": params.get("user", ""),
    "PASSWORD": params.get("password", ""),
    "HOST": params.get("host", ""),
    "PORT": params.get("port", ""),
}}

# region: pool-options
DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": 10}}
# endregion: pool-options
DATABASES["default"]["CONN_MAX_AGE"] = 0  # o padrão; com pool, só 0 é aceito

# Mesmo servidor, sem pool: para comparar o que close() faz.
DATABASES["direct"] = {**DATABASES["default"], "OPTIONS": {}}
# Pool + conexões persistentes: combinação que o Django recusa.
DATABASES["persistent"] = {**DATABASES["default"], "CONN_MAX_AGE": 60}
DATABASES["forever"] = {**DATABASES["default"], "CONN_MAX_AGE": None}

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(DATABASES=DATABASES, INSTALLED_APPS=[], USE_TZ=True)
django.setup()  # pool + CONN_MAX_AGE=60 ainda não deu erro: a checagem é na conexão

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import connection, connections  # noqa: E402
from psycopg_pool import ConnectionPool  # noqa: E402


def backend_pid(alias: str = "default") -> int:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def request(alias: str = "default") -> int:
    """Uma "requisição": os sinais que o handler do Django dispara em volta da view."""
    request_started.send(sender=None)
    try:
        return backend_pid(alias)
    finally:
        request_finished.send(sender=None)  # close_old_connections: CONN_MAX_AGE=0 fecha


def alive(admin: psycopg.Connection, pids: set[int]) -> set[int]:
    """Quais desses backends ainda existem no servidor (visto por uma conexão à parte)."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", (sorted(pids),))
    return {r[0] for r in rows}


def wait_gone(admin: psycopg.Connection, pids: set[int]) -> set[int]:
    """O backend sai logo após o cliente desconectar, mas não no mesmo instante."""
    for _ in range(200):
        left = alive(admin, pids)
        if not left:
            return left
        time.sleep(0.02)
    return left


with psycopg.connect(DSN, autocommit=True) as admin:
    pool = connection.pool
    try:
        print("1) connection.pool")
        assert isinstance(pool, ConnectionPool), f"sem pool: {pool!r}"
        print(f"   {type(pool).__module__}.{type(pool).__name__}: min_size={pool.min_size}, "
              f"max_size={pool.max_size}, fechado antes da 1ª consulta? {pool.closed}")
        assert (pool.min_size, pool.max_size) == (2, 10)
        assert pool.closed
        # O Django abriria o pool na 1ª conexão (pool.open() sem esperar); abrimos antes,
        # esperando as min_size=2 conexões, para as contas abaixo saírem exatas (senão a 1ª
        # consulta pode chegar antes delas e o pool cresce para 3).
        pool.open(wait=True)
        first = backend_pid()
        print(f"   1ª consulta: pid {first}; pool aberto? {not pool.closed}; "
              f"conexão veio do pool? {connection.connection._pool is pool}")
        assert not pool.closed and connection.connection._pool is pool
        connection.close()

        print("2) fim da requisição: a conexão volta ao pool, o backend continua vivo")
        before = pool.get_stats()
        pids = []
        for _ in range(6):
            pids.append(request())
            assert connection.connection is None  # o Django soltou a conexão...
        after = pool.get_stats()
        print(f"   pids de 6 requisições: {pids}")
        print(f"   vivos no servidor: {sorted(alive(admin, set(pids)))}")
        new_conns = after.get("connections_num", 0) - before.get("connections_num", 0)
        served = after["requests_num"] - before["requests_num"]
        print(f"   pedidos ao pool: {served}; conexões novas abertas: {new_conns}; "
              f"pool_size={after['pool_size']}, disponíveis={after['pool_available']}")
        assert len(set(pids)) == 2 and first in pids  # as min_size=2, revezando
        assert alive(admin, set(pids)) == set(pids)  # ...mas o servidor não a fechou
        assert served == 6 and new_conns == 0
        assert after["pool_size"] == after["pool_available"] == 2

        print("   sem pool (alias direct), o mesmo fechamento encerra o backend:")
        direct = [request("direct") for _ in range(3)]
        gone = wait_gone(admin, set(direct))
        print(f"   pids: {direct}; vivos no servidor: {sorted(gone)}")
        assert len(set(direct)) == 3 and not gone
        assert not set(direct) & set(pids)

        print("3) um pool por processo: 12 threads, max_size=10")
        before = pool.get_stats()
        barrier = threading.Barrier(12)
        release = threading.Event()
        seen: list[tuple[int, bool]] = []

        def worker() -> None:
            barrier.wait()
            try:
                with connections["default"].cursor() as cur:  # outro DatabaseWrapper...
                    cur.execute("SELECT pg_backend_pid()")
                    seen.append((cur.fetchone()[0], connections["default"].pool is pool))
                    release.wait(timeout=30)  # segura a conexão até o pool chegar ao teto
            finally:
                connections["default"].close()  # ...o mesmo pool

        threads = [threading.Thread(target=worker) for _ in range(12)]
        for t in threads:
            t.start()
        # Sem depender do relógio: espera o pool no teto (10 conexões em uso, 2 pedidos na fila) e
        # só então solta as threads; uma máquina lenta demora mais, mas chega ao mesmo estado.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            peak = pool.get_stats()
            if peak["pool_size"] == 10 and peak.get("requests_waiting", 0) == 2:
                break
            time.sleep(0.01)
        release.set()
        for t in threads:
            t.join(timeout=30)
        after = pool.get_stats()
        print(f"   no pico: pool_size={peak['pool_size']}, em uso={peak['pool_size'] - peak.get('pool_available', 0)}, "
              f"esperando na fila={peak.get('requests_waiting', 0)}")
        assert peak["pool_size"] == 10 and peak.get("requests_waiting", 0) == 2, peak
        thread_pids = {pid for pid, _ in seen}
        queued = after.get("requests_queued", 0) - before.get("requests_queued", 0)
        print(f"   threads atendidas: {len(seen)}; mesmo objeto de pool? "
              f"{all(same for _, same in seen)}")
        print(f"   backends distintos: {len(thread_pids)}; pool_size={after['pool_size']}; "
              f"pedidos que esperaram na fila: {queued}")
        assert len(seen) == 12 and all(same for _, same in seen)
        assert len(thread_pids) == after["pool_size"] == 10  # cresceu até max_size, não além
        assert set(pids) <= thread_pids  # as 2 conexões iniciais foram reaproveitadas
        assert queued >= 2  # 12 pedidos, no máximo 10 conexões

        print("4) pool + CONN_MAX_AGE != 0")
        for alias in ("persistent", "forever"):
            max_age = connections[alias].settings_dict["CONN_MAX_AGE"]
            try:
                backend_pid(alias)
            except ImproperlyConfigured as exc:
                print(f"   CONN_MAX_AGE={max_age}: ImproperlyConfigured: {exc}")
                assert str(exc) == "Pooling doesn't support persistent connections."
            else:
                raise AssertionError(f"esperava ImproperlyConfigured com {max_age}")
    finally:
        connections.close_all()
        connection.close_pool()  # fecha o pool e suas conexões com o servidor

    left = wait_gone(admin, thread_pids)
    print(f"5) close_pool(): pool fechado? {pool.closed}; backends dele vivos: {sorted(left)}")
    assert pool.closed and not left

print("ok")
