"""multiprocessing: métodos de início, como compartilhar dados entre processos e o custo do pickle.

O que observar:
- `start-methods`: `spawn` (interpretador novo, reimporta o módulo principal), `fork` (cópia do
  processo pai) e `forkserver` (um servidor limpo, iniciado cedo, faz os forks). O padrão no Linux
  era `fork` e passou a ser `forkserver` no 3.14; no macOS é `spawn` desde o 3.8; no Windows,
  sempre `spawn`.
- `fork-with-threads`: por que `fork` com threads é perigoso. Uma thread do pai segura um lock no
  instante do fork; o filho herda o lock TRAVADO, mas não a thread que o soltaria: quem tentar
  pegá-lo no filho espera para sempre (aqui, um `timeout` prova isso sem travar o exemplo). É o
  mesmo que acontece com locks internos de logging, do malloc ou de bibliotecas C.
- `queue-and-pipe`: `Queue` (vários produtores/consumidores; pickle + pipe + uma thread
  alimentadora) e `Pipe` (duas pontas, mais simples e rápido).
- `shared-memory`: um bloco de memória compartilhada por nome, sem pickle dos dados; cada
  processo faz `close()`, e o dono faz `unlink()` uma vez.
- `manager`: um processo servidor guarda o objeto; os outros recebem proxies e cada acesso é uma
  chamada entre processos (simples, porém lento); `+=` num proxy não é atômico.
- `pickle-cost`: argumentos e resultados viajam por pickle: uma lambda não é picklable com
  `spawn`, e um argumento grande é serializado e copiado a cada chamada.

Tudo roda com o contexto `spawn` explícito (o mesmo comportamento em Linux, macOS e Windows),
exceto a demonstração de `fork`, que só roda onde `fork` existe. Por causa do `spawn`, o código
de nível de módulo fica dentro de `if __name__ == "__main__":` (o filho reimporta este arquivo).
Os asserts não dependem de tempo.

    python content/examples/python-internals/multiprocessing_sharing.py
"""

import multiprocessing as mp
import pickle
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory


# Funções executadas nos filhos: precisam estar no nível do módulo para serem importáveis
# (com spawn, o filho as encontra reimportando este arquivo pelo nome).
def square_worker(inbox, outbox) -> None:
    for n in iter(inbox.get, None):  # None é a sentinela de fim
        outbox.put((n, n * n))


def pipe_echo(conn) -> None:
    msg = conn.recv()
    conn.send(msg.upper())
    conn.close()


def fill_shared(name: str, size: int) -> None:
    shm = shared_memory.SharedMemory(name=name)  # anexa pelo nome: nenhum dado é copiado
    try:
        for i in range(size):
            shm.buf[i] = i % 256
    finally:
        shm.close()  # o filho fecha a sua visão; quem apaga o bloco é o dono


def count_hits(shared, lock, n: int) -> None:
    for _ in range(n):
        with lock:  # sem lock, `shared["hits"] += 1` perde incrementos (get e set separados)
            shared["hits"] += 1


HELD = threading.Lock()  # global: o filho criado por fork herda a memória (e o estado) do pai


def try_held_lock() -> bool:
    return HELD.acquire(timeout=0.5)  # sem timeout, o filho esperaria para sempre


def total(values: list[int]) -> int:
    return sum(values)


def main() -> None:
    spawn = mp.get_context("spawn")

    # region: start-methods
    methods = mp.get_all_start_methods()
    print("métodos disponíveis:", methods, "| padrão aqui:", mp.get_start_method())
    # Em código de biblioteca/aplicação, escolha explicitamente em vez de depender do padrão:
    ctx = mp.get_context("spawn")  # ou "forkserver" (POSIX), ou "fork" se souber o que faz
    # endregion: start-methods
    assert "spawn" in methods and ctx is spawn

    # region: fork-with-threads
    if "fork" in methods:
        holding, finish = threading.Event(), threading.Event()

        def holder() -> None:
            with HELD:  # uma thread do pai segura o lock...
                holding.set()
                finish.wait()

        t = threading.Thread(target=holder)
        t.start()
        holding.wait()
        try:
            with mp.get_context("fork").Pool(1) as pool:  # ...no instante do fork
                got = pool.apply(try_held_lock)
        finally:
            finish.set()
            t.join()
        print("filho (fork) conseguiu o lock que outra thread segurava:", got)
        assert got is False  # o lock veio travado e a thread dona não existe no filho
    # endregion: fork-with-threads

    # region: queue-and-pipe
    inbox, outbox = spawn.Queue(), spawn.Queue()
    procs = [spawn.Process(target=square_worker, args=(inbox, outbox)) for _ in range(2)]
    for p in procs:
        p.start()
    for n in range(6):
        inbox.put(n)
    for _ in procs:
        inbox.put(None)  # uma sentinela por processo
    squares = dict(outbox.get() for _ in range(6))  # leia ANTES do join (evita travar no pipe)
    for p in procs:
        p.join()
    print("Queue:", [squares[n] for n in range(6)])

    parent_end, child_end = spawn.Pipe()
    p = spawn.Process(target=pipe_echo, args=(child_end,))
    p.start()
    parent_end.send("olá")
    print("Pipe:", parent_end.recv())
    p.join()
    # endregion: queue-and-pipe
    assert [squares[n] for n in range(6)] == [0, 1, 4, 9, 16, 25]

    # region: shared-memory
    size = 1_000
    shm = shared_memory.SharedMemory(create=True, size=size)
    try:
        p = spawn.Process(target=fill_shared, args=(shm.name, size))
        p.start()
        p.join()
        data = bytes(shm.buf[:size])  # o pai lê o que o filho escreveu, sem pickle
        print("shared_memory: primeiros bytes", list(data[:5]), "| soma", sum(data))
    finally:
        shm.close()
        shm.unlink()  # uma vez, pelo dono: sem isso o bloco vaza até o shutdown
    # endregion: shared-memory
    assert data == bytes(i % 256 for i in range(size))

    # region: manager
    with spawn.Manager() as manager:  # inicia um processo servidor
        shared = manager.dict(hits=0)  # proxy: cada acesso é uma chamada ao servidor
        lock = manager.Lock()
        workers = [spawn.Process(target=count_hits, args=(shared, lock, 50)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        hits = shared["hits"]
        print("Manager dict:", hits)
    # endregion: manager
    assert hits == 100

    # region: pickle-cost
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        try:
            pool.submit(lambda: 1).result()  # lambda não é picklable: não dá nem para enviar
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            print("lambda:", type(exc).__name__)
        big = list(range(200_000))
        payload = len(pickle.dumps(big))  # é isso que atravessa o pipe a CADA chamada
        print(f"argumento de {len(big)} ints = {payload / 1e6:.1f} MB de pickle por chamada")
        print("resultado:", pool.submit(total, big).result())
    # endregion: pickle-cost
    assert payload > 500_000

    print("ok: todas as verificações passaram")


if __name__ == "__main__":
    sys.exit(main())
