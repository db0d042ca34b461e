"""Geração de ids para um encurtador de URLs: base62, contador embaralhado, Snowflake e aleatório.

O que observar:
- **Base62** (0-9, a-z, A-Z): 7 caracteres cobrem 62**7 ≈ 3,5 trilhões de códigos; 6 cobrem
  ≈ 56,8 bilhões. `encode`/`decode` são inversos.
- **Contador + embaralhamento**: um contador (sequência do banco, `INCR` do Redis, faixas
  reservadas por instância) nunca colide, mas gera códigos sequenciais, fáceis de enumerar.
  Multiplicar por uma constante A coprima de 62**7, módulo 62**7, é uma **bijeção**: continua sem
  colisão e os códigos vizinhos deixam de parecer vizinhos. É ofuscação, não segurança: quem
  souber dois pares (n, código) recupera A.
- **Snowflake** (64 bits = 41 de timestamp em ms + 10 de máquina + 12 de sequência): ids
  ordenáveis por tempo sem coordenação entre máquinas, mas com 11 caracteres em base62, longos
  demais para um encurtador. O relógio é injetado: o exemplo mostra a virada de milissegundo
  quando a sequência de 4096 se esgota e a recusa quando o relógio anda para trás.
- **Aleatório + unicidade no banco**: 7 caracteres de `secrets`, `INSERT ... ON CONFLICT DO
  NOTHING` e nova tentativa se colidir. Com um espaço pequeno de propósito, as colisões aparecem
  e são resolvidas; com 62**7 e 6 bilhões de linhas, a chance de colisão por tentativa é ~0,17%.

Rode: python content/examples/architecture/short_ids.py  (só stdlib; SQLite em memória)
"""

from __future__ import annotations

import secrets
import sqlite3
import string
from collections.abc import Callable

# region: base62
ALPHABET = string.digits + string.ascii_lowercase + string.ascii_uppercase  # 62 símbolos


def encode(n: int) -> str:
    if n == 0:
        return ALPHABET[0]
    digits = []
    while n:
        n, rest = divmod(n, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def decode(code: str) -> int:
    n = 0
    for ch in code:
        n = n * 62 + ALPHABET.index(ch)
    return n
# endregion: base62


# region: scramble
SPACE = 62**7                  # todos os códigos de 7 caracteres
A = 2_176_477_521_739          # ≈ 0,618 × 62**7; ímpar e não múltiplo de 31 (62**7 = 2**7 * 31**7)
A_INV = pow(A, -1, SPACE)      # inverso modular (Python 3.8+)


def short_code(counter: int) -> str:
    return encode(counter * A % SPACE).rjust(7, "0")   # bijeção em [0, 62**7)


def counter_of(code: str) -> int:
    return decode(code) * A_INV % SPACE
# endregion: scramble


# region: snowflake
class Snowflake:
    """41 bits de ms desde `epoch_ms` | 10 bits de máquina | 12 bits de sequência."""

    def __init__(self, machine_id: int, clock_ms: Callable[[], int], epoch_ms: int) -> None:
        assert 0 <= machine_id < 1024
        self.machine_id, self.clock_ms, self.epoch_ms = machine_id, clock_ms, epoch_ms
        self.last_ms, self.seq = -1, 0

    def next_id(self) -> int:
        now = self.clock_ms()
        if now < self.last_ms:
            raise RuntimeError("relógio andou para trás: recuso gerar id repetido")
        if now == self.last_ms:
            self.seq = (self.seq + 1) & 0xFFF          # 4096 ids por ms por máquina
            if self.seq == 0:                           # esgotou: espera o próximo ms
                while (now := self.clock_ms()) <= self.last_ms:
                    pass
        else:
            self.seq = 0
        self.last_ms = now
        return ((now - self.epoch_ms) << 22) | (self.machine_id << 12) | self.seq
# endregion: snowflake


# region: random-codes
def create_random(db: sqlite3.Connection, url: str, length: int, alphabet: str = ALPHABET,
                  max_attempts: int = 10) -> tuple[str, int]:
    """Sorteia um código e deixa a PRIMARY KEY decidir; colisão = tenta de novo."""
    for attempt in range(1, max_attempts + 1):
        code = "".join(secrets.choice(alphabet) for _ in range(length))
        cur = db.execute(
            "INSERT INTO urls (code, url) VALUES (?, ?) ON CONFLICT (code) DO NOTHING", (code, url)
        )
        if cur.rowcount == 1:
            return code, attempt
    raise RuntimeError("espaço de códigos saturado: aumente o tamanho")
# endregion: random-codes


def main() -> None:
    # base62
    print("62**6 =", f"{62**6:,}", "| 62**7 =", f"{62**7:,}")
    for n in (0, 61, 62, 125_000_000_000):
        assert decode(encode(n)) == n
    print("125 bilhões em base62:", encode(125_000_000_000))

    # contador embaralhado: vizinhos deixam de parecer vizinhos, sem colisão e reversível
    codes = [short_code(n) for n in range(1, 6)]
    print("contadores 1..5 ->", codes)
    assert [counter_of(c) for c in codes] == [1, 2, 3, 4, 5]
    assert all(len(c) == 7 for c in codes)
    sample = range(0, SPACE, SPACE // 100_003)  # amostra espalhada do espaço inteiro
    assert len({short_code(n) for n in sample}) == len(sample)  # injetiva na amostra

    # snowflake com relógio falso
    ticks = iter([1000] * 4097 + [1001, 999])
    gen = Snowflake(machine_id=7, clock_ms=lambda: next(ticks), epoch_ms=0)
    ids = [gen.next_id() for _ in range(4097)]
    assert ids == sorted(ids) and len(set(ids)) == 4097
    assert ids[4095] >> 22 == 1000 and ids[4096] >> 22 == 1001  # 4097º id foi para o ms seguinte
    twitter_epoch, oct_2025 = 1_288_834_974_657, 1_760_000_000_000  # ms desde 1970
    today_id = (oct_2025 - twitter_epoch) << 22 | 7 << 12
    print(f"snowflake: 4096 ids no ms 1000, o seguinte no ms {ids[4096] >> 22};",
          f"máquina {(ids[0] >> 12) & 0x3FF}; um id de 2025 tem {len(encode(today_id))}",
          "caracteres em base62")
    assert len(encode(today_id)) == 11
    try:
        gen.next_id()  # relógio voltou para 999
        raise AssertionError("deveria recusar relógio para trás")
    except RuntimeError as err:
        print("snowflake:", err)
    assert round(2**41 / (1000 * 60 * 60 * 24 * 365.25), 1) == 69.7  # anos até estourar

    # aleatório + PRIMARY KEY: num espaço minúsculo (2 letras de "ab" = 4 códigos) colide logo
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE urls (code TEXT PRIMARY KEY, url TEXT NOT NULL)")
    made = [create_random(db, f"https://example.com/{i}", length=2, alphabet="ab", max_attempts=500)
            for i in range(4)]
    assert sorted(code for code, _ in made) == ["aa", "ab", "ba", "bb"]
    # (quantas tentativas cada um levou varia a cada execução; o resultado final, não)
    try:
        create_random(db, "https://example.com/5", length=2, alphabet="ab", max_attempts=20)
        raise AssertionError("espaço cheio deveria falhar")
    except RuntimeError as err:
        print("aleatório:", err)
    code, _ = create_random(db, "https://example.com/real", length=7)
    assert len(code) == 7
    print(f"colisão por tentativa com 6 bilhões de códigos em 62**7: {6e9 / 62**7:.2%}")
    print("ok")


if __name__ == "__main__":
    main()
