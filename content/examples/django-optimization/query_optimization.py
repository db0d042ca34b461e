"""Otimização de consultas no ORM do Django: N+1, select_related e prefetch_related.

O script configura o Django em memória (settings.configure + SQLite ":memory:"), define os
modelos Author, Book e Tag, cria as tabelas com o schema editor e mede cada padrão com
django.test.utils.CaptureQueriesContext.

O que observar na saída:
- o laço ingênuo faz 1 + N consultas (uma por livro para buscar o autor);
- select_related("author") faz UMA consulta com INNER JOIN (FK não nula);
- prefetch_related("tags") faz DUAS consultas: a principal e uma segunda com "IN (...)";
- Prefetch(queryset=..., to_attr=...) filtra/ordena o que é pré-carregado;
- chamar .filter() numa relação pré-carregada ignora o cache e volta a consultar;
- only()/defer() viram N+1 se o laço tocar num campo adiado;
- annotate(Count), Subquery/OuterRef/Exists, F(), bulk_create/bulk_update e SQL cru
  parametrizado resolvem no banco o que seria um laço em Python;
- values("author") ANTES de annotate() agrupa (GROUP BY author: uma linha por autor);
  annotate() antes de values() anota cada livro;
- um índice parcial (Meta.indexes com condition=Q(...)) vira CREATE INDEX ... WHERE.
Todas as contagens são verificadas com assert.
"""

import django
from django.apps import AppConfig
from django.conf import settings


class DemoConfig(AppConfig):
    name = "__main__"  # o próprio script é o "app"
    label = "shop"
    default_auto_field = "django.db.models.AutoField"


settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["__main__.DemoConfig"],
    USE_TZ=True,
)
django.setup()

from django.db import connection, models  # noqa: E402
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["id"]


class Tag(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        ordering = ["id"]


# region: models-index
class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books")
    stock = models.IntegerField(default=0)
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # índice parcial: só as linhas publicadas entram no índice
            models.Index(
                fields=["title"],
                name="book_published_title_idx",
                condition=Q(published=True),
            ),
        ]
# endregion: models-index


def show(label, ctx, sql=True):
    """Imprime quantas consultas o bloco fez e, opcionalmente, o SQL de cada uma."""
    print(f"--- {label}: {len(ctx.captured_queries)} consulta(s)")
    if sql:
        for i, q in enumerate(ctx.captured_queries, 1):
            print(f"  [{i}] {q['sql']}")


# schema + dados --------------------------------------------------------------------------
with connection.schema_editor() as editor:
    for model in (Author, Tag, Book):
        editor.create_model(model)
with connection.schema_editor(collect_sql=True) as editor:
    # collect_sql=True só coleta o SQL (não executa): mostra como o índice parcial é criado
    editor.add_index(Book, Book._meta.indexes[0])
    index_sql = list(editor.collected_sql)

authors = [Author.objects.create(name=n) for n in ("Ana", "Bruno", "Carla")]
python, django_tag = Tag.objects.create(name="python"), Tag.objects.create(name="django")
for i in range(6):
    book = Book.objects.create(
        title=f"Livro {i}", author=authors[i % 3], stock=i, published=i % 2 == 0
    )
    book.tags.add(python if i % 2 else django_tag)

print("SQL do índice parcial (SQLite):")
for stmt in index_sql:
    print(" ", stmt)

# 1) N+1 -----------------------------------------------------------------------------------
# region: n-plus-one
with CaptureQueriesContext(connection) as ctx:
    for book in Book.objects.all():  # 1 consulta para os livros
        _ = book.author.name  # + 1 consulta POR livro (FK carregada sob demanda)
# endregion: n-plus-one
show("N+1 (laço ingênuo)", ctx, sql=False)
assert len(ctx.captured_queries) == 1 + 6

# 2) select_related: JOIN na mesma consulta ------------------------------------------------
# region: select-related
with CaptureQueriesContext(connection) as ctx:
    names = [b.author.name for b in Book.objects.select_related("author")]
# endregion: select-related
show("select_related('author')", ctx)
assert len(ctx.captured_queries) == 1 and "INNER JOIN" in ctx.captured_queries[0]["sql"]
assert names == ["Ana", "Bruno", "Carla", "Ana", "Bruno", "Carla"]

# 3) prefetch_related: segunda consulta com IN (...) ----------------------------------------
# region: prefetch-related
with CaptureQueriesContext(connection) as ctx:
    tags = [[t.name for t in b.tags.all()] for b in Book.objects.prefetch_related("tags")]
# endregion: prefetch-related
show("prefetch_related('tags')", ctx)
assert len(ctx.captured_queries) == 2 and " IN (" in ctx.captured_queries[1]["sql"]
assert tags[0] == ["django"] and tags[1] == ["python"]

# 4) Prefetch com queryset próprio e to_attr -----------------------------------------------
# region: prefetch-object
with CaptureQueriesContext(connection) as ctx:
    qs = Author.objects.prefetch_related(
        Prefetch(
            "books",
            queryset=Book.objects.filter(published=True).order_by("-id"),
            to_attr="published_books",  # vira uma lista no objeto
        )
    )
    result = {a.name: [b.title for b in a.published_books] for a in qs}
# endregion: prefetch-object
show("Prefetch(queryset=..., to_attr=...)", ctx)
print("  resultado:", result)
assert len(ctx.captured_queries) == 2
assert result == {"Ana": ["Livro 0"], "Bruno": ["Livro 4"], "Carla": ["Livro 2"]}

