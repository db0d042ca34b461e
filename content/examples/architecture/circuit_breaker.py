"""Circuit breaker: máquina de estados closed -> open -> half-open -> closed, com relógio injetável.

O que observar:
- CLOSED: as chamadas passam; falhas consecutivas são contadas. Ao atingir `failure_threshold`,
  o circuito ABRE.
- OPEN: nenhuma chamada chega à dependência; falha rápido com `CircuitOpenError` (o cliente
  não espera timeout nem empilha threads/conexões numa dependência que já está caindo).
- Depois de `reset_timeout` segundos, a próxima chamada vira uma chamada de teste: HALF_OPEN.
  Se ela tiver sucesso, FECHA (zera o contador); se falhar, volta a ABRIR e o tempo recomeça.
- O relógio é um parâmetro (`clock`), então o teste avança o tempo sem `sleep` e a saída é
  determinística. Bibliotecas reais (por exemplo pybreaker) seguem a mesma ideia.

Rode: python content/examples/architecture/circuit_breaker.py
"""

from collections.abc import Callable
from enum import Enum


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitOpenError(Exception):
    pass


# region: breaker
class CircuitBreaker:
    def __init__(self, failure_threshold: int, reset_timeout: float,
                 clock: Callable[[], float]) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.state = State.CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self.transitions: list[str] = []

    def _move(self, new: State) -> None:
        self.transitions.append(f"{self.state.value} -> {new.value}")
        self.state = new

    def call(self, fn: Callable[[], object]) -> object:
        if self.state is State.OPEN:
            if self.clock() - self.opened_at < self.reset_timeout:
                raise CircuitOpenError("circuito aberto: falha rápida")
            self._move(State.HALF_OPEN)  # deixa UMA chamada de teste passar
        try:
            result = fn()
        except Exception:
            self._on_failure()
            raise
        self._on_success()
        return result

    def _on_failure(self) -> None:
        self.failures += 1
        if self.state is State.HALF_OPEN or self.failures >= self.failure_threshold:
            self._move(State.OPEN)
            self.opened_at = self.clock()

    def _on_success(self) -> None:
        self.failures = 0
        if self.state is State.HALF_OPEN:
            self._move(State.CLOSED)
# endregion: breaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Dependency:
    """Serviço remoto simulado: conta quantas chamadas realmente chegaram até ele."""

    def __init__(self) -> None:
        self.healthy = False
        self.hits = 0

    def __call__(self) -> str:
        self.hits += 1
        if not self.healthy:
            raise ConnectionError("timeout")
        return "ok"


def attempt(cb: CircuitBreaker, dep: Dependency, label: str) -> None:
    try:
        result = cb.call(dep)
    except CircuitOpenError:
        result = "rejeitada (CircuitOpenError)"
    except ConnectionError as exc:
        result = f"falhou ({exc})"
    print(f"{label:<10} {result:<30} estado={cb.state.value}")


def main() -> None:
    clock = FakeClock()
    dep = Dependency()
    cb = CircuitBreaker(failure_threshold=3, reset_timeout=10, clock=clock)

    for i in range(1, 4):  # 3 falhas seguidas abrem o circuito
        attempt(cb, dep, f"t=0 #{i}")
    attempt(cb, dep, "t=0 #4")  # não chega na dependência
    assert cb.state is State.OPEN and dep.hits == 3

    clock.advance(10)  # passou o reset_timeout: chamada de teste; dependência ainda ruim
    attempt(cb, dep, "t=10")
    assert cb.state is State.OPEN and dep.hits == 4

    clock.advance(5)  # só 5 s desde a reabertura: continua rejeitando
    attempt(cb, dep, "t=15")
    assert dep.hits == 4

    dep.healthy = True
    clock.advance(5)  # t=20: 10 s desde a reabertura -> half-open -> sucesso -> closed
    attempt(cb, dep, "t=20")
    assert cb.state is State.CLOSED and cb.failures == 0

    print("transições:", ", ".join(cb.transitions))
    print("chamadas que chegaram à dependência:", dep.hits, "de 7")
    assert cb.transitions == [
        "closed -> open", "open -> half-open", "half-open -> open",
        "open -> half-open", "half-open -> closed",
    ]


if __name__ == "__main__":
    main()
