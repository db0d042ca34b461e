"""Dependências com `yield`: quando roda o teardown e como as exceções chegam nelas.

Comportamento da versão instalada (FastAPI 0.165, Starlette 1.10):
- `escopos`: o padrão de uma dependência com yield é `scope="request"`: o código depois do
  `yield` roda DEPOIS de a resposta ser enviada e depois das BackgroundTasks (histórico: até a
  0.105 era assim; de 0.106 a 0.117 o teardown rodava antes de enviar; a 0.118 voltou a rodar
  depois; a 0.121 criou `Depends(..., scope="function")`, que fecha ANTES de enviar a resposta).
- `transacao`: uma exceção no endpoint (inclusive `HTTPException`) é lançada DENTRO da
  dependência, no ponto do `yield`: dá para fazer rollback. Nesse caso o teardown roda antes de
  a resposta de erro ser enviada (a resposta de erro é montada por fora da dependência).
- `erros-no-teardown`: com o escopo padrão, falhar no commit depois do `yield` não muda nada
  para o cliente, que já recebeu 200; com `scope="function"` a falha vira 500. Engolir a exceção
  (`except` sem `raise`) faz o FastAPI levantar `FastAPIError` ("Response not awaited").

Cada região é autocontida porque os cards executam uma região sozinha.
"""

import warnings

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

# region: escopos
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.testclient import TestClient

events: list[str] = []


class SendSpy:
    """Middleware ASGI puro: anota quando o corpo da resposta termina de ser enviado."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def spy_send(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("-- resposta enviada --")
            await send(message)

        await self.app(scope, receive, spy_send)


async def per_request():  # sem scope: o padrão para yield é "request"
    events.append("request: setup")
    yield
    events.append("request: teardown")


async def per_function():
    events.append("function: setup")
    yield
    events.append("function: teardown")


app = FastAPI()
app.add_middleware(SendSpy)


@app.get("/")
def endpoint(
    tasks: BackgroundTasks,
    a: Annotated[None, Depends(per_request)],
    b: Annotated[None, Depends(per_function, scope="function")],
) -> str:
    events.append("endpoint")
    tasks.add_task(events.append, "background task")
    return "ok"


TestClient(app).get("/")
print(*events, sep="\n")
# endregion: escopos
assert events.index("function: teardown") < events.index("-- resposta enviada --")
assert events[-1] == "request: teardown"

# region: transacao
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient

events: list[str] = []


class SendSpy:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def spy_send(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("-- resposta enviada --")
            await send(message)

        await self.app(scope, receive, spy_send)


async def get_session():
    events.append("abre sessão")
    try:
        yield "session"
        events.append("commit")
    except Exception as exc:  # a exceção do endpoint chega aqui, no yield
        events.append(f"rollback ({type(exc).__name__})")
        raise  # relançar é obrigatório
    finally:
        events.append("fecha sessão")


app = FastAPI()
app.add_middleware(SendSpy)


@app.post("/ok")
def ok(session: Annotated[str, Depends(get_session)]) -> str:
    events.append("endpoint ok")
    return "ok"


@app.post("/conflict")
def conflict(session: Annotated[str, Depends(get_session)]) -> str:
    events.append("endpoint levanta HTTPException(409)")
    raise HTTPException(status_code=409, detail="duplicado")


client = TestClient(app)
for path in ("/ok", "/conflict"):
    events.clear()
    status = client.post(path).status_code
    print(path, status, events)
# endregion: transacao
assert events.index("fecha sessão") < events.index("-- resposta enviada --")

# region: erros-no-teardown
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.exceptions import FastAPIError
from fastapi.testclient import TestClient


async def failing_commit():
    yield
    raise RuntimeError("commit falhou")  # ex.: violação de constraint no COMMIT


async def swallow():
    try:
        yield
    except Exception:
        pass  # ERRADO: engole a exceção e não relança


app = FastAPI()


@app.get("/request-scope")
def request_scope(_: Annotated[None, Depends(failing_commit)]) -> str:
    return "ok"


@app.get("/function-scope")
def function_scope(_: Annotated[None, Depends(failing_commit, scope="function")]) -> str:
    return "ok"


@app.get("/swallow")
def swallowed(_: Annotated[None, Depends(swallow)]) -> str:
    raise ValueError("bug no endpoint")


lenient = TestClient(app, raise_server_exceptions=False)  # o que o cliente HTTP veria
print("request-scope:", lenient.get("/request-scope").status_code)
print("function-scope:", lenient.get("/function-scope").status_code)
print("swallow:", lenient.get("/swallow").status_code)
try:
    TestClient(app).get("/swallow")
except FastAPIError as exc:
    print("FastAPIError:", str(exc).split(".")[0])
# endregion: erros-no-teardown
assert lenient.get("/request-scope").status_code == 200  # o commit falhou, mas o cliente viu 200
