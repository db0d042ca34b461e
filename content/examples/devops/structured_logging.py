"""Logs estruturados em JSON com request id numa ContextVar, propagado entre tasks do asyncio.

O que observar:
- Cada registro vira UMA linha JSON com campos fixos (level, logger, msg, request_id) mais os
  campos passados em `extra=`; um agregador (Loki, Elasticsearch, CloudWatch) filtra por campo
  em vez de fazer regex em texto livre.
- O request id vive numa `contextvars.ContextVar`, definida no início da requisição (como um
  middleware faria) e restaurada com `reset(token)` no fim. Um `logging.Filter` no handler copia
  o valor para cada registro: o código de negócio só chama `log.info(...)`.
- Duas requisições concorrentes intercaladas no mesmo event loop não misturam ids: cada task
  roda numa cópia do contexto.
- Tasks filhas (`TaskGroup`/`create_task`) e `asyncio.to_thread` herdam o contexto; já
  `loop.run_in_executor` NÃO copia o contexto (a thread do pool vê o valor padrão `-`), a menos
  que você passe `contextvars.copy_context().run`.
- Campos sensíveis (senha, token, Authorization) são mascarados no formatter, como última
  barreira; o certo é não passá-los ao log.
- O campo `ts` é impresso em produção; aqui ele é removido da saída para que ela seja sempre a
  mesma.

Sem serviços externos:
    python content/examples/devops/structured_logging.py
"""

import asyncio
import contextvars
import functools
import json
import logging
from datetime import datetime, timezone

# region: json-formatter
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "request_id"}
SENSITIVE = {"password", "token", "authorization", "cookie", "secret"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()  # lido no momento do log, no contexto atual
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():  # campos de extra=...
            if key not in STANDARD_ATTRS:
                event[key] = "***" if key.lower() in SENSITIVE else value
        if record.exc_info:
            event["exc_type"] = record.exc_info[0].__name__
            event["exc"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)
# endregion: json-formatter


class ListHandler(logging.Handler):
    """Guarda as linhas formatadas (em produção: StreamHandler(sys.stdout))."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


handler = ListHandler()
handler.addFilter(RequestIdFilter())
handler.setFormatter(JsonFormatter())
log = logging.getLogger("orders")
log.addHandler(handler)
log.setLevel(logging.INFO)
log.propagate = False


# region: request-scope
async def handle_request(incoming_id: str, steps: int) -> None:
    token = request_id.set(incoming_id)  # middleware: X-Request-ID recebido ou um uuid4 novo
    try:
        log.info("início", extra={"path": "/orders"})
        for _ in range(steps):
            await asyncio.sleep(0)  # cede o loop: as requisições se intercalam
        async with asyncio.TaskGroup() as tg:  # 3.11+: tasks filhas copiam o contexto atual
            tg.create_task(check_stock())
        log.info("fim", extra={"status": 201})
    finally:
        request_id.reset(token)  # não vaza o id para o que rodar depois neste contexto


async def check_stock() -> None:
    log.info("consulta ao estoque")
# endregion: request-scope


# region: threads
def blocking_io(label: str) -> None:
    log.info(label)


async def thread_propagation() -> None:
    request_id.set("req-c")
    loop = asyncio.get_running_loop()
    await asyncio.to_thread(blocking_io, "to_thread")  # copia o contexto
    await loop.run_in_executor(None, blocking_io, "run_in_executor")  # NÃO copia
    ctx = contextvars.copy_context()
    await loop.run_in_executor(None, functools.partial(ctx.run, blocking_io, "executor + copy_context"))
# endregion: threads


def show_and_take() -> list[dict]:
    events = [json.loads(line) for line in handler.lines]
    handler.lines.clear()
    for event in events:
        event.pop("ts")  # varia a cada execução
        if "exc" in event:
            event["exc"] = event["exc"].splitlines()[-1]  # só a última linha do traceback
        print(json.dumps(event, ensure_ascii=False))
    return events


async def main() -> None:
    print("# duas requisições concorrentes")
    await asyncio.gather(handle_request("req-a", 2), handle_request("req-b", 1))
    log.info("fora de requisição")
    events = show_and_take()
    by_msg = [(e["request_id"], e["msg"]) for e in events]
    assert by_msg == [
        ("req-a", "início"), ("req-b", "início"),
        ("req-b", "consulta ao estoque"), ("req-a", "consulta ao estoque"),
        ("req-b", "fim"), ("req-a", "fim"),
        ("-", "fora de requisição"),
    ], by_msg

    print("# threads")
    await asyncio.create_task(thread_propagation())  # task própria: o set não afeta main()
    events = show_and_take()
    assert [(e["msg"], e["request_id"]) for e in events] == [
        ("to_thread", "req-c"), ("run_in_executor", "-"), ("executor + copy_context", "req-c"),
    ]

    print("# campos sensíveis e exceções")
    log.info("login", extra={"user": "ana", "password": "hunter2", "authorization": "Bearer eyJ..."})
    try:
        {}["sku"]
    except KeyError:
        log.exception("falha ao montar pedido", extra={"order_id": 42})
    events = show_and_take()
    assert events[0]["password"] == "***" and events[0]["authorization"] == "***"
    assert "hunter2" not in json.dumps(events)
    assert events[1]["level"] == "ERROR" and events[1]["exc_type"] == "KeyError"
    assert events[1]["order_id"] == 42
    print("ok")


if __name__ == "__main__":
    asyncio.run(main())
