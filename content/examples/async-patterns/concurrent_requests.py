"""Requisições HTTP concorrentes com httpx.AsyncClient e limite por Semaphore.

O script sobe um servidor HTTP mínimo (asyncio streams) em 127.0.0.1, porta efêmera,
que responde cada requisição depois de LATENCY segundos e conta quantas requisições
estão "em voo" ao mesmo tempo. Depois compara:

1. sequencial: N requisições, uma após a outra  -> tempo ≈ N × LATENCY
2. concorrente (gather, sem limite)             -> tempo ≈ 1 × LATENCY
3. concorrente com asyncio.Semaphore(LIMIT)     -> tempo ≈ ceil(N / LIMIT) × LATENCY,
   e o servidor nunca vê mais de LIMIT requisições simultâneas.

O que observar: enquanto uma requisição espera a resposta, o event loop atende as
outras; o Semaphore é a forma idiomática de limitar a concorrência (proteger o servidor
de destino, respeitar rate limits, não estourar o pool de conexões). Os tempos variam
de máquina para máquina, então o script verifica proporções com folga (asserts) em vez
de imprimir números exatos. Não acessa a internet.
"""

import asyncio
import math
import time

import httpx

N = 10
LATENCY = 0.2
LIMIT = 3


class SlowServer:
    """Servidor HTTP/1.1 de brinquedo: cada resposta demora LATENCY segundos."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.max_in_flight = 0
        self.server: asyncio.Server | None = None
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")  # só GET: cabeçalhos e nenhum corpo
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(LATENCY)  # simula I/O lento (banco, outra API...)
        finally:
            self.in_flight -= 1
        body = b'{"ok": true}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            b"Connection: close\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def __aenter__(self) -> "SlowServer":
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)  # porta efêmera
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


# region: sequential
async def fetch_sequential(client: httpx.AsyncClient, url: str, n: int) -> list[int]:
    statuses = []
    for _ in range(n):
        response = await client.get(url)  # espera cada resposta antes da próxima
        statuses.append(response.status_code)
    return statuses
# endregion: sequential


# region: concurrent
async def fetch_concurrent(client: httpx.AsyncClient, url: str, n: int) -> list[int]:
    responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    return [r.status_code for r in responses]
# endregion: concurrent


# region: semaphore
async def fetch_limited(client: httpx.AsyncClient, url: str, n: int, limit: int) -> list[int]:
    semaphore = asyncio.Semaphore(limit)

    async def fetch_one() -> int:
        async with semaphore:  # no máximo `limit` requisições em voo
            response = await client.get(url)
            return response.status_code

    return await asyncio.gather(*(fetch_one() for _ in range(n)))
# endregion: semaphore


async def timed(coro):
    start = time.perf_counter()
    result = await coro
    return result, time.perf_counter() - start


async def main() -> None:
    async with SlowServer() as server:
        url = f"http://127.0.0.1:{server.port}/item"
        # trust_env=False: ignora proxies do ambiente; é tudo local.
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            await client.get(url)  # aquecimento
            server.max_in_flight = 0

            statuses, t_seq = await timed(fetch_sequential(client, url, N))
            assert statuses == [200] * N
            seq_peak, server.max_in_flight = server.max_in_flight, 0

            statuses, t_conc = await timed(fetch_concurrent(client, url, N))
            assert statuses == [200] * N
            conc_peak, server.max_in_flight = server.max_in_flight, 0

            statuses, t_lim = await timed(fetch_limited(client, url, N, LIMIT))
            assert statuses == [200] * N
            lim_peak = server.max_in_flight

    waves = math.ceil(N / LIMIT)
    print(f"{N} requisições, latência simulada de {LATENCY}s cada")
    print(f"sequencial:          pico de {seq_peak} em voo; tempo ≈ {N} × latência")
    print(f"gather sem limite:   pico de {conc_peak} em voo; tempo ≈ 1 × latência")
    print(f"Semaphore({LIMIT}):        pico de {lim_peak} em voo; tempo ≈ {waves} × latência")

    # Proporções com folga: robustas numa máquina lenta ou ocupada.
    assert seq_peak == 1
    assert conc_peak == N
    assert lim_peak == LIMIT
    assert t_seq >= N * LATENCY * 0.95, t_seq
    assert t_conc < 3 * LATENCY, t_conc  # ≈ uma latência, não N
    assert t_seq / t_conc > 3, (t_seq, t_conc)
    assert waves * LATENCY * 0.95 <= t_lim < (waves + 2) * LATENCY, t_lim
    print("OK: concorrência reduz o tempo total; o Semaphore limita o pico")


if __name__ == "__main__":
    asyncio.run(main())
