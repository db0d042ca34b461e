"""Event sourcing no PostgreSQL: store append-only, concorrência otimista, snapshot e projeção.

O que observar:
- A tabela `events` é o registro oficial: o estado de um SKU não é gravado em lugar nenhum, ele é
  recalculado dobrando (fold) os eventos do stream com `evolve`. Um trigger recusa UPDATE e
  DELETE: o log é append-only.
- **Concorrência otimista**: quem grava diz a versão que leu (`expected_version`) e insere as
  versões seguintes. `UNIQUE (stream_id, version)` faz o banco recusar o segundo escritor que
  leu a mesma versão (`UniqueViolation` vira `ConcurrencyError`). Sem lock durante a decisão.
- Na colisão, o certo é **recarregar e decidir de novo**: o escritor atrasado queria reservar 10
  unidades; relendo o stream ele descobre que só sobraram 5 e a reserva é negada. Reenviar os
  mesmos eventos às cegas venderia estoque que não existe.
- Oito threads reservando ao mesmo tempo a partir da mesma versão: exatamente uma grava na
  primeira rodada; as outras recarregam e tentam de novo. No fim, 5 reservas e 3 negadas, sem
  nunca reservar além do estoque.
- **Upcasting**: um evento antigo (schema 1, campo `quantity`) é convertido na leitura para o
  formato atual (schema 2, campo `qty`); o log não é reescrito.
- **Snapshot**: o estado salvo na versão N mais os eventos depois de N dá o mesmo resultado que o
  fold completo, lendo menos eventos.
- **Projeção**: um read model (`stock_view`) alimentado pelos eventos em ordem de `position`, com
  checkpoint gravado na mesma transação (rodar de novo não reaplica nada). Apagar o read model e
  reprocessar desde o início reconstrói exatamente a mesma tabela.

Tudo num schema com nome único, apagado no fim.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/architecture/event_sourcing.py
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.types.json import Jsonb

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/architecture/event_sourcing.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_es_{uuid.uuid4().hex[:8]}"

# region: schema
DDL = """
CREATE TABLE events (
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- ordem global
    stream_id      text    NOT NULL,
    version        integer NOT NULL CHECK (version > 0),              -- ordem no stream
    type           text    NOT NULL,
    schema_version integer NOT NULL,
    data           jsonb   NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)          -- a concorrência otimista mora aqui
);
CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events é append-only'; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
"""
# endregion: schema

READ_SIDE_DDL = """
CREATE TABLE snapshots (stream_id text PRIMARY KEY, version integer NOT NULL, state jsonb NOT NULL);
CREATE TABLE stock_view (sku text PRIMARY KEY, on_hand integer NOT NULL, reserved integer NOT NULL);
CREATE TABLE checkpoints (projection text PRIMARY KEY, position bigint NOT NULL);
"""


class ConcurrencyError(Exception):
    pass


class OutOfStock(Exception):
    pass


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    version: int = 0          # preenchido na leitura
    schema_version: int = 1


# ---------------------------------------------------------------- agregado: decide + evolve
# region: aggregate
@dataclass(frozen=True)
class Stock:
    version: int = 0                       # última versão aplicada
    on_hand: int = 0
    reservations: dict[str, int] = field(default_factory=dict)

    @property
    def available(self) -> int:
        return self.on_hand - sum(self.reservations.values())


def evolve(state: Stock, e: Event) -> Stock:
    """Aplica um fato já aceito. Nunca valida nem falha: o passado não se discute."""
    r = dict(state.reservations)
    if e.type == "StockReceived":
        return replace(state, version=e.version, on_hand=state.on_hand + e.data["qty"])
    if e.type == "StockReserved":
        r[e.data["order_id"]] = e.data["qty"]
    elif e.type == "ReservationReleased":
        del r[e.data["order_id"]]
    return replace(state, version=e.version, reservations=r)


def reserve(state: Stock, order_id: str, qty: int) -> list[Event]:
    """Decide: valida o comando contra o estado atual e devolve os eventos (ou recusa)."""
    if order_id in state.reservations:
        return []                                   # idempotente: já reservado
    if qty > state.available:
        raise OutOfStock(f"pedido {qty}, disponível {state.available}")
    return [Event("StockReserved", {"order_id": order_id, "qty": qty})]
# endregion: aggregate


def receive(state: Stock, qty: int) -> list[Event]:
    return [Event("StockReceived", {"qty": qty}, schema_version=2)]


def release(state: Stock, order_id: str) -> list[Event]:
    if order_id not in state.reservations:
        return []
    qty = state.reservations[order_id]  # o evento carrega o que a projeção precisa
    return [Event("ReservationReleased", {"order_id": order_id, "qty": qty})]


# ---------------------------------------------------------------- event store
# region: append
def append(conn: psycopg.Connection, stream_id: str, expected_version: int,
           new_events: list[Event]) -> int:
    """Grava as versões expected+1, expected+2... numa transação; colisão = alguém gravou antes."""
    try:
        with conn.transaction():
            for i, e in enumerate(new_events, start=1):
                conn.execute(
                    "INSERT INTO events (stream_id, version, type, schema_version, data)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (stream_id, expected_version + i, e.type, e.schema_version, Jsonb(e.data)),
                )
    except errors.UniqueViolation as err:
        raise ConcurrencyError(f"{stream_id}: versão {expected_version} já está velha") from err
    return expected_version + len(new_events)
# endregion: append


# region: upcast
def upcast(e: Event) -> Event:
    """Converte formatos antigos na leitura; o log gravado continua intocado."""
    if e.type == "StockReceived" and e.schema_version == 1:   # v1 chamava o campo de quantity
        return replace(e, schema_version=2, data={"qty": e.data["quantity"]})
    return e
# endregion: upcast


def read_stream(conn: psycopg.Connection, stream_id: str, after_version: int = 0) -> list[Event]:
    rows = conn.execute(
        "SELECT type, data, version, schema_version FROM events"
        " WHERE stream_id = %s AND version > %s ORDER BY version",
        (stream_id, after_version),
    ).fetchall()
    return [upcast(Event(*row)) for row in rows]


# region: snapshot
def load(conn: psycopg.Connection, sku: str, use_snapshot: bool = True) -> tuple[Stock, int]:
    """Estado = snapshot (se houver) + fold dos eventos posteriores. Devolve (estado, lidos)."""
    state = Stock()
    row = conn.execute("SELECT version, state FROM snapshots WHERE stream_id = %s",
                       (f"stock-{sku}",)).fetchone() if use_snapshot else None
    if row is not None:
        state = Stock(version=row[0], **row[1])
    events = read_stream(conn, f"stock-{sku}", after_version=state.version)
    return reduce(evolve, events, state), len(events)


def save_snapshot(conn: psycopg.Connection, sku: str) -> int:
    state, _ = load(conn, sku)
    conn.execute(
        "INSERT INTO snapshots VALUES (%s, %s, %s) ON CONFLICT (stream_id)"
        " DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state",
        (f"stock-{sku}", state.version,
         Jsonb({"on_hand": state.on_hand, "reservations": state.reservations})),
    )
    return state.version
# endregion: snapshot


# region: handle-retry
def handle(conn: psycopg.Connection, sku: str, decide: Callable[[Stock], list[Event]],
           attempts: int = 10) -> int:
    """Carrega, decide, grava; se outro escritor passou na frente, recarrega e decide DE NOVO."""
    for _ in range(attempts):
        state, _ = load(conn, sku)
        new_events = decide(state)          # pode levantar OutOfStock com o estado novo
        if not new_events:
            return state.version
        try:
            return append(conn, f"stock-{sku}", state.version, new_events)
        except ConcurrencyError:
            continue
    raise ConcurrencyError(f"stock-{sku}: desisti depois de {attempts} tentativas")
# endregion: handle-retry


# ---------------------------------------------------------------- projeção (read model)
# region: projection
APPLY_SQL = {
    "StockReceived": "INSERT INTO stock_view VALUES (%(sku)s, %(qty)s, 0) ON CONFLICT (sku)"
                     " DO UPDATE SET on_hand = stock_view.on_hand + EXCLUDED.on_hand",
    "StockReserved": "UPDATE stock_view SET reserved = reserved + %(qty)s WHERE sku = %(sku)s",
    "ReservationReleased": "UPDATE stock_view SET reserved = reserved - %(qty)s"
                           " WHERE sku = %(sku)s",
}


def run_projection(conn: psycopg.Connection, name: str = "stock_view") -> int:
    """Processa os eventos depois do checkpoint; read model e checkpoint na MESMA transação.

    Aqui ela roda com os escritores parados. Rodando junto com eles, `position > checkpoint` pode
    pular uma posição menor que confirmou depois (veja a nota: buracos na ordem global).
    """
    with conn.transaction():
        conn.execute("INSERT INTO checkpoints VALUES (%s, 0) ON CONFLICT DO NOTHING", (name,))
        (last,) = conn.execute("SELECT position FROM checkpoints WHERE projection = %s"
                               " FOR UPDATE", (name,)).fetchone()
        rows = conn.execute(
            "SELECT position, stream_id, type, data, version, schema_version FROM events"
            " WHERE position > %s AND stream_id LIKE 'stock-%%' ORDER BY position", (last,),
        ).fetchall()
        for position, stream_id, *rest in rows:
            e = upcast(Event(*rest))
            conn.execute(APPLY_SQL[e.type], {"sku": stream_id.removeprefix("stock-"), **e.data})
            last = position
        conn.execute("UPDATE checkpoints SET position = %s WHERE projection = %s", (last, name))
    return len(rows)
# endregion: projection


def rebuild_projection(conn: psycopg.Connection, name: str = "stock_view") -> int:
    with conn.transaction():
        conn.execute("TRUNCATE stock_view")
        conn.execute("DELETE FROM checkpoints WHERE projection = %s", (name,))
    return run_projection(conn, name)


def connect() -> psycopg.Connection:
    conn = psycopg.connect(DSN, autocommit=True)
    conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
    return conn


def race(sku: str, buyers: int) -> tuple[list[str], int]:
    """`buyers` threads leem a mesma versão (barreira) e tentam reservar 1 unidade cada."""
    barrier = threading.Barrier(buyers)
    results: list[str] = []
    conflicts = 0
    lock = threading.Lock()

    def buyer(i: int) -> None:
        nonlocal conflicts
        with connect() as conn:
            state, _ = load(conn, sku)
            barrier.wait()  # todos decidem a partir da MESMA versão
            while True:
                try:
                    append(conn, f"stock-{sku}", state.version, reserve(state, f"web-{i}", 1))
                    outcome = "reservado"
                except ConcurrencyError:
                    with lock:
                        conflicts += 1
                    state, _ = load(conn, sku)  # recarrega e decide de novo
                    continue
                except OutOfStock:
                    outcome = "sem estoque"
                break
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(buyers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results), conflicts


def main() -> None:
    with psycopg.connect(DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        try:
            with connect() as conn:
                conn.execute(DDL)
                conn.execute(READ_SIDE_DDL)
                scenario(conn)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))


def scenario(conn: psycopg.Connection) -> None:
    # 1. um evento "legado", gravado antes da mudança de formato (schema 1: campo quantity)
    append(conn, "stock-teclado", 0, [Event("StockReceived", {"quantity": 10}, schema_version=1)])
    handle(conn, "teclado", lambda s: receive(s, 5))          # schema 2: campo qty
    handle(conn, "mouse", lambda s: receive(s, 3))
    state, _ = load(conn, "teclado")
    print(f"teclado v{state.version}: on_hand={state.on_hand} (v1 'quantity' lido via upcast)")
    assert (state.version, state.on_hand) == (2, 15)

    # 2. dois atendentes leem a versão 2; os dois querem reservar 10
    a_state, _ = load(conn, "teclado")
    b_state, _ = load(conn, "teclado")
    append(conn, "stock-teclado", a_state.version, reserve(a_state, "pedido-A", 10))
    try:
        append(conn, "stock-teclado", b_state.version, reserve(b_state, "pedido-B", 10))
        raise AssertionError("o segundo escritor deveria colidir")
    except ConcurrencyError as err:
        print("escritor atrasado recusado:", err)
    try:
        handle(conn, "teclado", lambda s: reserve(s, "pedido-B", 10))  # recarrega e decide
        raise AssertionError("a reserva deveria ser negada depois de reler")
    except OutOfStock as err:
        print("depois de recarregar, a decisão muda:", err)

    # 3. corrida real: 8 threads, 5 unidades disponíveis
    results, conflicts = race("teclado", buyers=8)
    print("corrida de 8 compradores:", {r: results.count(r) for r in sorted(set(results))})
    assert results.count("reservado") == 5 and results.count("sem estoque") == 3
    assert conflicts >= 7  # na primeira rodada só um dos oito consegue gravar
    state, _ = load(conn, "teclado")
    assert state.available == 0 and state.on_hand == 15

    # 4. snapshot: estado salvo + eventos posteriores == fold completo
    snap_version = save_snapshot(conn, "teclado")
    handle(conn, "teclado", lambda s: release(s, "pedido-A"))
    full, read_full = load(conn, "teclado", use_snapshot=False)
    fast, read_fast = load(conn, "teclado")
    print(f"snapshot na v{snap_version}: leu {read_fast} evento(s) em vez de {read_full}")
    assert full == fast and read_fast == 1 and full.available == 10

    # 5. projeção: incremental, idempotente e reconstruível
    processed = run_projection(conn)
    again = run_projection(conn)
    view = conn.execute("SELECT * FROM stock_view ORDER BY sku").fetchall()
    print(f"projeção: {processed} eventos, segunda rodada {again}; stock_view = {view}")
    assert again == 0
    assert ("teclado", full.on_hand, full.on_hand - full.available) in view
    rebuilt = rebuild_projection(conn)
    assert rebuilt == processed
    assert conn.execute("SELECT * FROM stock_view ORDER BY sku").fetchall() == view
    print("rebuild do zero gerou a mesma stock_view")

    # 6. append-only de verdade
    try:
        conn.execute("UPDATE events SET data = '{}' WHERE version = 1")
        raise AssertionError("UPDATE deveria ser recusado")
    except errors.RaiseException as err:
        print("UPDATE em events:", str(err).splitlines()[0])
    print("ok")


if __name__ == "__main__":
    main()
