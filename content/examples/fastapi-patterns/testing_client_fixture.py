"""Testando um app FastAPI com pytest: fixture com TestClient, lifespan e dependency_overrides.

O que observar:
- `fixture-overrides`: a fixture troca `get_db` por um fake ANTES de abrir o cliente, abre o
  `TestClient` com `with` (só assim o lifespan roda: startup no `__enter__`, shutdown no
  `__exit__`) e, no teardown (o que vem depois do `yield`), limpa os overrides.
- Sem o `clear()`, o override vazaria para os testes seguintes: `test_sem_fixture_usa_o_real`
  roda depois e prova que o `get_db` real voltou (ele levanta RuntimeError, que o TestClient
  repassa ao teste).
- Os eventos registrados mostram a ordem: startup, teste, shutdown.

Executado como script, roda o próprio arquivo com `pytest.main` e confere o resultado.
Nada é escrito fora de um diretório temporário (sem .pytest_cache, sem __pycache__).
"""
from __future__ import annotations

import sys
import tempfile
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pytest

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

from fastapi import Depends, FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

EVENTS: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    EVENTS.append("startup")
    yield
    EVENTS.append("shutdown")


app = FastAPI(lifespan=lifespan)


def get_db() -> str:
    raise RuntimeError("banco real indisponível nos testes")


@app.get("/orders")
def orders(db: Annotated[str, Depends(get_db)]) -> dict[str, str]:
    return {"db": db}


# region: fixture-overrides
@pytest.fixture
def client():
    app.dependency_overrides[get_db] = lambda: "fake"
    with TestClient(app) as c:  # o with roda o lifespan
        yield c
    app.dependency_overrides.clear()
# endregion: fixture-overrides


def test_usa_o_fake(client):
    EVENTS.append("teste")
    assert EVENTS[-2:] == ["startup", "teste"]  # o lifespan rodou antes do teste
    assert client.get("/orders").json() == {"db": "fake"}


def test_sem_fixture_usa_o_real():
    # roda depois do anterior: se a fixture não limpasse, o fake ainda estaria aqui
    assert app.dependency_overrides == {}
    with pytest.raises(RuntimeError, match="banco real"):
        TestClient(app).get("/orders")  # sem with: sem lifespan


def main() -> int:
    sys.dont_write_bytecode = True  # a reescrita de asserts do pytest não grava .pyc
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp, "pytest.ini")
        ini.write_text("[pytest]\n", encoding="utf-8")  # isola de configs do repositório
        code = pytest.main(
            [__file__, "-q", "-p", "no:cacheprovider", "-p", "no:asyncio",
             "-c", str(ini), "--rootdir", tmp,
             # o anyio (plugin do pytest) já foi importado pelo fastapi neste processo
             "-W", "ignore::pytest.PytestAssertRewriteWarning"],
        )
    # o pytest importou este arquivo como outro módulo; app e EVENTS dele estão lá
    tested = sys.modules[Path(__file__).stem]
    print("eventos:", tested.EVENTS)
    print("overrides no fim:", tested.app.dependency_overrides)
    assert code == 0, f"pytest saiu com {code}"
    assert tested.EVENTS == ["startup", "teste", "shutdown"]
    assert tested.app.dependency_overrides == {}
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
