"""Fixtures, parametrize, monkeypatch e mock.patch no pytest, num único arquivo.

O que mostra:
- código "de produção" (repositório SQLite, normalização de e-mail, conversão de moeda que
  depende de uma chamada HTTP) e, logo abaixo, os testes pytest desse código;
- fixtures com escopos diferentes (`module` e `function`) e teardown com `yield`: o log
  EVENTS impresso no fim mostra a ordem setup/teardown (o banco sobe uma vez, o repositório
  sobe e desce a cada teste, com rollback para isolar os testes);
- `@pytest.mark.parametrize` com `pytest.param(..., id=...)` (veja os ids no modo -v) e
  `pytest.param(..., marks=pytest.mark.xfail)` para marcar um único caso (o resumo no fim
  confere o id `test_normalize[trim-e-lower]` e o caso que falha como esperado, xfailed);
- `monkeypatch.setenv/delenv/setattr` (desfeitos automaticamente no fim de cada teste);
- `unittest.mock.patch` no lugar onde o nome é *procurado* (este módulo), com `autospec=True`
  e `side_effect` para simular timeout;
- `tmp_path` e `pytest.raises(..., match=...)`.

Executado como script, roda o próprio arquivo com `pytest.main` e sai com o código do pytest.
Nada é escrito fora de um diretório temporário (sem .pytest_cache, sem __pycache__).
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest

# ---------------------------------------------------------------------------
# Código sob teste
# ---------------------------------------------------------------------------


class UserRepo:
    """Repositório mínimo sobre uma conexão DB-API (SQLite aqui)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, email: str) -> int:
        cur = self.conn.execute("INSERT INTO users (email) VALUES (?)", (email,))
        return cur.lastrowid

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM users").fetchone()[0]


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if email.count("@") != 1 or email.startswith("@") or email.endswith("@"):
        raise ValueError(f"e-mail inválido: {raw!r}")
    return email


def load_timeout() -> float:
    """Lê o timeout de uma variável de ambiente, com default."""
    return float(os.environ.get("APP_TIMEOUT", "5"))


class RateUnavailable(Exception):
    pass


def fetch_rate(currency: str) -> float:
    """Fronteira do sistema: na vida real faria uma chamada HTTP."""
    raise RuntimeError("rede desabilitada na demo: este teste esqueceu de mockar fetch_rate")


def convert(amount_brl: float, currency: str) -> float:
    try:
        rate = fetch_rate(currency)  # nome procurado no namespace DESTE módulo
    except TimeoutError as exc:
        raise RateUnavailable(currency) from exc
    return round(amount_brl / rate, 2)


def save_report(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Testes
# ---------------------------------------------------------------------------

EVENTS: list[str] = []  # registra setup/teardown das fixtures

# region: yield-fixtures
@pytest.fixture(scope="module")
def db():
    EVENTS.append("db:setup")            # roda 1x por módulo
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)")
    yield conn                           # o teste roda aqui
    conn.close()                         # teardown: depois do último teste do módulo
    EVENTS.append("db:teardown")


@pytest.fixture                          # escopo padrão: function
def repo(db):                            # fixtures dependem de fixtures pelo nome
    EVENTS.append("repo:setup")
    yield UserRepo(db)
    db.rollback()                        # cada teste vê a tabela limpa
    EVENTS.append("repo:teardown")
# endregion: yield-fixtures


def test_add_user(repo):
    repo.add("ana@example.com")
    assert repo.count() == 1


def test_table_is_clean_again(repo):
    # o INSERT do teste anterior foi desfeito pelo rollback do teardown
    assert repo.count() == 0


def test_duplicate_email(repo):
    repo.add("bob@example.com")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        repo.add("bob@example.com")


# region: parametrize-ids
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  Ana@Example.COM ", "ana@example.com", id="trim-e-lower"),
        pytest.param("bob@x.io", "bob@x.io", id="ja-normalizado"),
    ],
)
def test_normalize_ok(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "semarroba", "a@b@c", "@x.io"],
                         ids=["vazio", "sem-arroba", "duas-arrobas", "comeca-com-arroba"])
