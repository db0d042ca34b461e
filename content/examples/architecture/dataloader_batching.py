"""DataLoader em asyncio: de N+1 consultas para 2, agrupando loads do mesmo "tick" do event loop.

O que observar:
- Resolver GraphQL ingênuo: 1 consulta para a lista de posts + 1 consulta de autor POR post
  (o problema N+1). Com 6 posts são 7 consultas.
- DataLoader: `load(key)` não consulta nada na hora; devolve um Future e agenda o despacho com
  `loop.call_soon`. Todas as chamadas a `load` feitas antes de o event loop voltar a rodar
  (por exemplo, os resolvers disparados por um `asyncio.gather`) caem no MESMO lote, e a função
  de lote recebe a lista de chaves únicas de uma vez: 1 consulta para os posts + 1 para os autores.
- O loader também deduplica e memoriza por requisição: autores repetidos não geram chaves
  repetidas, e um segundo `load` da mesma chave reaproveita o Future. Crie um loader POR
  requisição (cache compartilhado entre usuários vazaria dados e ficaria velho).
- A função de lote deve devolver os valores NA MESMA ORDEM das chaves recebidas.

Rode: python content/examples/architecture/dataloader_batching.py
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence

AUTHORS = {1: "Ana", 2: "Bruno", 3: "Carla"}
POSTS = [
    {"id": 10, "title": "GIL", "author_id": 1},
    {"id": 11, "title": "asyncio", "author_id": 2},
    {"id": 12, "title": "Redis", "author_id": 1},
    {"id": 13, "title": "GraphQL", "author_id": 3},
    {"id": 14, "title": "CAP", "author_id": 2},
    {"id": 15, "title": "Sagas", "author_id": 1},
]


class FakeDB:
    def __init__(self) -> None:
        self.queries: list[str] = []

    async def fetch_posts(self) -> list[dict]:
        self.queries.append("SELECT * FROM posts")
        await asyncio.sleep(0)
        return POSTS

    async def fetch_author(self, author_id: int) -> str:
        self.queries.append(f"SELECT * FROM authors WHERE id = {author_id}")
        await asyncio.sleep(0)
        return AUTHORS[author_id]

    async def fetch_authors(self, ids: Sequence[int]) -> list[str]:
        self.queries.append(f"SELECT * FROM authors WHERE id IN {tuple(ids)}")
        await asyncio.sleep(0)
        return [AUTHORS[i] for i in ids]  # mesma ordem das chaves


# region: dataloader
class DataLoader:
    def __init__(self, batch_fn: Callable[[list], Awaitable[list]]) -> None:
        self.batch_fn = batch_fn
        self.cache: dict[Hashable, asyncio.Future] = {}  # memoização por requisição
        self.queue: list[Hashable] = []
        self.tasks: set[asyncio.Task] = set()  # referência forte às tasks de despacho

    def load(self, key: Hashable) -> asyncio.Future:
        if key in self.cache:
            return self.cache[key]
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self.cache[key] = fut
        self.queue.append(key)
        if len(self.queue) == 1:  # primeira chave do lote: despacha no próximo tick
            loop.call_soon(self._start_dispatch)
        return fut

    def _start_dispatch(self) -> None:
        task = asyncio.ensure_future(self._dispatch())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _dispatch(self) -> None:
        keys, self.queue = self.queue, []
        try:
            values = await self.batch_fn(keys)  # UMA chamada para o lote inteiro
        except Exception as exc:
            for k in keys:
                self.cache[k].set_exception(exc)
            return
        for k, v in zip(keys, values, strict=True):
            self.cache[k].set_result(v)
# endregion: dataloader


# region: resolvers
async def resolve_naive(db: FakeDB) -> list[tuple[str, str]]:
    posts = await db.fetch_posts()

    async def author(post: dict) -> str:  # resolver do campo Post.author
        return await db.fetch_author(post["author_id"])

    names = await asyncio.gather(*(author(p) for p in posts))
    return [(p["title"], n) for p, n in zip(posts, names, strict=True)]


async def resolve_batched(db: FakeDB) -> list[tuple[str, str]]:
    loader = DataLoader(db.fetch_authors)  # um loader por requisição
    posts = await db.fetch_posts()

    async def author(post: dict) -> str:
        return await loader.load(post["author_id"])

    names = await asyncio.gather(*(author(p) for p in posts))
    return [(p["title"], n) for p, n in zip(posts, names, strict=True)]
# endregion: resolvers


async def main() -> None:
    naive_db, batched_db = FakeDB(), FakeDB()
    naive = await resolve_naive(naive_db)
    batched = await resolve_batched(batched_db)
    assert naive == batched

    print(f"posts: {len(POSTS)}")
    print(f"ingênuo (N+1): {len(naive_db.queries)} consultas")
    print(f"com DataLoader: {len(batched_db.queries)} consultas")
    for q in batched_db.queries:
        print("  ", q)
    assert len(naive_db.queries) == 1 + len(POSTS)
    assert len(batched_db.queries) == 2
    assert batched_db.queries[1] == "SELECT * FROM authors WHERE id IN (1, 2, 3)"


if __name__ == "__main__":
    asyncio.run(main())
