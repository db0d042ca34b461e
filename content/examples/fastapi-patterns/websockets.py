"""WebSockets no FastAPI: eco com autenticação, broadcast e o limite do broadcast em memória.

O que observar:
- `eco`: o handshake só completa com `await ws.accept()`. Fechar ANTES do accept (ou levantar
  `WebSocketException`) recusa a conexão: o cliente recebe o código 1008 (policy violation).
  Depois do accept, o loop `receive_*`/`send_*` roda até o cliente sair, o que aparece no
  servidor como `WebSocketDisconnect` (código 1000 = fechamento normal).
- `broadcast`: um "hub" em memória guarda as conexões abertas e reenvia cada mensagem a todas.
  Ao desconectar é preciso remover a conexão do hub (senão o próximo send falha).
- `dois-workers`: com 2 processos (workers do uvicorn/gunicorn, réplicas no Kubernetes), cada
  um tem o SEU hub: a mensagem de um cliente no worker A não chega ao cliente no worker B. Aqui
  isso é simulado com duas instâncias do app. A correção é um pub/sub externo (Redis Pub/Sub,
  por exemplo): cada worker publica no canal e retransmite o que recebe às conexões locais.

Tudo é exercitado com `TestClient.websocket_connect`. Cada região é autocontida porque os
cards executam uma região sozinha.
"""

import warnings

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

# region: eco
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.testclient import TestClient

app = FastAPI()
server_log: list[str] = []


@app.websocket("/echo")
async def echo(ws: WebSocket, token: str = "") -> None:
    if token != "s3cr3t":
        await ws.close(code=status.WS_1008_POLICY_VIOLATION)  # recusa antes do accept
        return
    await ws.accept()
    try:
        while True:
            msg = await ws.receive_json()
            await ws.send_json({"echo": msg["text"].upper()})
    except WebSocketDisconnect as exc:
        server_log.append(f"servidor: cliente saiu (code={exc.code})")


client = TestClient(app)
try:
    with client.websocket_connect("/echo") as ws:
        pass
except WebSocketDisconnect as exc:
    print("sem token: recusado com code", exc.code)

with client.websocket_connect("/echo?token=s3cr3t") as ws:
    ws.send_json({"text": "oi"})
    print(ws.receive_json())
print(*server_log)
# endregion: eco
assert server_log == ["servidor: cliente saiu (code=1000)"]

# region: broadcast
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.testclient import TestClient


class Hub:
    """Conexões abertas NESTE processo."""

    def __init__(self) -> None:
        self.connections: list[WebSocket] = []

    async def connect(self, ws: WebSocket) -> None:
        await ws.accept()
        self.connections.append(ws)

    def disconnect(self, ws: WebSocket) -> None:
        self.connections.remove(ws)

    async def broadcast(self, text: str) -> None:
        for ws in list(self.connections):
            await ws.send_text(text)


hub = Hub()
app = FastAPI()


@app.websocket("/chat/{name}")
async def chat(ws: WebSocket, name: str) -> None:
    await hub.connect(ws)
    try:
        while True:
            await hub.broadcast(f"{name}: {await ws.receive_text()}")
    except WebSocketDisconnect:
        hub.disconnect(ws)  # sem isso o próximo broadcast tentaria enviar a um socket morto
        await hub.broadcast(f"{name} saiu")


# `with TestClient(...)`: um único event loop para todas as conexões, como num servidor real.
with TestClient(app) as client:
    with client.websocket_connect("/chat/ana") as ana:
        with client.websocket_connect("/chat/bia") as bia:
            ana.send_text("oi")
            print("ana recebeu:", ana.receive_text())
            print("bia recebeu:", bia.receive_text())
        print("ana recebeu:", ana.receive_text())
print("conexões no hub:", len(hub.connections))
# endregion: broadcast
assert hub.connections == []

# region: dois-workers
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.testclient import TestClient


def make_worker() -> tuple[FastAPI, list[WebSocket]]:
    """Cada worker (processo) tem sua própria lista de conexões em memória."""
    connections: list[WebSocket] = []
    app = FastAPI()

    @app.websocket("/chat")
    async def chat(ws: WebSocket) -> None:
        connections.append(ws)
        await ws.accept()
        try:
            while True:
                text = await ws.receive_text()
                for conn in list(connections):
                    await conn.send_text(text)
        except WebSocketDisconnect:
            connections.remove(ws)

    return app, connections


app_a, conns_a = make_worker()
app_b, conns_b = make_worker()
with TestClient(app_a).websocket_connect("/chat") as ana:  # caiu no worker A
    with TestClient(app_b).websocket_connect("/chat") as bia:  # caiu no worker B
        ana.send_text("alguém aí?")
        print("ana recebeu:", ana.receive_text())
        print("conexões: worker A =", len(conns_a), "| worker B =", len(conns_b))
        print("bia não recebe nada: o hub do worker B nunca viu a mensagem")
# endregion: dois-workers
