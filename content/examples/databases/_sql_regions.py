"""Lê um arquivo .sql de exemplo com regiões ``-- region: nome`` e executa os seus comandos.

Módulo auxiliar (o ``_`` no nome: não é um exemplo por si) dos scripts que rodam um .sql num
PostgreSQL real: ``index_kinds.py``, ``partition_maintenance.py``, ``extended_statistics.py``. Os cards
mostram o .sql; o script confere o que o card promete. Cada script o importa da própria pasta
(``python content/examples/databases/<nome>.py`` põe essa pasta no ``sys.path``).
"""
from __future__ import annotations

import re
from pathlib import Path

import psycopg

START = re.compile(r"^\s*--\s*region:?\s+([A-Za-z0-9_.-]+)\s*$")
END = re.compile(r"^\s*--\s*endregion:?\s*([A-Za-z0-9_.-]*)\s*$")


def read_sql(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Divide o .sql em comandos: (preparo antes da primeira região, {região: comandos}).

    Um comando termina na linha que acaba em ``;`` (fora um comentário ``--`` no fim dela); o
    arquivo não tem ``;`` nem ``--`` dentro de strings, e nada roda fora de região depois da
    primeira região.
    """
    setup: list[str] = []
    regions: dict[str, list[str]] = {}
    current: list[str] | None = setup
    pending: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if (start := START.match(line)) or END.match(line):
            if pending:
                raise ValueError(f"{path.name}:{number}: comando sem ';' antes do marcador de região")
            current = regions.setdefault(start.group(1), []) if start else None
            continue
        code = line.split("--", 1)[0].rstrip()
        if not code:
            continue  # linha vazia ou só comentário
        if current is None:
            raise ValueError(f"{path.name}:{number}: comando fora de região depois da primeira região")
        pending.append(line)
        if code.endswith(";"):
            current.append("\n".join(pending))
            pending = []
    if pending:
        raise ValueError(f"{path.name}: o último comando não termina em ';'")
    return setup, regions


def run(conn: psycopg.Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.execute(statement)  # autocommit: cada comando é a sua própria transação
