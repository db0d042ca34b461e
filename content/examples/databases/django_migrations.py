"""Migrações do Django na prática, contra um PostgreSQL real.

Um app ``shop`` é escrito num diretório temporário (models.py e arquivos de migração, como num
projeto de verdade) e o Django é configurado no próprio processo, com ``search_path`` apontando
para um schema próprio. O que o exemplo mostra:

1. ``migrate`` aplicando: criação da tabela, coluna nullable (expand), ``RunPython`` com função
   reversa (backfill usando o modelo *histórico* de ``apps.get_model``) e
   ``AddIndexConcurrently`` numa migração com ``atomic = False``.
2. ``sqlmigrate`` mostra o SQL: ``CREATE INDEX CONCURRENTLY``. A mesma operação dentro de um
   bloco atômico é recusada (``NotSupportedError``): CONCURRENTLY não roda em transação.
3. **Conflito de migrações**: dois devs criam ``0005_*`` a partir da mesma ``0004``. O
   ``migrate`` se recusa ("multiple leaf nodes"); ``makemigrations --merge`` gera uma migração
   de merge sem operações, que depende das duas.
4. **default vs db_default** (Django 5.0+): ``AddField(default=0)`` cria a coluna com DEFAULT e
   logo em seguida o REMOVE do banco; o default passa a existir só no Python. Um INSERT do
   código antigo (que não conhece a coluna) quebra com NOT NULL. Com ``db_default=0`` o DEFAULT
   fica no banco e o código antigo continua funcionando.
5. ``SeparateDatabaseAndState``: renomear o campo ``name`` para ``title`` só no estado do Django
   (com ``db_column="name"``), sem tocar no banco; ``sqlmigrate`` não gera DDL e
   ``makemigrations --check`` confirma que modelos e migrações batem (o passo típico de CI).
6. Reversão: ``migrate shop 0002`` desfaz tudo (inclusive o ``RunPython`` e o índice) e
   ``migrate`` reaplica: as migrações são reversíveis.

O que olhar: as linhas "Applying ...", o erro de conflito, o SQL do ``sqlmigrate`` e o desfecho
dos INSERTs "do código antigo" no item 4.

Requer KB_PG_DSN (conninfo libpq). Rode com:
    python scripts/services.py run -- python content/examples/databases/django_migrations.py
"""
from __future__ import annotations

import importlib
import io
import os
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

