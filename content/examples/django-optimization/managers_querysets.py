"""Managers e QuerySets customizados, soft delete e avaliação preguiçosa medida em consultas.

Django configurado em memória (settings.configure, SQLite ":memory:", modelos definidos aqui,
tabelas criadas com o schema editor).

O que observar na saída:
- métodos de um QuerySet customizado ficam encadeáveis (published().by_author(...)) e
  as_manager()/from_queryset() os expõem no manager; métodos com "_" ou com
  queryset_only = True (como o delete() sobrescrito) não são copiados;
- soft delete: delete() vira UPDATE deleted_at; o manager padrão esconde as linhas
  "apagadas", mas o acesso por FK (post.author) usa o _base_manager e ainda as enxerga,
  e um filtro através da relação (author__name=...) também não aplica o manager do outro modelo;
- avaliação preguiçosa: montar/encadear não consulta; iterar consulta uma vez e enche o cache;
  len()/count()/exists()/bool() reaproveitam o cache; filter()/all() criam QuerySet novo;
  indexar um QuerySet não avaliado consulta toda vez e repr() não enche o cache.
"""

import django
from django.apps import AppConfig
from django.conf import settings


class DemoConfig(AppConfig):
    name = "__main__"
    label = "blog"
    default_auto_field = "django.db.models.AutoField"


settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["__main__.DemoConfig"],
    USE_TZ=True,
)
django.setup()

from django.db import connection, models  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


# region: soft-delete
class SoftDeleteQuerySet(models.QuerySet):
    def delete(self):  # em massa: UPDATE em vez de DELETE
        return self.update(deleted_at=timezone.now())

    # como no QuerySet.delete original: não copiar para o manager, para que
    # "Model.objects.delete()" (apagar tudo sem querer) continue não existindo
    delete.queryset_only = True

    def hard_delete(self):
        return super().delete()

    hard_delete.queryset_only = True

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AliveManager()  # o primeiro declarado vira o _default_manager
    all_objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, using=None, keep_parents=False):  # instância: idem
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])
# endregion: soft-delete


class Author(SoftDeleteModel):
    name = models.CharField(max_length=50)


# region: queryset-methods
class PostQuerySet(SoftDeleteQuerySet):
    def published(self):
        return self.filter(status="published")

    def by_author(self, name):
        return self.filter(author__name=name)

    def _internal(self):  # começa com "_": não é copiado para o manager
        return self


class Post(SoftDeleteModel):
    title = models.CharField(max_length=50)
    status = models.CharField(max_length=10, default="draft")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")

    # from_queryset num manager customizado: herda o get_queryset filtrado do AliveManager
    # e ganha os métodos de PostQuerySet
    objects = AliveManager.from_queryset(PostQuerySet)()
    all_objects = PostQuerySet.as_manager()
# endregion: queryset-methods


def queries(fn):
    """Executa fn() e devolve (resultado, número de consultas)."""
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


with connection.schema_editor() as editor:
    editor.create_model(Author)
    editor.create_model(Post)

ana, bia = Author.objects.create(name="Ana"), Author.objects.create(name="Bia")
for i, (author, status) in enumerate(
    [(ana, "published"), (ana, "draft"), (ana, "published"), (bia, "published")]
):
    Post.objects.create(title=f"Post {i}", author=author, status=status)

# 1) QuerySet customizado exposto no manager ------------------------------------------------
print("== QuerySet customizado")
n = Post.objects.published().by_author("Ana").count()
print("published().by_author('Ana').count() =", n)
print("filter(...).published() também funciona:", Post.objects.filter(id__gt=1).published().count())
print("manager tem published?", hasattr(Post.objects, "published"))
print("manager tem _internal?", hasattr(Post.all_objects, "_internal"))
print("manager tem delete?", hasattr(Post.objects, "delete"), "(queryset_only = True)")
try:
    Post.objects.first().objects
except AttributeError as exc:
    print("instância.objects ->", exc)
assert n == 2 and not hasattr(Post.all_objects, "_internal")
assert not hasattr(Post.objects, "delete") and not hasattr(Post.all_objects, "hard_delete")

# 2) Soft delete ------------------------------------------------------------------------------
print("== Soft delete")
_, n_q = queries(lambda: Post.objects.filter(title="Post 1").delete())
print("Post.objects.filter(...).delete() ->", n_q, "consulta(s), um UPDATE")
Post.objects.get(title="Post 3").delete()  # delete() da instância
print("objects.count():", Post.objects.count(), "| all_objects.count():", Post.all_objects.count())
print("all_objects.deleted():", list(Post.all_objects.deleted().values_list("title", flat=True)))
assert Post.objects.count() == 2 and Post.all_objects.count() == 4

bia.delete()  # autor "apagado"
orphan = Post.all_objects.get(title="Post 3")
print("post.author de um autor apagado:", orphan.author.name, "(via _base_manager)")
print("Author.objects.filter(name='Bia').exists():", Author.objects.filter(name="Bia").exists())
print("ana.posts.count() (manager reverso = default manager):", ana.posts.count())
via_join = Post.all_objects.filter(author__name="Bia").count()
print("Post.all_objects.filter(author__name='Bia').count():", via_join, "(JOIN ignora o manager)")
assert orphan.author.name == "Bia" and ana.posts.count() == 2 and via_join == 1
assert type(Post._base_manager) is models.Manager
print("_default_manager:", Post._default_manager.name, "| _base_manager:", type(Post._base_manager).__name__)

# 3) Avaliação preguiçosa e cache de resultados -----------------------------------------------
print("== Avaliação preguiçosa (consultas por operação)")
# region: lazy-cache
qs, n0 = queries(lambda: Post.all_objects.published().order_by("id"))  # só monta o SQL
_, n1 = queries(lambda: list(qs))  # avalia: 1 consulta, enche qs._result_cache
_, n2 = queries(lambda: [p.title for p in qs])  # reaproveita o cache
_, n3 = queries(lambda: (len(qs), qs.count(), qs.exists(), bool(qs)))  # cache
_, n4 = queries(lambda: list(qs.filter(author=ana)))  # QuerySet novo: consulta
_, n5 = queries(lambda: list(qs.all()))  # .all() também é um clone sem cache
fresh = Post.all_objects.order_by("id")
_, n6 = queries(lambda: (fresh[0], fresh[0]))  # não avaliado: LIMIT 1, duas vezes
_, n7 = queries(lambda: (repr(fresh), fresh._result_cache))  # repr não enche o cache
_, n8 = queries(lambda: (fresh.count(), fresh.exists()))  # COUNT(*) e LIMIT 1
# endregion: lazy-cache
steps = [
    ("montar published().order_by()", n0),
    ("list(qs)", n1),
    ("iterar qs de novo", n2),
    ("len/count/exists/bool após avaliar", n3),
    ("qs.filter(...)", n4),
    ("qs.all()", n5),
    ("fresh[0] duas vezes", n6),
    ("repr(fresh)", n7),
    ("fresh.count() + fresh.exists()", n8),
]
for label, count in steps:
    print(f"  {label:<38} {count}")
assert [c for _, c in steps] == [0, 1, 0, 0, 1, 1, 2, 1, 2]
assert fresh._result_cache is None
print("OK")
