"""Fundamentos de asyncio: coroutine x task, gather x TaskGroup e timeout.

O que observar:
- `coroutine-vs-task`: chamar uma `async def` só cria um objeto coroutine (nada roda);
  `asyncio.create_task` agenda a execução no event loop, que começa assim que a coroutine
  atual cede o controle (`await`). `await coro` executa a coroutine dentro da task atual.
- `gather-vs-taskgroup`: com `gather`, a primeira exceção sobe para quem fez o `await`,
  mas as outras tarefas CONTINUAM rodando; `return_exceptions=True` devolve as exceções
  como valores. Com `asyncio.TaskGroup` (3.11), a falha cancela as irmãs, o bloco
  `async with` só termina quando todas acabaram, e as falhas chegam num `ExceptionGroup`
  (tratado com `except*`).
- `timeout`: `asyncio.timeout()` (3.11) e `asyncio.wait_for` cancelam a operação
  interna e levantam `TimeoutError` (no 3.11, `asyncio.TimeoutError` é o builtin).
- `timeout-fetch`: o trecho de card `async with asyncio.timeout(5): data = await fetch()`.
  Esperar 5 s de verdade deixaria o teste lento; por isso a região roda com um `fetch`
  rápido, e o estouro (TimeoutError + cancelamento do bloco) é provado logo abaixo com a
  mesma construção e um prazo de 0,01 s.

A ordem impressa é determinística: só usamos `asyncio.sleep(0)` (que apenas cede a vez;
o loop executa os callbacks prontos em ordem FIFO) e um `Event` que nunca é setado.
Cada região é autocontida porque os cards executam uma região sozinha (exceto
`timeout-fetch`, só mostrada num card, que usa o `fetch` definido antes dela).
"""

# region: coroutine-vs-task
import asyncio


async def work(name: str) -> str:
    print(f"{name}: início")
    await asyncio.sleep(0)  # cede o controle ao event loop
    print(f"{name}: fim")
    return name.upper()


async def main() -> None:
    coro = work("a")  # só cria o objeto coroutine: nada é impresso
    print("coroutine criada")
    task = asyncio.create_task(work("b"))  # agendada, mas ainda não rodou
    print("task criada")
    await asyncio.sleep(0)  # agora o loop pode rodar a task "b"
    print("main voltou")
    print(await coro, await task)
    assert task.done()


asyncio.run(main())
# endregion: coroutine-vs-task

# region: gather-vs-taskgroup
import asyncio


status: dict[str, str] = {}


async def slow(name: str, steps: int) -> str:
    try:
        for _ in range(steps):
            await asyncio.sleep(0)
        print(f"{name} terminou")
        status[name] = "terminou"
        return name
    except asyncio.CancelledError:
        print(f"{name} foi cancelada")
        status[name] = "cancelada"
        raise  # sempre propague o cancelamento


async def fail(steps: int) -> None:
    for _ in range(steps):
        await asyncio.sleep(0)
    raise ValueError("falhou")


async def main() -> None:
    # 1) gather: a exceção sobe, mas a irmã continua rodando em segundo plano
    try:
        await asyncio.gather(slow("g1", 5), fail(1))
    except ValueError as exc:
        print("gather levantou:", exc)
    assert "g1" not in status  # gather já desistiu, mas g1 segue viva...
    for _ in range(10):
        await asyncio.sleep(0)
    assert status["g1"] == "terminou"  # ...e termina sozinha (não foi cancelada)

    # 2) gather com return_exceptions=True: exceções viram resultados
    results = await asyncio.gather(slow("g2", 1), fail(1), return_exceptions=True)
    print("resultados:", results)

    # 3) TaskGroup: a falha cancela as irmãs e chega como ExceptionGroup
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow("t1", 5))
            tg.create_task(fail(1))
    except* ValueError as eg:
        print("TaskGroup levantou:", [str(e) for e in eg.exceptions])
    assert status["t1"] == "cancelada"  # a irmã foi cancelada pelo TaskGroup


asyncio.run(main())
# endregion: gather-vs-taskgroup

# region: timeout
import asyncio


async def main() -> None:
    never = asyncio.Event()  # ninguém chama never.set()

    try:
        async with asyncio.timeout(0.05):  # 3.11+
            await never.wait()
    except TimeoutError:
        print("asyncio.timeout: TimeoutError")

    try:
        await asyncio.wait_for(never.wait(), timeout=0.05)
    except TimeoutError:
        print("wait_for: TimeoutError")

    print(asyncio.TimeoutError is TimeoutError)


asyncio.run(main())
# endregion: timeout


async def fetch() -> str:
    await asyncio.sleep(0)  # uma E/S rápida
    return "dados"


# region: timeout-fetch
async def load() -> str:
    async with asyncio.timeout(5):  # 3.11+
        data = await fetch()
    return data
# endregion: timeout-fetch


async def check_timeout() -> None:
    assert await load() == "dados"  # dentro do prazo: o bloco termina normalmente

    events: list[str] = []

    async def slow_fetch() -> str:
        try:
            await asyncio.Event().wait()  # nunca termina
        except asyncio.CancelledError:
            events.append("fetch cancelado")
            raise
        return "nunca"

    try:
        async with asyncio.timeout(0.01):  # mesmo padrão, prazo minúsculo
            data = await slow_fetch()
    except TimeoutError:
        events.append("TimeoutError na saída do bloco")
    else:
        raise AssertionError(f"esperava TimeoutError, veio {data!r}")
    print(events)
    assert events == ["fetch cancelado", "TimeoutError na saída do bloco"]


asyncio.run(check_timeout())