def test_normalize_invalid(raw):
    with pytest.raises(ValueError, match="inválido"):
        normalize_email(raw)
# endregion: parametrize-ids


# region: parametrize-marks
@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("  Ana@X.IO ", "ana@x.io", id="trim-e-lower"),
    pytest.param("", None, marks=pytest.mark.xfail),
])
def test_normalize(raw, expected):
    assert normalize_email(raw) == expected
# endregion: parametrize-marks


# region: monkeypatch
def test_timeout_from_env(monkeypatch):
    monkeypatch.setenv("APP_TIMEOUT", "2.5")
    assert load_timeout() == 2.5


def test_timeout_default(monkeypatch):
    monkeypatch.delenv("APP_TIMEOUT", raising=False)  # não falha se não existir
    assert load_timeout() == 5.0
# endregion: monkeypatch


def test_monkeypatch_setattr(monkeypatch):
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "fetch_rate", lambda currency: 4.0)
    assert convert(10, "USD") == 2.5


# region: patch-where-used
def test_convert_uses_rate():
    # patch no módulo onde convert() PROCURA o nome fetch_rate
    with mock.patch(f"{__name__}.fetch_rate", autospec=True, return_value=5.0) as fake:
        assert convert(100, "USD") == 20.0
    fake.assert_called_once_with("USD")


def test_convert_timeout():
    with mock.patch(f"{__name__}.fetch_rate", autospec=True, side_effect=TimeoutError):
        with pytest.raises(RateUnavailable):
            convert(100, "USD")


def test_autospec_catches_wrong_signature():
    with mock.patch(f"{__name__}.fetch_rate", autospec=True) as fake:
        with pytest.raises(TypeError):
            fake("USD", "EUR")  # fetch_rate recebe 1 argumento
# endregion: patch-where-used


def test_save_report(tmp_path):
    path = save_report(tmp_path / "report.json", {"b": 2, "a": 1})
    assert path.read_text(encoding="utf-8") == '{"a": 1, "b": 2}'
    assert path.parent == tmp_path  # diretório único por teste


# ---------------------------------------------------------------------------
# Execução como script
# ---------------------------------------------------------------------------


class _OutcomeCounter:
    """Plugin mínimo: conta resultados (e guarda os ids) para o resumo impresso no fim."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.ids: dict[str, list[str]] = {}  # resultado -> nomes dos testes

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.outcome != "passed":
            outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            self.outcomes[outcome] += 1
            self.ids.setdefault(outcome, []).append(report.nodeid.split("::")[-1])


def main() -> int:
    sys.dont_write_bytecode = True  # a reescrita de asserts do pytest não grava .pyc
    counter = _OutcomeCounter()
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp, "pytest.ini")
        ini.write_text("[pytest]\n", encoding="utf-8")  # isola de configs do repositório
        code = pytest.main(
            [__file__, "-q", "-p", "no:cacheprovider", "-p", "no:asyncio",
             "-c", str(ini), "--rootdir", tmp, "--basetemp", str(Path(tmp, "basetemp"))],
            plugins=[counter],
        )
    # o pytest importou este arquivo como outro módulo; o log de fixtures está lá
    tested = sys.modules.get(Path(__file__).stem)
    events = tested.EVENTS if tested is not None else []
    print("\n--- resumo ---")
    print("resultados:", dict(sorted(counter.outcomes.items())))
    print("ordem das fixtures:", " ".join(events[:5]), "...", events[-1] if events else "")
    if code == 0:
        # module-scoped: um setup e um teardown; function-scoped: um por teste que pede repo
        assert events.count("db:setup") == 1 and events[-1] == "db:teardown"
        assert events.count("repo:setup") == events.count("repo:teardown") == 3
        assert counter.outcomes["passed"] >= 15
        # pytest.param(..., id=...) dá nome ao caso; marks= marca só aquele caso
        assert "test_normalize[trim-e-lower]" in counter.ids["passed"]
        xfailed = counter.ids.get("xfailed", [])
        print("xfailed:", xfailed)
        assert len(xfailed) == 1 and xfailed[0].startswith("test_normalize[")
    print("código de saída do pytest:", int(code))
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
