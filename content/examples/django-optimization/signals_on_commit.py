"""Signals do Django e ``transaction.on_commit``: quem roda quando, e dentro de qual transação.

O que este exemplo mostra (Django configurado no próprio processo, SQLite em memória):

1. ``post_save`` é **síncrono**: o receiver roda dentro de ``save()``, na mesma thread e dentro
   da mesma transação (``in_atomic_block`` é True). Se ele for lento, o request fica lento.
2. ``transaction.on_commit`` adia um efeito colateral (e-mail, enfileirar task Celery) para
   **depois do COMMIT**; em ROLLBACK o callback é descartado; dentro de um savepoint que sofre
   rollback, só os callbacks daquele savepoint são descartados.
3. Em autocommit (fora de ``atomic``) o ``on_commit`` executa imediatamente.
4. ``bulk_create``/``QuerySet.update`` NÃO enviam ``post_save``; ``m2m_changed`` dispara em
   ``.add()`` com ``pre_add``/``post_add``; ``dispatch_uid`` evita registrar o receiver duas vezes.

Olhe a ordem das linhas: "on_commit" sempre aparece depois de "saindo do atomic".
"""
import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="exemplo",
    INSTALLED_APPS=["django.contrib.contenttypes"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
)
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.db.models.signals import m2m_changed, post_save  # noqa: E402
from django.dispatch import receiver  # noqa: E402


class Tag(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "demo"


class Order(models.Model):
    total = models.IntegerField()
    tags = models.ManyToManyField(Tag)

    class Meta:
        app_label = "demo"


with connection.schema_editor() as editor:
    editor.create_model(Tag)
    editor.create_model(Order)   # cria também a tabela intermediária do M2M

log: list[str] = []


def say(msg: str) -> None:
    log.append(msg)
    print(msg)


# region: receiver
@receiver(post_save, sender=Order, dispatch_uid="order-created-email")
def order_saved(sender, instance, created, **kwargs):
    say(f"  post_save(created={created}) dentro de transação? {connection.in_atomic_block}")
    # Efeito externo só depois do COMMIT: se a transação falhar, o e-mail não sai.
    transaction.on_commit(lambda: say(f"  on_commit: e-mail do pedido total={instance.total}"))
# endregion: receiver


# dispatch_uid: conectar de novo (p.ex. módulo importado duas vezes) não duplica o receiver;
# a seção 1 abaixo prova isso: só uma linha "post_save" por save().
post_save.connect(order_saved, sender=Order, dispatch_uid="order-created-email")

# region: commit
print("1) atomic com COMMIT")
with transaction.atomic():
    Order.objects.create(total=100)
    say("  save() retornou")
    say("  saindo do atomic")
assert log[-1].startswith("  on_commit")
assert sum("post_save" in line for line in log) == 1   # dispatch_uid: receiver único
# endregion: commit

# region: rollback
print("2) atomic com ROLLBACK")
log.clear()
try:
    with transaction.atomic():
        Order.objects.create(total=200)
        raise ValueError("falha depois do save")
except ValueError:
    say("  rollback feito")
assert not any("on_commit" in line for line in log)   # callback descartado
assert not Order.objects.filter(total=200).exists()
# endregion: rollback

# region: savepoint
print("3) savepoint interno com rollback, transação externa com COMMIT")
with transaction.atomic():
    Order.objects.create(total=300)
    try:
        with transaction.atomic():          # savepoint
            Order.objects.create(total=400)
            raise ValueError
    except ValueError:
        say("  savepoint desfeito (400 descartado)")
    say("  saindo do atomic")
# endregion: savepoint

# region: autocommit
print("4) sem atomic (autocommit): o INSERT já foi commitado; on_commit roda na hora")
Order.objects.create(total=500)
say("  save() retornou")
# endregion: autocommit

# region: bulk
print("5) operações em massa não enviam post_save")
log.clear()
Order.objects.bulk_create([Order(total=1), Order(total=2)])
Order.objects.filter(total__lt=10).update(total=9)
Order.objects.filter(total=9).delete()   # delete() em massa envia pre/post_delete, não post_save
print("  receivers chamados:", len(log))
assert log == []
# endregion: bulk

# region: m2m
print("6) m2m_changed em .add()")
post_save.disconnect(sender=Order, dispatch_uid="order-created-email")  # some com o ruído


def tags_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("pre_add", "post_add"):
        print(f"  m2m_changed action={action} pk_set={sorted(pk_set)}")


m2m_changed.connect(tags_changed, sender=Order.tags.through)
order = Order.objects.create(total=600)
t1, t2 = Tag.objects.create(name="vip"), Tag.objects.create(name="frete")
order.tags.add(t1, t2)
# endregion: m2m
