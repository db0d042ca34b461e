"""Context managers e iteradores assíncronos: __aenter__/__aexit__ e @asynccontextmanager.

O que observar:
- `class-cm`: uma classe com `__aenter__`/`__aexit__` (ex.: conexão, sessão HTTP,
  transação). `__aexit__` recebe a exceção que escapou do bloco; devolver um valor
  verdadeiro a SUPRIME, devolver None/False a deixa propagar.
- `generator-cm`: `@contextlib.asynccontextmanager` transforma uma async generator num
  context manager. O código antes do `yield` é o setup, depois é o teardown; o
  `try/finally` em volta do `yield` é obrigatório para limpar mesmo com exceção (a
  exceção do bloco é relançada DENTRO da generator, no ponto do `yield`).
- `cleanup-order`: blocos aninhados (ou `AsyncExitStack`) desfazem os recursos em ordem
  inversa (LIFO), inclusive quando o corpo levanta exceção.
- `async-iterator`: `__aiter__`/`__anext__` e uma async generator, consumidos com
  `async for`.
Tudo é determinístico (sem sleeps com tempo real). Cada região roda sozinha.
"""

# region: class-cm
import asyncio


class Resource:
    closed: list[str] = []  # registro para o assert final

    def __init__(self, name: str, suppress: bool = False) -> None:
        self.name = name
        self.suppress = suppress

    async def __aenter__(self) -> "Resource":
        await asyncio.sleep(0)  # ex.: abrir conexão
        print(f"abre {self.name}")
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        await asyncio.sleep(0)  # ex.: fechar conexão
        print(f"fecha {self.name} (exceção: {exc_type.__name__ if exc_type else None})")
        Resource.closed.append(self.name)
        return self.suppress  # True engole a exceção


async def main() -> None:
    async with Resource("db") as db:
        print(f"usando {db.name}")

    async with Resource("tolerante", suppress=True):
        raise KeyError("engolida")
    print("a KeyError foi suprimida")

    try:
        async with Resource("estrito"):
            raise ValueError("propaga")
    except ValueError as exc:
        print(f"capturada fora: {exc!r}")
    assert Resource.closed == ["db", "tolerante", "estrito"]  # __aexit__ sempre rodou


asyncio.run(main())
# endregion: class-cm

# region: generator-cm
import asyncio
from contextlib import asynccontextmanager


@asynccontextmanager
async def transaction(name: str):
    print(f"BEGIN {name}")
    try:
        yield name
    except Exception as exc:
        print(f"ROLLBACK {name}: {exc}")
        raise  # relança: quem chamou decide o que fazer
    else:
        print(f"COMMIT {name}")
    finally:
        print(f"libera conexão de {name}")


async def main() -> None:
    async with transaction("t1"):
        print("  INSERT ...")
    try:
        async with transaction("t2"):
            raise RuntimeError("violação de constraint")
    except RuntimeError:
        print("erro tratado pelo chamador")
    else:
        raise AssertionError("a exceção deveria ter propagado")


asyncio.run(main())
# endregion: generator-cm

# region: cleanup-order
import asyncio
from contextlib import AsyncExitStack, asynccontextmanager

log: list[str] = []


@asynccontextmanager
async def resource(name: str):
    log.append(f"abre {name}")
    try:
        yield name
    finally:
        log.append(f"fecha {name}")


async def main() -> None:
    try:
        async with AsyncExitStack() as stack:
            for name in ("pool", "conexão", "cursor"):
                await stack.enter_async_context(resource(name))
            raise ValueError("falha no meio do trabalho")
    except ValueError:
        log.append("ValueError propagada")
    print("\n".join(log))
    assert log.index("fecha cursor") < log.index("fecha conexão") < log.index("fecha pool")


asyncio.run(main())
# endregion: cleanup-order

# region: async-iterator
import asyncio


class Countdown:
    """Iterador assíncrono explícito: __aiter__ devolve self, __anext__ é coroutine."""

    def __init__(self, start: int) -> None:
        self.current = start

    def __aiter__(self) -> "Countdown":
        return self

    async def __anext__(self) -> int:
        if self.current <= 0:
            raise StopAsyncIteration
        await asyncio.sleep(0)  # ex.: buscar a próxima página
        self.current -= 1
        return self.current + 1


async def pages(total: int):
    """O mesmo com async generator: bem mais curto."""
    for page in range(1, total + 1):
        await asyncio.sleep(0)
        yield f"página {page}"


async def main() -> None:
    print([n async for n in Countdown(3)])
    async for page in pages(2):
        print(page)


asyncio.run(main())
# endregion: async-iterator
