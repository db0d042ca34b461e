"""Detectando N+1 em testes: um "orçamento" de consultas que falha quando é estourado.

max_queries(n) é um context manager construído sobre django.test.utils.CaptureQueriesContext:
se o bloco fizer mais de n consultas ele levanta QueryBudgetExceeded (uma AssertionError, então
o test runner conta como falha) listando as consultas e o padrão repetido, que é a assinatura do
N+1. O script roda uma pequena suíte django.test.TestCase (sem o runner do Django: Django em
memória, SQLite ":memory:", tabelas criadas pelo schema editor) e imprime o resultado de cada teste.

O que observar:
- a view ingênua faz 1 + 2N consultas e estoura o orçamento; a mensagem mostra o SQL repetido;
- a versão com select_related + prefetch_related faz 2 consultas, qualquer que seja N;
- assertNumQueries (do próprio Django) exige o número EXATO; max_queries aceita "até n", o que
  deixa o teste menos frágil a mudanças inofensivas.
"""

import re
import unittest
from collections import Counter
from contextlib import contextmanager

import django
from django.apps import AppConfig
from django.conf import settings


class DemoConfig(AppConfig):
    name = "__main__"
    label = "catalog"
    default_auto_field = "django.db.models.AutoField"


settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["__main__.DemoConfig"],
    USE_TZ=True,
)
django.setup()

from django.db import connection, connections, models  # noqa: E402
from django.test import TestCase  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=50)


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)

    class Meta:
        ordering = ["id"]


# region: max-queries
class QueryBudgetExceeded(AssertionError):
    """Falha de teste: o bloco fez mais consultas do que o permitido."""


def _shape(sql):
    """Troca literais por '?' para agrupar consultas que só diferem nos valores."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


@contextmanager
def max_queries(limit, using="default"):
    with CaptureQueriesContext(connections[using]) as ctx:
        yield ctx
    executed = [q["sql"] for q in ctx.captured_queries]
    if len(executed) > limit:
        shape, times = Counter(map(_shape, executed)).most_common(1)[0]
        raise QueryBudgetExceeded(
            f"{len(executed)} consultas (limite {limit}); "
            f"padrão repetido {times}x: {shape}"
        )
# endregion: max-queries


def render_book_list(queryset):
    """Simula o template de uma listagem: título, autor e tags de cada livro."""
    return [
        f"{b.title} / {b.author.name} / {','.join(t.name for t in b.tags.all())}"
        for b in queryset
    ]


# region: tests
class BookListQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tag = Tag.objects.create(name="orm")
        for i in range(5):
            author = Author.objects.create(name=f"Autor {i}")
            Book.objects.create(title=f"Livro {i}", author=author).tags.add(tag)

    def test_1_naive_list_exceeds_budget(self):
        with self.assertRaises(QueryBudgetExceeded) as caught:
            with max_queries(2):
                render_book_list(Book.objects.all())  # 1 + 5 (autor) + 5 (tags)
        print("   mensagem:", caught.exception)

    def test_2_optimized_list_fits_budget(self):
        with max_queries(2) as ctx:
            rows = render_book_list(
                Book.objects.select_related("author").prefetch_related("tags")
            )
        self.assertEqual(len(rows), 5)
        self.assertEqual(len(ctx.captured_queries), 2)

    def test_3_budget_does_not_grow_with_n(self):
        for i in range(5, 50):
            Book.objects.create(title=f"Livro {i}", author=Author.objects.first())
        with max_queries(2):
            render_book_list(Book.objects.select_related("author").prefetch_related("tags"))

    def test_4_assert_num_queries_is_exact(self):
        with self.assertNumQueries(2):
            render_book_list(Book.objects.select_related("author").prefetch_related("tags"))
# endregion: tests


class PrintingResult(unittest.TestResult):
    """TestResult que imprime cada teste e o resultado (sem tempos de execução)."""

    def __init__(self):
        super().__init__()
        self.passed = 0

    def startTest(self, test):
        super().startTest(test)
        print(f"{test._testMethodName}:")

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        print("   -> ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("   -> FALHOU")


if __name__ == "__main__":
    with connection.schema_editor() as editor:
        for model in (Author, Tag, Book):
            editor.create_model(model)

    # suite.run (e não test.run) para que setUpClass/setUpTestData do TestCase rodem
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(BookListQueryTests)
    result = PrintingResult()
    suite.run(result)

    for _, tb in result.failures + result.errors:
        print(tb)
    assert result.wasSuccessful() and result.passed == 4
    print(f"{result.passed} testes passaram")
