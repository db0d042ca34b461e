"""Repository + Unit of Work (ports and adapters) com SQLAlchemy 2 e um fake em memória.

O que observar:
- O **domínio** (`Account`, as exceções e os eventos) não importa nada de SQLAlchemy: é Python
  puro. O mapeamento é *imperativo* (`registry.map_imperatively`) e fica no adaptador, então a
  dependência aponta de fora para dentro (o adaptador conhece o domínio, nunca o contrário).
- Os **ports** são `typing.Protocol`: o adaptador SQLAlchemy e o fake em memória não herdam de
  nada, só têm os mesmos métodos (tipagem estrutural).
- O ORM não chama `__init__` ao carregar uma linha: um listener de `load` recria o atributo não
  mapeado `_events`. Esquecer isso dá `AttributeError` só no caminho que lê do banco.
- A **Unit of Work** é a fronteira da transação: `with uow:` abre, o serviço chama
  `uow.commit()` explicitamente e o `__exit__` faz rollback de tudo que não foi confirmado.
  Na transferência para uma conta bloqueada, o saque da origem já aconteceu em memória quando o
  depósito falha; o rollback garante que ele não chega ao banco.
- Os eventos de domínio são recolhidos **no commit**: uma transação desfeita não publica nada.
- O **mesmo teste de serviço** (`service_contract`) roda contra as duas UoWs e passa nas duas;
  o fake só é honesto porque também desfaz o que não foi confirmado. Um fake ingênuo, cujo
  `rollback` não faz nada, reprova no mesmo contrato (e passaria num teste que só olha o caminho
  feliz).
- A própria `Session` já é uma unit of work: os dois UPDATEs só saem no flush do commit, agrupados
  num único `executemany` ("UPDATEx2"), na mesma transação (veja a lista de SQL capturada).

Rode: python content/examples/architecture/repository_unit_of_work.py
(SQLite em memória; não precisa de serviços.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, create_engine, event
from sqlalchemy.orm import Session, registry, sessionmaker
from sqlalchemy.pool import StaticPool


# ---------------------------------------------------------------- domínio (sem SQLAlchemy)
# region: domain
class InsufficientFunds(Exception):
    pass


class AccountFrozen(Exception):
    pass


@dataclass(frozen=True)
class Withdrawn:
    account_id: str
    amount: int


@dataclass(frozen=True)
class Deposited:
    account_id: str
    amount: int


class Account:
    """Agregado: protege a invariante "saldo nunca negativo" e registra eventos."""

    def __init__(self, id: str, balance: int = 0, frozen: bool = False) -> None:
        self.id = id
        self.balance = balance
        self.frozen = frozen
        self._events: list[object] = []

    def withdraw(self, amount: int) -> None:
        if amount > self.balance:
            raise InsufficientFunds(self.id)
        self.balance -= amount
        self._events.append(Withdrawn(self.id, amount))

    def deposit(self, amount: int) -> None:
        if self.frozen:
            raise AccountFrozen(self.id)
        self.balance += amount
        self._events.append(Deposited(self.id, amount))

    def pull_events(self) -> list[object]:
        events, self._events = self._events, []
        return events
# endregion: domain


# ---------------------------------------------------------------- ports (interfaces do domínio)
# region: port
class AccountRepository(Protocol):
    seen: dict[str, Account]  # agregados tocados nesta UoW (para recolher eventos)

    def add(self, account: Account) -> None: ...
    def get(self, account_id: str) -> Account | None: ...


class UnitOfWork(Protocol):
    accounts: AccountRepository
    collected_events: list[object]

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
# endregion: port


# ---------------------------------------------------------------- serviço (caso de uso)
class AccountNotFound(Exception):
    pass


# region: service
def open_account(uow: UnitOfWork, account_id: str, balance: int, frozen: bool = False) -> None:
    with uow:
        uow.accounts.add(Account(account_id, balance, frozen))
        uow.commit()


def transfer(uow: UnitOfWork, source_id: str, target_id: str, amount: int) -> None:
    with uow:  # fronteira da transação
        source = uow.accounts.get(source_id)
        target = uow.accounts.get(target_id)
        if source is None or target is None:
            raise AccountNotFound(source_id if source is None else target_id)
        source.withdraw(amount)
        target.deposit(amount)  # pode falhar DEPOIS do saque: o rollback desfaz o saque
        uow.commit()  # commit explícito; sem ele, o __exit__ desfaz tudo


def balance_of(uow: UnitOfWork, account_id: str) -> int:
    with uow:
        account = uow.accounts.get(account_id)
        assert account is not None
        return account.balance
# endregion: service


# ---------------------------------------------------------------- UoW: comportamento comum
# region: uow-base
class AbstractUnitOfWork:
    accounts: AccountRepository

    def __init__(self) -> None:
        self.collected_events: list[object] = []

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()  # depois de um commit não há nada pendente: vira no-op

    def commit(self) -> None:
        events = [e for acc in self.accounts.seen.values() for e in acc.pull_events()]
        self._commit()  # se falhar, os eventos não são publicados
        self.collected_events.extend(events)

    def _commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError
# endregion: uow-base


# ---------------------------------------------------------------- adaptador SQLAlchemy
# region: sqlalchemy-adapter
metadata = MetaData()
accounts_table = Table(
    "accounts", metadata,
    Column("id", String, primary_key=True),
    Column("balance", Integer, nullable=False),
    Column("frozen", Boolean, nullable=False),
)
mapper_registry = registry()
mapper_registry.map_imperatively(Account, accounts_table)  # o domínio não sabe disso


@event.listens_for(Account, "load")
def _init_events(account: Account, _context: object) -> None:
    account._events = []  # o ORM não chama __init__ ao carregar do banco


class SqlAlchemyAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: dict[str, Account] = {}

    def add(self, account: Account) -> None:
        self.session.add(account)
        self.seen[account.id] = account

    def get(self, account_id: str) -> Account | None:
        account = self.session.get(Account, account_id)  # identity map: 1 SELECT por id
        if account is not None:
            self.seen[account.id] = account
        return account
# endregion: sqlalchemy-adapter


# region: sqlalchemy-uow
class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        super().__init__()
        self.session_factory = session_factory

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session = self.session_factory()
        self.accounts = SqlAlchemyAccountRepository(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)  # rollback do que não foi confirmado
        self.session.close()

    def _commit(self) -> None:
        self.session.commit()  # flush (INSERT/UPDATE pendentes) + COMMIT

    def rollback(self) -> None:
        self.session.rollback()
# endregion: sqlalchemy-uow


# ---------------------------------------------------------------- fake em memória
# region: fake
class InMemoryAccountRepository:
    def __init__(self, accounts: dict[str, Account]) -> None:
        self._accounts = accounts
        self.seen: dict[str, Account] = {}

    def add(self, account: Account) -> None:
        self._accounts[account.id] = account
        self.seen[account.id] = account

    def get(self, account_id: str) -> Account | None:
        account = self._accounts.get(account_id)
        if account is not None:
            self.seen[account.id] = account
        return account


class InMemoryUnitOfWork(AbstractUnitOfWork):
    """Guarda linhas confirmadas; cada `with` trabalha numa cópia, que o rollback descarta."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, tuple[int, bool]] = {}  # "tabela": id -> (balance, frozen)
        self.commits = 0

    def __enter__(self) -> InMemoryUnitOfWork:
        self.rollback()  # começa de uma cópia limpa do estado confirmado
        return self

    def _commit(self) -> None:
        self._rows = {a.id: (a.balance, a.frozen) for a in self.accounts._accounts.values()}
        self.commits += 1

    def rollback(self) -> None:
        self.accounts = InMemoryAccountRepository(
            {id_: Account(id_, bal, frz) for id_, (bal, frz) in self._rows.items()}
        )
