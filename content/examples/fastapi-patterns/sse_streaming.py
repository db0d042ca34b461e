"""Server-Sent Events (SSE) no FastAPI: formato, streaming de verdade e a API nativa (0.135+).

O que observar:
- `formato`: um evento SSE é texto UTF-8: linhas `campo: valor` (`id`, `event`, `data`,
  `retry`) terminadas por uma linha em branco. `data` com várias linhas vira várias linhas
  `data:`; linhas que começam com `:` são comentários (usados como keep-alive).
- `streaming-real`: um `StreamingResponse` com `media_type="text/event-stream"` servido por
  uvicorn de verdade (127.0.0.1, porta efêmera) e lido com `httpx.Client.stream`. O gerador só
  produz o evento 2 depois que o cliente sinaliza que já processou o evento 1: prova de que os
  eventos chegam um a um, não no fim. O cliente manda `Last-Event-ID` para retomar de onde
  parou (o `EventSource` do navegador faz isso sozinho ao reconectar).
- `desconexao`: num stream infinito, quando o cliente fecha a conexão o gerador é encerrado e o
  `finally` roda (libere recursos ali). Com o uvicorn (ASGI spec 2.3) o Starlette escuta a
  desconexão em paralelo e cancela o gerador no `await` em que estiver; com spec 2.4 ela só
  aparece ao tentar enviar o próximo evento.
- `nativo`: desde o FastAPI 0.135, `response_class=EventSourceResponse` num endpoint que faz
  `yield` gera o formato SSE, serializa `data` como JSON, põe `Cache-Control: no-cache` e
  `X-Accel-Buffering: no` e manda `: ping` a cada 15 s de silêncio. Stream finito: dá para usar
  o `TestClient`.

Cada região é autocontida porque os cards executam uma região sozinha.
"""

import warnings

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

# region: formato
import json


def format_sse(data: object, event: str | None = None, id: int | None = None) -> str:
    lines = []
    if id is not None:
        lines.append(f"id: {id}")
    if event:
        lines.append(f"event: {event}")
    for part in json.dumps(data, indent=1).splitlines():  # indent só para forçar várias linhas
        lines.append(f"data: {part}")
    return "\n".join(lines) + "\n\n"  # a linha em branco encerra o evento


def parse_sse(lines):
    """Parser mínimo do lado do cliente: junta os campos até a linha em branco."""
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            if event:
                yield event
            event = {}
        elif not line.startswith(":"):  # ':' = comentário / keep-alive
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            event[field] = event[field] + "\n" + value if field in event else value


wire = format_sse({"temp": 21}, event="leitura", id=7) + ": ping\n\n"
print(wire, end="")
print(list(parse_sse(wire.splitlines())))
# endregion: formato

# region: streaming-real
import asyncio
import json
import socket
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

client_has_first = threading.Event()
app = FastAPI()


@app.get("/ticks")
async def ticks(request: Request) -> StreamingResponse:
    last_id = int(request.headers.get("last-event-id", "0"))

    async def events():
        first = last_id + 1
        yield f"id: {first}\nevent: tick\ndata: {json.dumps({'n': first})}\n\n"
        for _ in range(500):  # o 2º evento espera o cliente confirmar que já tem o 1º
            if client_has_first.is_set():
                break
            await asyncio.sleep(0.01)
        payload = {"n": first + 1, "cliente_ja_tinha_o_1o": client_has_first.is_set()}
        yield f"id: {first + 1}\nevent: tick\ndata: {json.dumps(payload)}\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


def parse_sse(lines):
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            if event:
                yield event
            event = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            event[field] = value.removeprefix(" ")


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

received: list[dict] = []
with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as http:
    for headers in ({}, {"Last-Event-ID": "2"}):
        client_has_first.clear()
        with http.stream("GET", "/ticks", headers=headers) as response:
            print(headers or "sem Last-Event-ID", response.headers["content-type"])
            for event in parse_sse(response.iter_lines()):
                print("  ", event)
                received.append(event)
                client_has_first.set()  # o cliente já processou este evento

server.should_exit = True
thread.join(timeout=5)
# endregion: streaming-real
assert [e["id"] for e in received] == ["1", "2", "3", "4"]
assert all("true" in e["data"] for e in received[1::2])

# region: desconexao
import asyncio
import itertools
import socket
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

server_log: list[str] = []
app = FastAPI()


@app.get("/forever")
async def forever() -> StreamingResponse:
    async def events():
        n = 0
        try:
            while True:  # stream infinito: só termina quando o cliente sai
                n += 1
                yield f"data: {n}\n\n"
                await asyncio.sleep(0.01)
        finally:
            server_log.append("servidor: gerador encerrado, finally rodou")

    return StreamingResponse(events(), media_type="text/event-stream")


sock = socket.socket()
sock.bind(("127.0.0.1", 0))
# ws="none": sem suporte a WebSocket (não é usado aqui; e o websockets.py desta pasta
# esconderia o pacote `websockets` que o uvicorn importaria).
server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none"))
thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
thread.start()
while not server.started:  # espera o servidor subir (ou falhar)
    assert thread.is_alive(), "uvicorn não subiu"
    time.sleep(0.01)

with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as http:
    with http.stream("GET", "/forever") as response:
        first_lines = itertools.islice(response.iter_lines(), 6)  # 3 eventos e as linhas vazias
        received = [line for line in first_lines if line]
        print("cliente leu", received, "e fechou a conexão")

deadline = time.monotonic() + 5
while not server_log and time.monotonic() < deadline:
    time.sleep(0.01)
print(*server_log)
server.should_exit = True
thread.join(timeout=5)
# endregion: desconexao
assert server_log, "o servidor deveria ter encerrado o gerador"

# region: nativo
from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.testclient import TestClient
from pydantic import BaseModel


class Price(BaseModel):
    symbol: str
    value: float


app = FastAPI()


@app.get("/prices", response_class=EventSourceResponse)
async def prices():
    yield Price(symbol="ABC", value=10.5)  # objeto comum: vira `data: <json>`
    yield ServerSentEvent(data={"fim": True}, event="done", id="2")  # controle total


r = TestClient(app).get("/prices")
print(r.headers["content-type"], "|", r.headers["cache-control"], "|", r.headers["x-accel-buffering"])
print(r.text, end="")
# endregion: nativo