# 5) Armadilha: .filter() na relação pré-carregada ignora o cache ---------------------------
# region: prefetch-filter-pitfall
with CaptureQueriesContext(connection) as ctx:
    for author in Author.objects.prefetch_related("books"):  # 2 consultas
        list(author.books.all())  # usa o cache: 0 consultas
        list(author.books.filter(published=True))  # nova consulta por autor!
# endregion: prefetch-filter-pitfall
show("prefetch + .filter() na relação", ctx, sql=False)
assert len(ctx.captured_queries) == 2 + 3

# 6) only()/defer(): campo adiado acessado no laço = N+1 ------------------------------------
# region: only-pitfall
with CaptureQueriesContext(connection) as ctx:
    for book in Book.objects.only("title"):  # 1 consulta (id, title)
        _ = book.stock  # campo adiado: 1 consulta extra por objeto
# endregion: only-pitfall
show("only('title') e acesso a campo adiado", ctx, sql=False)
assert len(ctx.captured_queries) == 1 + 6

# 7) annotate em vez de contar em Python ---------------------------------------------------
# region: annotate-count
with CaptureQueriesContext(connection) as ctx:
    counts = {
        a.name: a.n_books
        for a in Author.objects.annotate(n_books=Count("books")).order_by("id")
    }
    total = Book.objects.aggregate(total_stock=models.Sum("stock"))
# endregion: annotate-count
show("annotate(Count) + aggregate(Sum)", ctx)
print("  contagens:", counts, "| aggregate:", total)
assert counts == {"Ana": 2, "Bruno": 2, "Carla": 2} and total == {"total_stock": 15}
assert len(ctx.captured_queries) == 2

# 8) Subquery/OuterRef/Exists ----------------------------------------------------------------
# region: subquery-exists
latest = Book.objects.filter(author=OuterRef("pk")).order_by("-id")
with CaptureQueriesContext(connection) as ctx:
    rows = list(
        Author.objects.annotate(
            latest_title=Subquery(latest.values("title")[:1]),  # 1 linha, 1 coluna
            has_published=Exists(latest.filter(published=True)),
        ).values_list("name", "latest_title", "has_published")
    )
# endregion: subquery-exists
show("Subquery + Exists", ctx)
print("  linhas:", rows)
assert rows == [("Ana", "Livro 3", True), ("Bruno", "Livro 4", True), ("Carla", "Livro 5", True)]
assert len(ctx.captured_queries) == 1

# 9) F(): a conta acontece no banco (sem condição de corrida de ler-modificar-gravar) ----------
# region: f-expression
with CaptureQueriesContext(connection) as ctx:
    updated = Book.objects.filter(stock__gt=0).update(stock=F("stock") - 1)
# endregion: f-expression
show("update(stock=F('stock') - 1)", ctx)
assert updated == 5 and len(ctx.captured_queries) == 1

# 10) bulk_create / bulk_update --------------------------------------------------------------
# region: bulk
with CaptureQueriesContext(connection) as ctx:
    new = Book.objects.bulk_create(
        [Book(title=f"Extra {i}", author=authors[0]) for i in range(100)], batch_size=50
    )
    for b in new:
        b.stock = 10
    Book.objects.bulk_update(new, ["stock"], batch_size=50)
# endregion: bulk
show("bulk_create(100, batch_size=50) + bulk_update", ctx, sql=False)
kinds = [q["sql"].split()[0] for q in ctx.captured_queries]
print("  comandos:", kinds)  # cada bulk_* roda dentro de uma transação (BEGIN/COMMIT)
# SQLite 3.35+ devolve as PKs (RETURNING); bulk_update precisa delas
assert all(b.pk is not None for b in new)
assert kinds.count("INSERT") == 2 and kinds.count("UPDATE") == 2  # 100 objetos / lotes de 50
assert Book.objects.filter(title__startswith="Extra", stock=10).count() == 100

# 11) SQL cru com parâmetros (nunca interpolar strings) ----------------------------------------
# region: raw-sql
user_input = "Livro 1' OR '1'='1"  # tentativa de injeção: vira só um valor
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM shop_book WHERE title = %s", [user_input])
    (found,) = cursor.fetchone()
books = list(Book.objects.raw("SELECT * FROM shop_book WHERE stock >= %s", [4]))
# endregion: raw-sql
print(f"--- SQL cru: injeção encontrou {found} linha(s); raw() devolveu {len(books)} Book(s)")
assert found == 0 and all(isinstance(b, Book) for b in books) and len(books) == 101

# 12) Q e F são só expressões: montá-las não toca no banco ------------------------------------
# region: q-f-objects
from django.db.models import F, Q

cond = Q(published=True) | ~Q(stock=0)
print(cond)
print(F("stock") - 1)
# endregion: q-f-objects
assert cond.connector == "OR"

# 13) values() antes de annotate(): GROUP BY ---------------------------------------------------
# region: values-group-by
per_author = Book.objects.values("author").annotate(n=Count("id"))
# endregion: values-group-by
print("--- values('author').annotate(n=Count('id')):", per_author.query)
per_book = Book.objects.annotate(n=Count("id")).values("author", "n")  # ordem inversa
print("  por autor:", list(per_author), "| annotate antes de values:", len(per_book), "linhas")
assert "GROUP BY" in str(per_author.query)
assert len(per_author) == 3  # uma linha por autor (Meta.ordering não entra no GROUP BY)
assert {r["author"]: r["n"] for r in per_author} == {
    authors[0].id: 2 + 100,  # os 100 "Extra" do bulk_create são da Ana
    authors[1].id: 2,
    authors[2].id: 2,
}
assert len(per_book) == Book.objects.count() == 106 and {r["n"] for r in per_book} == {1}

print("OK: todas as contagens conferem")
