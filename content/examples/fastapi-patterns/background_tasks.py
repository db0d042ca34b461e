"""BackgroundTasks do FastAPI: rodam DEPOIS da resposta, no mesmo processo, em sequência.

O que observar:
- `ordem`: um middleware ASGI "espião" registra o momento em que o último pedaço do corpo da
  resposta é enviado. A ordem é: dependência, endpoint, resposta enviada, e só então as tarefas,
  na ordem em que foram adicionadas (a da dependência primeiro: é o MESMO objeto
  `BackgroundTasks`). Tarefa `def` roda no threadpool; `async def`, no event loop.
  Atenção: o `TestClient` só devolve a resposta quando o app ASGI termina, ou seja, DEPOIS das
  tarefas; por isso "cliente recebeu" aparece por último.
- `falha`: se uma tarefa levanta exceção, as seguintes NÃO rodam e o cliente já recebeu 200:
  o erro só aparece no log do servidor. Não há retry nem persistência.
- `servidor-real`: com uvicorn de verdade (127.0.0.1, porta efêmera), a tarefa espera um sinal
  que o cliente só dá DEPOIS de ler a resposta, prova de que a resposta saiu antes de a tarefa
  terminar.

Cada região é autocontida porque os cards executam uma região sozinha.
"""

import warnings

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

# region: ordem
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
                events.append("resposta enviada")
            await send(message)

        await self.app(scope, receive, spy_send)


def audit(tasks: BackgroundTasks) -> None:  # dependência também pode agendar tarefas
    events.append("dependência")
    tasks.add_task(events.append, "tarefa da dependência")


def send_email(to: str) -> None:  # def: roda no threadpool
    events.append(f"email para {to}")


async def refresh_cache(key: str) -> None:  # async def: roda no event loop
    events.append(f"cache {key} atualizado")


app = FastAPI()
app.add_middleware(SendSpy)


@app.post("/signup", status_code=202, dependencies=[Depends(audit)])
def signup(tasks: BackgroundTasks) -> dict:
    tasks.add_task(send_email, "ana@example.com")
    tasks.add_task(refresh_cache, key="users")
    events.append("endpoint retornou")
    return {"status": "aceito"}


response = TestClient(app).post("/signup")
events.append(f"cliente recebeu {response.status_code}")
print(*events, sep="\n")
# endregion: ordem
assert events.index("resposta enviada") < events.index("email para ana@example.com")

# region: falha
from fastapi import BackgroundTasks, FastAPI
from fastapi.testclient import TestClient

ran: list[str] = []


def flaky() -> None:
    ran.append("flaky")
    raise ConnectionError("SMTP fora do ar")


def next_task() -> None:
    ran.append("next_task")


app = FastAPI()


@app.post("/order")
def order(tasks: BackgroundTasks) -> dict:
    tasks.add_task(flaky)
    tasks.add_task(next_task)
    return {"ok": True}


client = TestClient(app, raise_server_exceptions=False)
print(client.post("/order").status_code, "tarefas que rodaram:", ran)
# endregion: falha
assert ran == ["flaky"]

# region: servidor-real
import socket
import threading
import time

import httpx
import uvicorn
from fastapi import BackgroundTasks, FastAPI

client_got_response = threading.Event()
log: list[str] = []


def slow_report() -> None:
    # Só termina depois que o cliente já leu a resposta: prova de que ela saiu antes.
    ok = client_got_response.wait(timeout=5)
    log.append(f"tarefa viu o cliente com a resposta: {ok}")


app = FastAPI()


@app.post("/report")
def report(tasks: BackgroundTasks) -> dict:
    tasks.add_task(slow_report)
    return {"status": "gerando"}


sock = socket.socket()
sock.bind(("127.0.0.1", 0))  # porta efêmera
# ws="none": sem suporte a WebSocket (não é usado aqui; e o websockets.py desta pasta
# esconderia o pacote `websockets` que o uvicorn importaria).
server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none"))
thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
thread.start()
while not server.started:  # espera o servidor subir (ou falhar)
    assert thread.is_alive(), "uvicorn não subiu"
    time.sleep(0.01)

with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as http:
    r = http.post("/report")
    log.append(f"cliente recebeu {r.status_code} {r.json()}")
    client_got_response.set()

deadline = time.monotonic() + 5
while len(log) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
server.should_exit = True
thread.join(timeout=5)
print(*log, sep="\n")
# endregion: servidor-real
assert log[-1].endswith("True")