# endregion: fake


class NaiveFakeUnitOfWork(AbstractUnitOfWork):
    """Fake ingênuo (o erro comum): `rollback` não faz nada e os objetos são os "confirmados"."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts = InMemoryAccountRepository({})

    def _commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


# ---------------------------------------------------------------- o mesmo teste nas duas
# region: contract-test
def service_contract(uow: UnitOfWork) -> list[object]:
    open_account(uow, "alice", 100)
    open_account(uow, "bob", 0)
    open_account(uow, "carol", 0, frozen=True)

    transfer(uow, "alice", "bob", 30)
    assert (balance_of(uow, "alice"), balance_of(uow, "bob")) == (70, 30)

    try:  # o saque acontece em memória, o depósito falha: nada pode ser gravado
        transfer(uow, "alice", "carol", 50)
    except AccountFrozen:
        pass
    assert balance_of(uow, "alice") == 70, "rollback não desfez o saque"

    try:
        transfer(uow, "bob", "alice", 999)
    except InsufficientFunds:
        pass
    assert balance_of(uow, "bob") == 30
    return uow.collected_events
# endregion: contract-test


def make_session_factory() -> tuple[sessionmaker[Session], list[str]]:
    # StaticPool: todas as sessões usam a mesma conexão, logo o mesmo banco :memory:
    engine = create_engine("sqlite+pysqlite:///:memory:", poolclass=StaticPool)
    metadata.create_all(engine)
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _log_sql(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        verb = statement.split(" ")[0]  # só o verbo: SELECT/INSERT/UPDATE
        statements.append(f"{verb}x{len(parameters)}" if executemany else verb)

    @event.listens_for(engine, "commit")
    def _log_commit(conn):  # noqa: ANN001
        statements.append("COMMIT")

    @event.listens_for(engine, "rollback")
    def _log_rollback(conn):  # noqa: ANN001
        statements.append("ROLLBACK")

    return sessionmaker(engine), statements


def main() -> None:
    session_factory, statements = make_session_factory()
    sql_uow = SqlAlchemyUnitOfWork(session_factory)
    fake_uow = InMemoryUnitOfWork()

    events_sql = service_contract(sql_uow)
    events_fake = service_contract(fake_uow)
    print("contrato passou com SqlAlchemyUnitOfWork e com InMemoryUnitOfWork")
    print("eventos publicados (só das transações confirmadas):")
    for e in events_sql:
        print("  ", e)
    assert events_sql == events_fake == [Withdrawn("alice", 30), Deposited("bob", 30)]
    assert fake_uow.commits == 4  # 3 aberturas + 1 transferência; as duas falhas não contam

    # region: session-is-uow
    statements.clear()
    transfer(sql_uow, "alice", "bob", 10)
    print("SQL de uma transferência:", " ".join(statements))
    # endregion: session-is-uow
    # dois SELECTs (get por id); os dois UPDATEs só saem no flush do commit, num único
    # executemany (mesmo SQL, parâmetros diferentes), seguidos do COMMIT
    assert statements == ["SELECT", "SELECT", "UPDATEx2", "COMMIT"], statements

    # um fake que não desfaz nada deixa passar o bug que o banco real pegaria
    try:
        service_contract(NaiveFakeUnitOfWork())
    except AssertionError as err:
        print("fake ingênuo reprovado:", err)
    else:
        raise AssertionError("o fake ingênuo deveria reprovar no contrato")

    statements.clear()
    try:
        transfer(sql_uow, "alice", "carol", 5)
    except AccountFrozen:
        pass
    print("SQL da transferência que falhou:", " ".join(statements))
    assert "UPDATE" not in statements and statements[-1] == "ROLLBACK", statements
    print("ok")


if __name__ == "__main__":
    main()
