"""Decorador com argumentos que preserva a assinatura: ParamSpec + functools.wraps.

O que observar:
- `retry(times=...)` é uma *fábrica* de decoradores: recebe a configuração e devolve o
  decorador. Tipado com `ParamSpec` (P) e `TypeVar` (R), o mypy sabe que a função
  decorada aceita exatamente os mesmos argumentos e devolve o mesmo tipo.
- `functools.wraps` copia `__name__`, `__doc__`, `__qualname__`... e grava `__wrapped__`;
  `inspect.signature` segue `__wrapped__`, então a assinatura "real" aparece no help,
  no FastAPI, no pytest etc.
- `Concatenate` descreve um decorador que *injeta* o primeiro argumento. Armadilha:
  `inspect.signature` continua mostrando o parâmetro injetado (por causa de
  `__wrapped__`); corrigimos com `__signature__`.
- O arquivo passa em `mypy --strict`.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


# region: retry
def retry(
    times: int, exceptions: tuple[type[Exception], ...] = (Exception,)
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times:
                        raise
            raise AssertionError("unreachable")

        return wrapper

    return decorator
# endregion: retry


calls = 0


# region: usage
@retry(times=3, exceptions=(ConnectionError,))
def fetch(url: str, *, timeout: float = 1.0) -> str:
    """Busca uma URL (falha nas duas primeiras tentativas)."""
    global calls
    calls += 1
    if calls < 3:
        raise ConnectionError("tente de novo")
    return f"GET {url} (timeout={timeout})"


print(fetch("/users", timeout=2.5))
print(fetch.__name__, fetch.__doc__)
print(inspect.signature(fetch))
# fetch(42)  -> mypy: Argument 1 to "fetch" has incompatible type "int"; expected "str"
# endregion: usage

assert calls == 3
assert str(inspect.signature(fetch)) == "(url: str, *, timeout: float = 1.0) -> str"
assert fetch.__wrapped__.__name__ == "fetch"  # type: ignore[attr-defined]


class Connection:
    def execute(self, sql: str) -> str:
        return f"executed: {sql}"


# region: concatenate
# region: with-connection-signature
def with_connection(
    func: Callable[Concatenate[Connection, P], R],
) -> Callable[P, R]:
# endregion: with-connection-signature
    """Injeta uma Connection como primeiro argumento; quem chama não a passa."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return func(Connection(), *args, **kwargs)

    sig = inspect.signature(func)
    params = list(sig.parameters.values())[1:]  # tira o parâmetro injetado
    setattr(wrapper, "__signature__", sig.replace(parameters=params))  # noqa: B010 (mypy)
    return wrapper


@with_connection
def count_users(conn: Connection, active: bool) -> str:
    return conn.execute(f"SELECT count(*) FROM users WHERE active = {active}")


print(count_users(True))  # para o mypy, count_users é (active: bool) -> str
print(inspect.signature(count_users))
# endregion: concatenate

assert str(inspect.signature(count_users)) == "(active: bool) -> str"
print("ok")