DSN = os.environ.get("KB_PG_DSN")
if not DSN:
    print(
        "KB_PG_DSN não definido; inicie os serviços com: "
        "python scripts/services.py run -- python content/examples/databases/django_migrations.py",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = f"kb_djmig_{uuid.uuid4().hex[:8]}"
tmpdir = tempfile.TemporaryDirectory()
ROOT = Path(tmpdir.name)
MIGRATIONS = ROOT / "shop" / "migrations"
MIGRATIONS.mkdir(parents=True)
(ROOT / "shop" / "__init__.py").write_text("")
(MIGRATIONS / "__init__.py").write_text("")

FILES: dict[str, str] = {}

# O estado FINAL dos modelos (o que o código novo usa).
FILES["models.py"] = """
from django.db import models

class Product(models.Model):
    title = models.CharField(max_length=100, db_column="name")
    sku = models.CharField(max_length=20, null=True)
    price = models.IntegerField(default=0)
    stock = models.IntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["sku"], name="product_sku_idx")]
"""

FILES["migrations/0001_initial.py"] = """
from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
            ],
        ),
    ]
"""

FILES["migrations/0002_product_sku.py"] = """
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [  # expand: nullable, instantâneo
        migrations.AddField("product", "sku", models.CharField(max_length=20, null=True)),
    ]
"""

FILES["migrations/0003_backfill_sku.py"] = '''
# region: run-python
from django.db import migrations

def fill_sku(apps, schema_editor):
    Product = apps.get_model("shop", "Product")   # modelo HISTÓRICO, não o import direto
    for product in Product.objects.filter(sku__isnull=True).only("id"):
        product.sku = f"SKU-{product.id:05d}"
        product.save(update_fields=["sku"])

def clear_sku(apps, schema_editor):
    apps.get_model("shop", "Product").objects.update(sku=None)

class Migration(migrations.Migration):
    dependencies = [("shop", "0002_product_sku")]
    operations = [migrations.RunPython(fill_sku, reverse_code=clear_sku)]
# endregion: run-python
'''

FILES["migrations/0004_product_sku_idx.py"] = '''
# region: add-index-concurrently
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

class Migration(migrations.Migration):
    atomic = False          # CREATE INDEX CONCURRENTLY não roda dentro de transação
    dependencies = [("shop", "0003_backfill_sku")]
    operations = [
        AddIndexConcurrently(
            "product", models.Index(fields=["sku"], name="product_sku_idx")),
    ]
# endregion: add-index-concurrently
'''

# Dois devs, dois branches, cada um com a sua 0005 a partir da mesma 0004.
DEV_A = """
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0004_product_sku_idx")]
    operations = [migrations.AddField("product", "price", models.IntegerField(default=0))]
"""
DEV_B = """
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0004_product_sku_idx")]
    operations = [migrations.AddField("product", "stock", models.IntegerField(db_default=0))]
"""

RENAME_STATE_ONLY = '''
# region: separate-state
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0006_merge_0005_product_price_0005_product_stock")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("product", "name", "title"),
                migrations.AlterField(
                    "product", "title", models.CharField(max_length=100, db_column="name")),
            ],
            database_operations=[],
        ),
    ]
# endregion: separate-state
'''


def write(relpath: str, text: str) -> None:
    (ROOT / "shop" / relpath).write_text(textwrap.dedent(text))
    importlib.invalidate_caches()


for relpath, text in FILES.items():
    write(relpath, text)

params = conninfo_to_dict(DSN)
with psycopg.connect(DSN, autocommit=True) as admin:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params.get("dbname", "postgres"),
        "USER": params.get("user", ""),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", ""),
        "PORT": params.get("port", ""),
        "OPTIONS": {"options": f"-c search_path={SCHEMA}"},  # tudo no schema do exemplo
    }},
    INSTALLED_APPS=["shop"],
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
)
sys.path.insert(0, str(ROOT))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import NotSupportedError, connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402


def manage(*args: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out, no_color=True)
    return [line.strip() for line in out.getvalue().splitlines() if line.strip()]


def db(query: str, *args: object) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchall() if cur.description else []


def index_exists() -> bool:
    return bool(db("SELECT 1 FROM pg_indexes WHERE indexname = 'product_sku_idx'"))


