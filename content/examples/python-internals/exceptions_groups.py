"""Exceções em Python: encadeamento, finally, exceções de biblioteca, TaskGroup e logging.

O que observar:
- `chaining`: levantar dentro de um `except` encadeia implicitamente (`__context__`, mensagem
  "During handling of the above exception..."); `raise ... from e` encadeia explicitamente
  (`__cause__`, "The above exception was the direct cause..."); `from None` liga
  `__suppress_context__`, que esconde o contexto no traceback, mas `__context__` continua lá.
- `finally-order`: a ordem de try/except/else/finally e o valor de `return` avaliado ANTES do
  `finally` rodar.
- `library-errors`: uma hierarquia de exceções de biblioteca com uma base comum, atributos
  estruturados (nada de fazer parse da mensagem) e herança múltipla de uma builtin
  (`TimeoutError`), para que código genérico de retry também a reconheça.
- `pickle-pitfall`: exceção com `__init__` de dois argumentos posicionais que não repassa os dois
  para `super().__init__` quebra ao atravessar processos (pickle), como em multiprocessing/Celery.
- `taskgroup`: `asyncio.TaskGroup` (3.11) sempre entrega as falhas num `ExceptionGroup`, mesmo que
  só uma task falhe: `except ValueError` não pega; `except* ValueError` pega. `add_note` (3.11)
  anexa contexto sem trocar o tipo da exceção.
- `logging`: `logger.exception` registra em nível ERROR com o traceback (`exc_info`) da exceção
  que está sendo tratada; `logger.error(str(e))` perde o traceback.

Tudo é determinístico (só stdlib, sem rede, sem tempo). Cada região é autocontida porque os
cards executam uma região sozinha.

    python content/examples/python-internals/exceptions_groups.py
"""

# region: chaining
import traceback


def load(key: str) -> str:
    return {"a": "1"}[key]  # KeyError para chave ausente


def implicit(key: str) -> str:
    try:
        return load(key)
    except KeyError:
        raise LookupError(f"config {key!r} ausente")  # sem from: encadeamento implícito


def explicit(key: str) -> str:
    try:
        return load(key)
    except KeyError as e:
        raise LookupError(f"config {key!r} ausente") from e  # causa explícita


def hidden(key: str) -> str:
    try:
        return load(key)
    except KeyError:
        raise LookupError(f"config {key!r} ausente") from None  # esconde o detalhe interno


for fn in (implicit, explicit, hidden):
    try:
        fn("x")
    except LookupError as exc:
        cause = type(exc.__cause__).__name__
        context = type(exc.__context__).__name__
        lines = "".join(traceback.format_exception(exc)).splitlines()
        header = [ln for ln in lines if ln.startswith(("During handling", "The above"))]
        print(f"{fn.__name__}: __cause__={cause} __context__={context} "
              f"__suppress_context__={exc.__suppress_context__}")
        print("    traceback:", header[0] if header else "(só a LookupError)")
# endregion: chaining

# region: finally-order
def run(fail: bool) -> str:
    steps = []
    try:
        steps.append("try")
        if fail:
            raise ValueError("falhou")
    except ValueError:
        steps.append("except")
    else:
        steps.append("else")  # só roda se o try terminou sem exceção
    finally:
        steps.append("finally")  # roda sempre
    return " > ".join(steps)


def value() -> int:
    x = 1
    try:
        return x  # o valor de retorno (1) já foi avaliado aqui
    finally:
        x = 2  # reatribuir x não muda o que será devolvido


print(run(fail=False))
print(run(fail=True))
print(value())
# endregion: finally-order

# region: library-errors
class PaymentError(Exception):
    """Base de todas as exceções da biblioteca: `except PaymentError` pega qualquer uma."""


class CardDeclined(PaymentError):
    def __init__(self, decline_code: str, *, retryable: bool = False) -> None:
        super().__init__(f"cartão recusado ({decline_code})")
        self.decline_code = decline_code  # dado estruturado: ninguém faz parse da mensagem
        self.retryable = retryable


class GatewayTimeout(PaymentError, TimeoutError):
    """Também é TimeoutError: um retry genérico (`except TimeoutError`) já a reconhece."""


def charge(scenario: str) -> None:
    if scenario == "declined":
        raise CardDeclined("insufficient_funds")
    if scenario == "timeout":
        raise GatewayTimeout("gateway não respondeu em 10 s")


for scenario in ("declined", "timeout"):
    try:
        charge(scenario)
    except TimeoutError as exc:  # camada de retry: não conhece a biblioteca
        print("retry genérico pegou:", type(exc).__name__)
    except PaymentError as exc:  # camada de negócio
        print("negócio pegou:", type(exc).__name__, exc.decline_code, exc.retryable)
# endregion: library-errors

# region: pickle-pitfall
import pickle


