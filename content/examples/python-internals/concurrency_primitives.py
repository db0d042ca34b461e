"""Primitivas de concorrência da stdlib: locks, Condition, semáforos, Event, Barrier, Queue,
executors e contextvars.

O que observar:
- `lock-vs-rlock`: `Lock` não é reentrante (a mesma thread não consegue pegá-lo de novo) e pode
  ser solto por outra thread; `RLock` é reentrante e só o dono pode soltá-lo.
- `condition`: buffer limitado com `Condition`; quem espera testa o predicado num `while` (ou com
  `wait_for`), porque acordar não garante que a condição ainda vale.
- `bounded-semaphore`: `BoundedSemaphore` acusa `release()` a mais; `Semaphore` aceita calado.
- `event` e `barrier`: sinal de "pode começar" para várias threads e ponto de encontro de N.
- `queue-workers`: produtor/consumidor com `queue.Queue(maxsize)`, `task_done`/`join` e sentinelas
  para encerrar (o jeito anterior ao `Queue.shutdown()` do 3.13, exercitado no fim se disponível).
- `deadlock`: duas threads pegando dois locks em ordens opostas travam; `acquire(timeout=...)`
  detecta, e uma ordem global de aquisição resolve.
- `executor-errors`: a exceção de uma tarefa volta em `future.result()`; `map` a levanta quando a
  iteração chega no item que falhou.
- `contextvars-threads` e `contextvars-asyncio`: o contexto não atravessa `executor.submit` por
  conta própria (use `copy_context().run` ou `asyncio.to_thread`); cada task do asyncio recebe
  uma cópia do contexto no momento em que é criada; `threading.local` é compartilhado por todas
  as tasks de uma thread.

Tudo é determinístico: a ordem entre threads é forçada com Event/Barrier/join, e nenhum assert
depende de tempo (os `timeout=` só servem para provar que algo NÃO aconteceria). Cada região é
autocontida porque os cards executam uma região sozinha.

    python content/examples/python-internals/concurrency_primitives.py
"""

# region: lock-vs-rlock
import threading

lock, rlock = threading.Lock(), threading.RLock()

with lock:
    # pegar de novo na MESMA thread: com Lock bloquearia para sempre (aqui, sem bloquear)
    print("Lock, 2º acquire na mesma thread:", lock.acquire(blocking=False))
with rlock:
    print("RLock, 2º acquire na mesma thread:", rlock.acquire(blocking=False))
    rlock.release()  # cada acquire precisa do seu release

lock.acquire()
releaser = threading.Thread(target=lock.release)  # outra thread solta o Lock
releaser.start()
releaser.join()
print("Lock solto por outra thread:", not lock.locked())

errors: list[str] = []


def release_foreign() -> None:
    try:
        rlock.release()
    except RuntimeError as exc:
        errors.append(str(exc))


rlock.acquire()
thief = threading.Thread(target=release_foreign)
thief.start()
thief.join()
print("RLock solto por outra thread:", errors)
rlock.release()
# endregion: lock-vs-rlock

# region: condition
import threading
from collections import deque

CAPACITY = 2
buffer: deque[int] = deque()
cond = threading.Condition()  # um lock + uma fila de espera
consumed: list[int] = []
max_seen = 0


def producer(n: int) -> None:
    global max_seen
    for item in range(n):
        with cond:
            while len(buffer) >= CAPACITY:  # while, não if: reavalia ao acordar
                cond.wait()
            buffer.append(item)
            max_seen = max(max_seen, len(buffer))
            cond.notify_all()
    with cond:
        buffer.append(-1)  # sentinela: acabou
        cond.notify_all()


def consumer() -> None:
    while True:
        with cond:
            cond.wait_for(lambda: len(buffer) > 0)  # o while embutido
            item = buffer.popleft()
            cond.notify_all()
        if item == -1:
            return
        consumed.append(item)