try:
    print("1) migrate até a 0004")
    applied = manage("migrate", "shop", "0002")
    db("INSERT INTO shop_product (name) VALUES ('caneta'), ('lapis')")  # dados já existentes
    applied += manage("migrate", "shop", "0004")
    for line in applied:
        if line.startswith("Applying"):
            print("   " + line)
    skus = [r[0] for r in db("SELECT sku FROM shop_product ORDER BY id")]
    print(f"   skus preenchidos pelo RunPython: {skus}; índice criado: {index_exists()}")
    assert skus == ["SKU-00001", "SKU-00002"] and index_exists()

    print("2) sqlmigrate e CONCURRENTLY em bloco atômico")
    sql_0004 = manage("sqlmigrate", "shop", "0004")
    print("   " + " / ".join(sql_0004))
    assert any("CREATE INDEX CONCURRENTLY" in line for line in sql_0004)
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration("shop", "0004_product_sku_idx")
    state = executor.loader.project_state(("shop", "0003_backfill_sku"))
    try:
        with connection.schema_editor(atomic=True) as editor:
            migration.operations[0].database_forwards(
                "shop", editor, state, state.clone())
    except NotSupportedError as exc:
        print(f"   com atomic=True: {exc}")
    else:
        raise AssertionError("esperava NotSupportedError")

    print("3) conflito: duas 0005 a partir da mesma 0004")
    write("migrations/0005_product_price.py", DEV_A)
    write("migrations/0005_product_stock.py", DEV_B)
    try:
        manage("migrate", "shop")
    except CommandError as exc:
        print("   " + str(exc).splitlines()[0])
        assert "multiple leaf nodes" in str(exc)
    else:
        raise AssertionError("esperava CommandError de conflito")
    manage("makemigrations", "shop", "--merge", "--noinput")
    merge = sorted(p.stem for p in MIGRATIONS.glob("0006_*.py"))[0]
    print(f"   makemigrations --merge criou: {merge}")
    assert merge == "0006_merge_0005_product_price_0005_product_stock"
    for line in manage("migrate", "shop"):
        if line.startswith("Applying"):
            print("   " + line)

    print("4) default (só no Python) vs db_default (no banco)")
    defaults = dict(db("""SELECT column_name, column_default FROM information_schema.columns
                          WHERE table_schema = current_schema() AND table_name = 'shop_product'
                            AND column_name IN ('price', 'stock') ORDER BY 1"""))
    print(f"   DEFAULT no banco: {defaults}")
    assert defaults == {"price": None, "stock": "0"}
    # o "código antigo" só conhece name e sku
    with psycopg.connect(DSN, autocommit=True) as old_code:
        old_code.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(SCHEMA)))
        try:
            old_code.execute("INSERT INTO shop_product (name, sku, stock) VALUES ('x', 'S', 1)")
        except psycopg.errors.NotNullViolation as exc:
            print(f"   INSERT antigo sem price: SQLSTATE {exc.sqlstate} (NOT NULL)")
        else:
            raise AssertionError("esperava NotNullViolation")
        old_code.execute("INSERT INTO shop_product (name, sku, price) VALUES ('y', 'T', 5)")
        stock = old_code.execute("SELECT stock FROM shop_product WHERE name = 'y'").fetchone()[0]
        print(f"   INSERT antigo sem stock: ok, stock = {stock} (db_default)")
        assert stock == 0

    print("5) SeparateDatabaseAndState: renomear só no estado")
    write("migrations/0007_rename_name_title.py", RENAME_STATE_ONLY)
    manage("migrate", "shop")
    sql_0007 = manage("sqlmigrate", "shop", "0007")
    ddl = [line for line in sql_0007 if not line.startswith("--")]
    print(f"   sqlmigrate 0007 (sem comentários): {ddl or 'nenhum SQL'}")
    assert ddl == [] or ddl == ["BEGIN;", "COMMIT;"]
    columns = [r[0] for r in db("""SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'shop_product' ORDER BY 1""")]
    print(f"   colunas no banco: {columns}")
    assert "name" in columns and "title" not in columns
    try:
        check = manage("makemigrations", "shop", "--check", "--dry-run")
    except SystemExit as exc:  # --check sai com código 1 se houver mudança sem migração
        raise AssertionError(f"modelos e migrações divergem (exit {exc.code})") from None
    print(f"   makemigrations --check: {check}")
    from shop.models import Product  # noqa: E402
    assert Product.objects.filter(title="caneta").exists()

    print("6) reversão até a 0002 e de volta")
    back = manage("migrate", "shop", "0002")
    unapplied = [line.split()[1].rstrip(".") for line in back if line.startswith("Unapplying")]
    print(f"   desfeitas: {unapplied}")
    skus = [r[0] for r in db("SELECT sku FROM shop_product ORDER BY id")]
    print(f"   skus após reverter o RunPython: {skus}; índice existe: {index_exists()}")
    assert set(skus) == {None} and not index_exists()
    manage("migrate", "shop")
    assert index_exists()
    print("   reaplicadas: índice de volta")
finally:
    connection.close()
    with psycopg.connect(DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))
    tmpdir.cleanup()

print("ok")