class QuotaExceeded(Exception):
    def __init__(self, user: str, limit: int) -> None:
        super().__init__(f"{user} passou de {limit}")  # self.args fica com 1 item só
        self.user, self.limit = user, limit


class QuotaExceededFixed(Exception):
    def __init__(self, user: str, limit: int) -> None:
        super().__init__(user, limit)  # self.args == (user, limit): o pickle recria certo
        self.user, self.limit = user, limit

    def __str__(self) -> str:
        return f"{self.user} passou de {self.limit}"


for cls in (QuotaExceeded, QuotaExceededFixed):
    try:
        copy = pickle.loads(pickle.dumps(cls("ana", 100)))
        print(cls.__name__, "ok:", copy)
    except TypeError as exc:
        print(cls.__name__, "quebrou no unpickle:", exc)
# endregion: pickle-pitfall

# region: taskgroup
import asyncio


async def fetch(name: str) -> str:
    await asyncio.sleep(0)
    if name == "b":
        exc = ValueError(f"resposta inválida de {name}")
        exc.add_note(f"serviço={name} tentativa=1")  # contexto extra, mesmo tipo
        raise exc
    return name


async def main() -> None:
    try:
        try:
            async with asyncio.TaskGroup() as tg:
                for name in ("a", "b"):
                    tg.create_task(fetch(name))
        except ValueError:
            print("except ValueError pegou")  # nunca roda: chega um ExceptionGroup
    except ExceptionGroup as eg:
        print("chegou:", type(eg).__name__, "com", len(eg.exceptions), "exceção")

    try:
        async with asyncio.TaskGroup() as tg:
            for name in ("a", "b"):
                tg.create_task(fetch(name))
    except* ValueError as eg:
        (err,) = eg.exceptions
        print("except* ValueError pegou:", err, "| notas:", err.__notes__)


asyncio.run(main())
# endregion: taskgroup

# region: logging
import logging


class Capture(logging.Handler):
    """Guarda os registros para inspecionar o que cada chamada realmente loga."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


log = logging.getLogger("pagamentos")
log.propagate = False
capture = Capture()
log.addHandler(capture)

try:
    {}["pedido"]
except KeyError as e:
    log.error("falha: %s", e)  # só a mensagem
    log.exception("falha ao processar pedido")  # ERROR + traceback da exceção atual

for record in capture.records:
    has_tb = record.exc_info is not None
    print(f"{record.levelname} {record.getMessage()!r} traceback={has_tb}")
# endregion: logging


# --- Asserts: o que a nota afirma ---------------------------------------------------------
def _catch(fn, *args):
    try:
        fn(*args)
    except BaseException as exc:  # noqa: BLE001 - queremos inspecionar qualquer exceção
        return exc
    raise AssertionError("esperava exceção")


e1, e2, e3 = _catch(implicit, "x"), _catch(explicit, "x"), _catch(hidden, "x")
assert e1.__cause__ is None and isinstance(e1.__context__, KeyError) and not e1.__suppress_context__
assert isinstance(e2.__cause__, KeyError) and e2.__context__ is e2.__cause__ and e2.__suppress_context__
assert e3.__cause__ is None and isinstance(e3.__context__, KeyError) and e3.__suppress_context__
assert "During handling" in "".join(traceback.format_exception(e1))
assert "direct cause" in "".join(traceback.format_exception(e2))
assert "KeyError" not in "".join(traceback.format_exception(e3))  # contexto escondido

assert run(fail=False) == "try > else > finally"
assert run(fail=True) == "try > except > finally"
assert value() == 1

assert isinstance(GatewayTimeout("x"), TimeoutError) and isinstance(GatewayTimeout("x"), PaymentError)
assert not issubclass(KeyboardInterrupt, Exception) and issubclass(KeyboardInterrupt, BaseException)
assert not issubclass(SystemExit, Exception) and not issubclass(GeneratorExit, Exception)
assert not issubclass(asyncio.CancelledError, Exception)  # desde o 3.8

assert isinstance(_catch(pickle.loads, pickle.dumps(QuotaExceeded("ana", 100))), TypeError)
fixed = pickle.loads(pickle.dumps(QuotaExceededFixed("ana", 100)))
assert (fixed.user, fixed.limit) == ("ana", 100)

# except* embrulha uma exceção "nua" num ExceptionGroup
try:
    raise ValueError("nua")
except* ValueError as eg:
    assert type(eg) is ExceptionGroup and len(eg.exceptions) == 1

assert [r.exc_info is not None for r in capture.records] == [False, True]
assert capture.records[1].levelno == logging.ERROR

# `except E as e` apaga `e` no fim do bloco (evita o ciclo frame -> traceback -> frame)
try:
    raise RuntimeError("x")
except RuntimeError as gone:
    pass
assert "gone" not in globals()

print("ok: todas as verificações passaram")