threads = [threading.Thread(target=producer, args=(10,)), threading.Thread(target=consumer)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("consumidos:", consumed)
print("buffer nunca passou da capacidade:", max_seen <= CAPACITY)
# endregion: condition

# region: bounded-semaphore
import threading

plain = threading.Semaphore(2)
plain.release()  # release a mais: o contador vira 3 sem aviso (bug escondido)
print("Semaphore aceitou 3 acquires:", all(plain.acquire(blocking=False) for _ in range(3)))

bounded = threading.BoundedSemaphore(2)
try:
    bounded.release()  # mais releases que acquires
except ValueError as exc:
    print("BoundedSemaphore:", exc)
# endregion: bounded-semaphore

# region: event
import threading

start = threading.Event()
ready: list[str] = []
ready_lock = threading.Lock()


def worker(name: str) -> None:
    start.wait()  # bloqueia até alguém chamar start.set()
    with ready_lock:
        ready.append(name)


workers = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
for w in workers:
    w.start()
print("antes do set, wait(timeout=0.05) devolve:", start.wait(timeout=0.05), ready)
start.set()  # libera TODOS os que esperam, e os que vierem depois
for w in workers:
    w.join()
print("depois do set:", start.is_set(), sorted(ready))
# endregion: event

# region: barrier
import threading

arrivals: list[int] = []
arrivals_lock = threading.Lock()
barrier = threading.Barrier(3, action=lambda: print("action: todos chegaram (roda uma vez)"))


def party() -> None:
    index = barrier.wait()  # cada thread recebe um índice distinto de 0 a parties-1
    with arrivals_lock:
        arrivals.append(index)


parties = [threading.Thread(target=party) for _ in range(3)]
for p in parties:
    p.start()
for p in parties:
    p.join()
print("índices devolvidos por wait():", sorted(arrivals))
# endregion: barrier

# region: queue-workers
import queue
import threading

jobs: queue.Queue[int | None] = queue.Queue(maxsize=4)  # put bloqueia se cheia: backpressure
results: list[int] = []
results_lock = threading.Lock()
SENTINEL = None


def queue_worker() -> None:
    while True:
        item = jobs.get()
        try:
            if item is SENTINEL:
                return
            with results_lock:
                results.append(item * item)
        finally:
            jobs.task_done()  # um task_done por get, mesmo se o processamento falhar


pool = [threading.Thread(target=queue_worker) for _ in range(3)]
for t in pool:
    t.start()
for n in range(10):
    jobs.put(n)
jobs.join()  # espera cada item colocado receber seu task_done
print("processados:", sorted(results))
for _ in pool:
    jobs.put(SENTINEL)  # uma sentinela por worker
for t in pool:
    t.join()
print("workers vivos:", sum(t.is_alive() for t in pool))
# endregion: queue-workers

# region: deadlock
import threading

accounts_lock, audit_lock = threading.Lock(), threading.Lock()
both_hold_first = threading.Barrier(2)
both_tried = threading.Barrier(2)
outcome: dict[str, bool] = {}


def transfer(name: str, first: threading.Lock, second: threading.Lock) -> None:
    with first:
        both_hold_first.wait()  # garante que cada thread já segura o seu primeiro lock
        got = second.acquire(timeout=0.2)  # sem timeout, esperaria para sempre
        outcome[name] = got
        both_tried.wait()  # ninguém solta antes de os dois tentarem
        if got:
            second.release()


# ordens opostas: A pega accounts -> audit, B pega audit -> accounts
a = threading.Thread(target=transfer, args=("A", accounts_lock, audit_lock))
b = threading.Thread(target=transfer, args=("B", audit_lock, accounts_lock))
for t in (a, b):
    t.start()
for t in (a, b):
    t.join()
print("ordens opostas, conseguiu o 2º lock:", dict(sorted(outcome.items())))

# correção: uma ordem global (sempre accounts antes de audit)
done: list[str] = []


def transfer_ordered(name: str) -> None:
    with accounts_lock, audit_lock:
        done.append(name)


ordered = [threading.Thread(target=transfer_ordered, args=(n,)) for n in "AB"]
for t in ordered:
    t.start()
for t in ordered:
    t.join()
print("mesma ordem:", sorted(done))
# endregion: deadlock

# region: executor-errors
from concurrent.futures import ThreadPoolExecutor


def parse(raw: str) -> int:
    return int(raw)


with ThreadPoolExecutor(max_workers=2) as executor:
    future = executor.submit(parse, "x")
    print("a falha fica guardada no Future:", type(future.exception()).__name__)
    try:
        future.result()  # relança a exceção na thread de quem pede o resultado
    except ValueError as exc:
        print("result() relançou:", exc)

    got = []
    try:
        for value in executor.map(parse, ["1", "2", "oops", "4"]):
            got.append(value)  # map devolve na ordem da entrada
    except ValueError as exc:
        print("map levantou ao chegar no 3º item; já tinha:", got)
# endregion: executor-errors

# region: contextvars-threads
import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

request_id = contextvars.ContextVar("request_id", default="-")


def current() -> str:
    return request_id.get()


seen: dict[str, str] = {}
request_id.set("req-42")
with ThreadPoolExecutor(max_workers=1) as executor:
    seen["submit"] = executor.submit(current).result()
    ctx = contextvars.copy_context()  # snapshot do contexto de quem submete
    seen["copy_context"] = executor.submit(ctx.run, current).result()

    # o contexto da thread do pool persiste entre tarefas: um set "vaza" para a próxima
    executor.submit(request_id.set, "req-vazado").result()
    seen["tarefa seguinte"] = executor.submit(current).result()


async def main() -> None:
    seen["to_thread"] = await asyncio.to_thread(current)


asyncio.run(main())
for how, value in seen.items():
    print(f"{how}: {value}")
# endregion: contextvars-threads

# region: contextvars-pool-leak
import contextvars
from concurrent.futures import ThreadPoolExecutor

tenant = contextvars.ContextVar("tenant", default="nenhum")


def handle(name: str, value: str | None = None) -> str:
    before = tenant.get()
    if value is not None:
        tenant.set(value)  # sem reset no fim: o valor fica no contexto da thread do pool
    return f"{name} viu tenant={before}"


with ThreadPoolExecutor(max_workers=1) as pool:  # uma thread: as tarefas a reutilizam
    leak = [
        pool.submit(handle, "req-1", "acme").result(),
        pool.submit(handle, "req-2").result(),
        pool.submit(contextvars.copy_context().run, handle, "req-3").result(),
    ]
print(*leak, sep="\n")
# endregion: contextvars-pool-leak

# region: contextvars-asyncio
import asyncio
import contextvars
import threading

user = contextvars.ContextVar("user", default="anônimo")
local = threading.local()


async def handle(name: str) -> str:
    user.set(name)  # muda só a cópia do contexto desta task
    local.user = name  # threading.local: a MESMA para todas as tasks da thread
    await asyncio.sleep(0)  # cede a vez: a outra task roda aqui
    return f"{name}: contextvar={user.get()} local={local.user}"


gathered: list[str] = []
creation: list[str] = []


async def show() -> str:
    return user.get()


async def main() -> None:
    user.set("main")
    gathered.extend(await asyncio.gather(handle("ana"), handle("bia")))
    print(gathered)
    print("main continua:", user.get())

    early = asyncio.create_task(show())  # o contexto é copiado AGORA, na criação
    user.set("depois")  # não afeta a cópia que a task já recebeu
    late = asyncio.create_task(show())
    creation.extend([await early, await late])
    print("task criada antes do set vê:", creation[0], "| criada depois vê:", creation[1])


asyncio.run(main())
# endregion: contextvars-asyncio

# --- Asserts: o que a nota afirma -----------------------------------------------------------
import sys

assert errors and "un-acquired" in errors[0]
assert consumed == list(range(10)) and max_seen <= CAPACITY
assert sorted(ready) == ["w0", "w1", "w2"]
assert sorted(arrivals) == [0, 1, 2]
assert sorted(results) == [n * n for n in range(10)]
assert outcome == {"A": False, "B": False}  # os dois travariam sem o timeout
assert sorted(done) == ["A", "B"]
assert seen == {"submit": "-", "copy_context": "req-42", "tarefa seguinte": "req-vazado",
                "to_thread": "req-42"}
assert gathered == ["ana: contextvar=ana local=bia", "bia: contextvar=bia local=bia"]
assert creation == ["main", "depois"]
assert leak == ["req-1 viu tenant=nenhum", "req-2 viu tenant=acme", "req-3 viu tenant=nenhum"]

# Queue.shutdown() (3.13+): put passa a falhar; get esvazia o que resta e depois levanta ShutDown
if sys.version_info >= (3, 13):
    q: queue.Queue[int] = queue.Queue()
    q.put(1)
    q.shutdown()  # immediate=False: quem consome ainda drena o que já estava na fila
    try:
        q.put(2)
    except queue.ShutDown:
        pass
    else:
        raise AssertionError("put depois do shutdown deveria falhar")
    assert q.get() == 1
    try:
        q.get()
    except queue.ShutDown:
        print("3.13+: Queue.shutdown() encerrou os consumidores sem sentinela")
    else:
        raise AssertionError("get numa fila vazia e encerrada deveria levantar ShutDown")

print("ok: todas as verificações passaram")
