"""Injeção de dependências no FastAPI: grafo, cache por request, classes, segurança e overrides.

O que observar:
- `grafo-cache`: `get_db` é pedida três vezes no grafo (pelo repositório, pelo usuário atual e
  pelo endpoint), mas roda UMA vez por request: o FastAPI guarda o resultado num cache que vive
  só durante aquela request (chave: a função + scopes de segurança + scope). Uma nova request
  chama de novo. Com `Depends(get_db, use_cache=False)` a mesma request chama duas vezes.
- `classe`: qualquer "callable" serve como dependência. Uma classe vira dependência pelos
  parâmetros do `__init__` (aqui, query params de paginação); uma INSTÂNCIA com `__call__`
  permite dependências parametrizadas (`RequireRole("admin")`).
- `overrides`: `app.dependency_overrides[original] = substituta` troca a dependência em todo o
  grafo sem tocar no endpoint (é assim que se testa sem banco); limpe depois com `.clear()`.
- `seguranca`: `OAuth2PasswordBearer` lê o header `Authorization: Bearer ...` e responde 401
  com `WWW-Authenticate: Bearer` quando ele falta (401 desde o FastAPI 0.122; antes era 403 em
  algumas classes). `Security(..., scopes=[...])` acumula scopes que a dependência lê via
  `SecurityScopes`.
- `ordem`: dependências do app, do router e do decorator rodam antes das do parâmetro, todas em
  sequência (não em paralelo), e os valores delas não chegam ao endpoint.

Cada região é autocontida porque os cards executam uma região sozinha. Rode com
`.venv/bin/python content/examples/fastapi-patterns/dependency_injection.py`.
"""

import warnings

# O TestClient do Starlette 1.x prefere o pacote `httpx2` e avisa (em stderr) quando usa `httpx`.
warnings.filterwarnings("ignore", message="Using `httpx`")

# region: grafo-cache
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

opened: list[int] = []  # registra cada "conexão" aberta


def get_db() -> dict:
    opened.append(1)
    return {"conn": len(opened)}


def get_repo(db: Annotated[dict, Depends(get_db)]) -> str:
    return f"repo(conn={db['conn']})"


def get_user(db: Annotated[dict, Depends(get_db)]) -> str:
    return f"user(conn={db['conn']})"


app = FastAPI()


@app.get("/cached")
def cached(
    repo: Annotated[str, Depends(get_repo)],
    user: Annotated[str, Depends(get_user)],
    db: Annotated[dict, Depends(get_db)],
) -> list[str]:
    return [repo, user, f"endpoint(conn={db['conn']})"]


@app.get("/no-cache")
def no_cache(
    a: Annotated[dict, Depends(get_db)],
    b: Annotated[dict, Depends(get_db, use_cache=False)],
) -> list[int]:
    return [a["conn"], b["conn"]]


client = TestClient(app)
print(client.get("/cached").json(), "get_db chamada:", len(opened))
print(client.get("/cached").json(), "get_db chamada:", len(opened))
opened.clear()
print(client.get("/no-cache").json(), "get_db chamada:", len(opened))
# endregion: grafo-cache
assert len(opened) == 2

# region: classe
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient


class Pagination:
    """Os parâmetros do __init__ viram query params validados."""

    def __init__(self, limit: int = 10, offset: int = 0) -> None:
        self.limit = min(limit, 100)
        self.offset = offset


class RequireRole:
    """Instância chamável: a configuração vai no construtor, a request no __call__."""

    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self, x_role: Annotated[str, Header()] = "") -> str:
        if x_role != self.role:
            raise HTTPException(status_code=403, detail=f"precisa de {self.role}")
        return x_role


app = FastAPI()


@app.get("/items")
def items(page: Annotated[Pagination, Depends()]) -> dict:  # Depends() = Depends(Pagination)
    return {"limit": page.limit, "offset": page.offset}


@app.delete("/items/{item_id}", dependencies=[Depends(RequireRole("admin"))])
def delete_item(item_id: int) -> dict:
    return {"deleted": item_id}


client = TestClient(app)
print(client.get("/items", params={"limit": 500, "offset": 20}).json())
print(client.delete("/items/7").status_code, client.delete("/items/7").json())
print(client.delete("/items/7", headers={"X-Role": "admin"}).json())
# endregion: classe

# region: overrides
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient


def get_db() -> str:
    raise RuntimeError("sem banco de verdade neste teste")


def get_repo(db: Annotated[str, Depends(get_db)]) -> str:
    return f"repo usando {db}"


app = FastAPI()


@app.get("/users")
def users(repo: Annotated[str, Depends(get_repo)]) -> str:
    return repo


app.dependency_overrides[get_db] = lambda: "banco-fake"  # vale para o grafo inteiro
client = TestClient(app)
print(client.get("/users").json())
app.dependency_overrides.clear()
try:
    client.get("/users")
except RuntimeError as exc:  # TestClient repassa exceções do servidor (raise_server_exceptions)
    print("sem override:", exc)
# endregion: overrides

# region: seguranca
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from fastapi.testclient import TestClient

oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:write": "alterar itens"})
TOKENS = {"tok-leitor": ["items:read"], "tok-editor": ["items:read", "items:write"]}


def current_scopes(
    security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]
) -> list[str]:
    granted = TOKENS.get(token)
    if granted is None:
        raise HTTPException(401, "token inválido", headers={"WWW-Authenticate": "Bearer"})
    missing = [s for s in security_scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(403, f"faltam scopes: {missing}")
    return granted


app = FastAPI()


@app.put("/items/1")
def update(scopes: Annotated[list[str], Security(current_scopes, scopes=["items:write"])]):
    return {"ok": True}


client = TestClient(app)
r = client.put("/items/1")
print(r.status_code, r.json(), r.headers["www-authenticate"])
r = client.put("/items/1", headers={"Authorization": "Bearer tok-leitor"})
print(r.status_code, r.json())
r = client.put("/items/1", headers={"Authorization": "Bearer tok-editor"})
print(r.status_code, r.json())
# endregion: seguranca

# region: ordem
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

calls: list[str] = []


def app_dep() -> None:
    calls.append("app")


def router_dep() -> None:
    calls.append("router")


def decorator_dep() -> None:
    calls.append("decorator")


def param_dep() -> int:
    calls.append("param")
    return 42


app = FastAPI(dependencies=[Depends(app_dep)])
router = APIRouter(prefix="/admin", dependencies=[Depends(router_dep)])


@router.get("/stats", dependencies=[Depends(decorator_dep)])
def stats(value: Annotated[int, Depends(param_dep)]) -> int:
    calls.append("endpoint")
    return value


app.include_router(router)
print(TestClient(app).get("/admin/stats").json(), calls)
# endregion: ordem
assert calls == ["app", "router", "decorator", "param", "endpoint"]
