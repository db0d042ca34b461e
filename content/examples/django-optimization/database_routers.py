"""Database routers: primário + réplica de leitura e um app isolado no próprio banco.

O que este exemplo mostra (Django configurado no próprio processo; três bancos SQLite em
arquivo num diretório temporário fazem o papel de três servidores: ``default`` = primário,
``replica`` = réplica de leitura, ``analytics`` = banco próprio do app ``analytics``):

1. Escritas (``create()``/``save()``) vão para ``default``; leituras comuns vão para a réplica.
2. Atraso de replicação: logo depois da escrita, a leitura roteada para a réplica NÃO encontra a
   linha. A "replicação" aqui é simulada copiando a linha para o arquivo da réplica.
3. Read-your-writes: com ``pin_to_primary`` ligado (o que um middleware faria numa requisição que
   escreveu) e dentro de ``transaction.atomic()``, as leituras ficam no primário.
4. ``using()`` ignora os routers; um objeto lido da réplica é salvo no primário
   (``db_for_write``), não de volta na réplica.
5. O app ``analytics`` vai sempre para o banco ``analytics`` (leitura e escrita).
6. ``allow_migrate`` decide só o schema (onde as migrações rodam), não quem pode consultar.
7. Testes: com ``DATABASES["replica"]["TEST"] = {"MIRROR": "default"}`` o test runner não cria
   banco de teste para a réplica; a conexão ``replica`` passa a apontar para o banco de teste de
   ``default`` (sem atraso de replicação nos testes). E um ``TestCase`` só pode consultar
   ``replica`` se declarar o alias em ``databases``; sem isso, a consulta falha com
   ``DatabaseOperationForbidden``. Os dois testes rodam de verdade (unittest, sem o runner do
   Django), depois de ``setup_databases``, o mesmo passo que o ``manage.py test`` executa.

Olhe as linhas "banco:" de cada leitura e as contagens por banco: elas provam para onde
cada consulta foi. A escolha da réplica usa ``random.choice``, mas com uma réplica só a saída
é sempre a mesma.
"""
import tempfile
from pathlib import Path

# region: primary-replica-router
import contextvars
import random

from django.db import connections

pin_to_primary = contextvars.ContextVar("pin_to_primary", default=False)


class PrimaryReplicaRouter:
    replicas = ["replica"]

    def db_for_read(self, model, **hints):
        if pin_to_primary.get() or connections["default"].in_atomic_block:
            return "default"
        return random.choice(self.replicas)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # todos os aliases têm os mesmos dados

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # réplicas recebem o schema pela replicação
# endregion: primary-replica-router


# region: analytics-router
class AnalyticsRouter:
    apps = {"analytics"}

    def db_for_read(self, model, **hints):
        return "analytics" if model._meta.app_label in self.apps else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.apps:
            return db == "analytics"
        return None  # outros routers/default decidem
# endregion: analytics-router


tmpdir = tempfile.TemporaryDirectory()
TMP = Path(tmpdir.name)

# region: settings
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": TMP / "primary.sqlite3"},
    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": TMP / "replica.sqlite3"},
    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": TMP / "analytics.sqlite3"},
}
# Ordem importa: o primeiro router que devolver algo diferente de None vence.
# Num projeto seriam caminhos como "core.routers.AnalyticsRouter".
DATABASE_ROUTERS = ["__main__.AnalyticsRouter", "__main__.PrimaryReplicaRouter"]
# endregion: settings

from django.test import TestCase  # noqa: E402

# region: test-settings
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}


class ReportTests(TestCase):
    databases = {"default", "replica"}

    def test_report_reads_replica(self):
        self.assertEqual(Book.objects.using("replica").count(), 1)
# endregion: test-settings


class UndeclaredReplicaTests(TestCase):  # databases padrão: só {"default"}
    def test_report_reads_replica(self):
        Book.objects.using("replica").count()  # falha: "replica" não foi declarado


import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    SECRET_KEY="exemplo",
    INSTALLED_APPS=[],
    DATABASES=DATABASES,
    DATABASE_ROUTERS=DATABASE_ROUTERS,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
)
django.setup()

from django.db import models, router, transaction  # noqa: E402


