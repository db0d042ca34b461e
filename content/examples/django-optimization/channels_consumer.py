"""Django Channels: AsyncJsonWebsocketConsumer + grupos, testado com WebsocketCommunicator.

O que este exemplo mostra:

* Um consumer assíncrono JSON (``AsyncJsonWebsocketConsumer``) roteado por ``URLRouter`` com
  parâmetro na URL (``ws/chat/<room>/``), que entra num *grupo* do channel layer no ``connect``
  e sai dele no ``disconnect``.
* Broadcast: ``group_send`` entrega um evento com ``"type": "chat.message"`` a TODOS os consumers
  do grupo; o Channels chama o método ``chat_message`` (ponto vira underscore) em cada um.
* Recusa de conexão antes do ``accept`` (aqui, sem token na query string) → o cliente recebe o
  código de fechamento.
* Teste sem servidor: ``channels.testing.WebsocketCommunicator`` fala ASGI direto com a
  aplicação, e o ``InMemoryChannelLayer`` (só para testes/1 processo) faz o papel do Redis.

Olhe a ordem das mensagens impressas: os dois clientes recebem a mesma mensagem do grupo.
"""
import asyncio

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="exemplo-nao-use-em-producao",
    INSTALLED_APPS=["channels"],
    CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
)
django.setup()

from urllib.parse import parse_qs  # noqa: E402

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.urls import path  # noqa: E402


# region: consumer
class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        qs = parse_qs(self.scope["query_string"].decode())
        self.user = qs.get("user", [None])[0]
        if self.user is None:             # "autenticação" de brinquedo: recusa antes do accept
            await self.close(code=4401)
            return
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "welcome", "room": self.room, "user": self.user})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content):
        # Não responde direto: publica no grupo para todos (inclusive quem enviou).
        await self.channel_layer.group_send(
            self.group,
            {"type": "chat.message", "user": self.user, "text": content["text"]},
        )

    async def chat_message(self, event):  # handler de "chat.message"
        await self.send_json({"type": "message", "user": event["user"], "text": event["text"]})


application = URLRouter([path("ws/chat/<str:room>/", ChatConsumer.as_asgi())])
# endregion: consumer


async def main() -> None:
    # region: test
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/?user=alice")
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/?user=bob")
    for name, comm in (("alice", alice), ("bob", bob)):
        connected, _ = await comm.connect()
        assert connected
        print(f"{name} <-", await comm.receive_json_from(timeout=1))

    await alice.send_json_to({"text": "oi, pessoal"})
    print("alice ->", {"text": "oi, pessoal"})
    got_alice = await alice.receive_json_from(timeout=1)
    got_bob = await bob.receive_json_from(timeout=1)
    print("alice <-", got_alice)
    print("bob   <-", got_bob)
    assert got_alice == got_bob  # broadcast: mesma mensagem para todo o grupo

    # Quem está em outra sala não recebe nada.
    other = WebsocketCommunicator(application, "/ws/chat/outra/?user=carol")
    await other.connect()
    await other.receive_json_from(timeout=1)           # welcome
    print("carol (outra sala) sem mensagens:", await other.receive_nothing(timeout=0.1))

    # Sem usuário: a conexão é recusada com o código escolhido.
    anon = WebsocketCommunicator(application, "/ws/chat/lobby/")
    connected, code = await anon.connect()
    print("anônimo conectou?", connected, "| código:", code)
    assert not connected and code == 4401

    for comm in (alice, bob, other):
        await comm.disconnect()
    # endregion: test

    # region: from-outside
    # Código síncrono/assíncrono fora do consumer (uma view, uma task Celery) também pode
    # publicar no grupo pelo channel layer. Numa view síncrona: async_to_sync(layer.group_send)
    layer = get_channel_layer()
    watcher = WebsocketCommunicator(application, "/ws/chat/lobby/?user=dave")
    await watcher.connect()
    await watcher.receive_json_from(timeout=1)
    await layer.group_send("chat_lobby", {"type": "chat.message", "user": "sistema",
                                          "text": "deploy às 18h"})
    print("dave  <-", await watcher.receive_json_from(timeout=1))
    await watcher.disconnect()
    # endregion: from-outside


if __name__ == "__main__":
    asyncio.run(main())