class Book(models.Model):
    title = models.CharField(max_length=100)

    class Meta:
        app_label = "catalog"


class Event(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "analytics"


def count(alias: str, table: str) -> int:
    """Conta as linhas direto no arquivo do alias, sem passar pelos routers."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def tables(alias: str) -> list[str]:
    names = connections[alias].introspection.table_names()
    return sorted(t for t in names if not t.startswith("sqlite_"))


# Schema: cria cada tabela onde allow_migrate permite (o que `migrate --database=<alias>` faria)...
for alias in ("default", "replica", "analytics"):
    with connections[alias].schema_editor() as editor:
        for model in (Book, Event):
            if router.allow_migrate_model(alias, model):
                editor.create_model(model)
# ...e a "replicação" leva o schema do primário para a réplica.
with connections["replica"].schema_editor() as editor:
    editor.create_model(Book)

print("0) tabelas por banco")
for alias in ("default", "replica", "analytics"):
    print(f"  {alias}: {tables(alias)}")
assert tables("default") == ["catalog_book"]
assert tables("replica") == ["catalog_book"]
assert tables("analytics") == ["analytics_event"]

print("1) escrita vai para default; leitura vai para a réplica")
dune = Book.objects.create(title="Dune")
print(f"  create(): banco = {dune._state.db}")
print(f"  db_for_write(Book) = {router.db_for_write(Book)}")
print(f"  db_for_read(Book) = {router.db_for_read(Book)}")
assert dune._state.db == "default"
assert router.db_for_read(Book) == "replica"

print("2) atraso de replicação: a réplica ainda não tem a linha")
qs = Book.objects.filter(title="Dune")
print(f"  leitura logo após o create: banco = {qs.db}, achou? {qs.exists()}")
assert qs.db == "replica" and not qs.exists()
rows = {alias: count(alias, "catalog_book") for alias in ("default", "replica")}
print(f"  linhas de catalog_book: {rows}")
assert rows == {"default": 1, "replica": 0}
# "Replicação": copia a linha do primário para a réplica (mesmo pk).
Book.objects.using("default").get(pk=dune.pk).save(using="replica", force_insert=True)
qs = Book.objects.filter(title="Dune")
print(f"  depois de replicar: banco = {qs.db}, achou? {qs.exists()}")
assert qs.db == "replica" and qs.exists()

print("3) read-your-writes: pin_to_primary ligado após uma escrita")
token = pin_to_primary.set(True)  # o que um middleware faria numa requisição POST
try:
    Book.objects.create(title="Neuromancer")
    qs = Book.objects.filter(title="Neuromancer")
    print(f"  com pin: banco = {qs.db}, achou? {qs.exists()}")
    assert qs.db == "default" and qs.exists()
finally:
    pin_to_primary.reset(token)  # fim da requisição: a flag não vaza
qs = Book.objects.filter(title="Neuromancer")
print(f"  sem pin: banco = {qs.db}, achou? {qs.exists()}  (réplica atrasada)")
assert qs.db == "replica" and not qs.exists()

print("4) dentro de transaction.atomic() a leitura fica no primário")
with transaction.atomic():
    Book.objects.create(title="Snow Crash")
    qs = Book.objects.filter(title="Snow Crash")
    print(f"  in_atomic_block={connections['default'].in_atomic_block}")
    print(f"  leitura dentro do atomic: banco = {qs.db}, achou? {qs.exists()}")
    assert qs.db == "default" and qs.exists()
    on_replica = Book.objects.using("replica").filter(title="Snow Crash").exists()
    print(f"  a mesma leitura via using('replica') (outra conexão) achou? {on_replica}")
    assert not on_replica
qs = Book.objects.filter(title="Snow Crash")
print(f"  depois do COMMIT: banco = {qs.db}, achou? {qs.exists()}  (réplica atrasada)")
assert qs.db == "replica" and not qs.exists()

print("5) using() ignora os routers; save() de objeto lido da réplica vai para default")
qs = Book.objects.using("default").filter(title="Neuromancer")
print(f"  using('default'): banco = {qs.db}, achou? {qs.exists()}")
assert qs.db == "default" and qs.exists()
book = Book.objects.get(title="Dune")
print(f"  get(): lido de {book._state.db}")
assert book._state.db == "replica"
book.title = "Dune Messiah"
book.save()  # sem using: db_for_write manda para default (não para a réplica de origem)
print(f"  save(): gravado em {book._state.db}")
assert book._state.db == "default"
primary_title = Book.objects.using("default").get(pk=book.pk).title
replica_title = Book.objects.using("replica").get(pk=book.pk).title
print(f"  título no default={primary_title!r}, na réplica={replica_title!r}")
assert (primary_title, replica_title) == ("Dune Messiah", "Dune")
other = Book.objects.using("default").get(title="Neuromancer")
print(f"  allow_relation(réplica, default) = {router.allow_relation(book, other)}")

print("6) o app analytics vive no próprio banco")
event = Event.objects.create(name="signup")
qs = Event.objects.filter(name="signup")
print(f"  create(): banco = {event._state.db}")
print(f"  leitura: banco = {qs.db}, achou? {qs.exists()}")
assert event._state.db == "analytics" and qs.db == "analytics" and qs.exists()
# Com pin ligado o AnalyticsRouter continua vencendo: ele vem antes na lista.
token = pin_to_primary.set(True)
try:
    assert Event.objects.all().db == "analytics"
finally:
    pin_to_primary.reset(token)
print(f"  linhas de analytics_event: analytics={count('analytics', 'analytics_event')}")
assert "analytics_event" not in tables("default")

print("7) allow_migrate decide onde roda o schema")
for app_label, model_name in (("catalog", "book"), ("analytics", "event")):
    for alias in ("default", "replica", "analytics"):
        allowed = router.allow_migrate(alias, app_label, model_name=model_name)
        print(f"  allow_migrate({alias!r}, {app_label!r}, model_name={model_name!r}) = {allowed}")
assert router.allow_migrate("default", "catalog", model_name="book") is True
assert router.allow_migrate("replica", "catalog", model_name="book") is False
assert router.allow_migrate("analytics", "analytics", model_name="event") is True
assert router.allow_migrate("default", "analytics", model_name="event") is False
# ...mas não impede consultas: a réplica "não migra" Book e ainda assim é lida.
on_replica = Book.objects.using("replica").count()
print(f"  allow_migrate na réplica é False, mas using('replica').count() = {on_replica}")
assert on_replica == 1

print("8) testes: MIRROR faz a réplica usar o banco de teste de default")
import io  # noqa: E402
import unittest  # noqa: E402

from django.test.utils import setup_databases, teardown_databases  # noqa: E402

connections.close_all()  # um processo de testes começa sem conexões abertas
test_dbs = setup_databases(verbosity=1, interactive=False, aliases={"default", "replica"})
try:
    names = {alias: connections[alias].settings_dict["NAME"] for alias in ("default", "replica")}
    print(f"  NAME durante os testes: {names}")
    assert names["replica"] == names["default"] != TMP / "primary.sqlite3"
    with connections["default"].schema_editor() as editor:
        editor.create_model(Book)  # sem migrações neste exemplo: o schema vem do schema editor
    Book.objects.create(title="Dune")  # grava em default...
    qs = Book.objects.filter(title="Dune")
    print(f"  leitura roteada: banco = {qs.db}, achou? {qs.exists()}  (o mesmo banco: sem atraso)")
    assert qs.db == "replica" and qs.exists()

    # suite.run (e não test.run) para que setUpClass do TestCase rode
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite(
        loader.loadTestsFromTestCase(cls) for cls in (ReportTests, UndeclaredReplicaTests)
    )
    result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    failed = {test.id().split(".")[-2]: tb.strip().splitlines()[-1] for test, tb in result.failures}
    print(f"  testes: {result.testsRun} rodaram; falharam: {failed}")
    assert result.testsRun == 2 and not result.errors
    assert list(failed) == ["UndeclaredReplicaTests"]  # ReportTests (que declarou) passou
    assert "Database queries to 'replica' are not allowed" in failed["UndeclaredReplicaTests"]
finally:
    teardown_databases(test_dbs, verbosity=1)

connections.close_all()
tmpdir.cleanup()
print("ok")
