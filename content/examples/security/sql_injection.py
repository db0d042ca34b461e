"""SQL cru no Django sem injeção: o valor vai como parâmetro, nunca dentro da string do SQL.

Django configurado no próprio processo (settings.configure, SQLite em memória); o app se chama
``orders``, então a tabela do modelo ``Order`` é ``orders_order``.

O que observar:
- `raw-params`: ``Order.objects.raw(sql, [status])`` envia o SQL com o placeholder ``%s`` e o
  valor à parte; o driver trata o valor só como dado (o Django troca ``%s`` pelo placeholder do
  banco, ``?`` no SQLite). A tentativa de injeção ``paid' OR '1'='1`` vira um status com esse
  texto estranho, que não existe: zero linhas. Com um status legítimo, as linhas certas.
- `f-string-bug`: montar o SQL com f-string põe o texto do usuário DENTRO do comando; a mesma
  entrada fecha a aspa, acrescenta ``OR '1'='1'`` e devolve todos os pedidos.
"""

import django
from django.apps import AppConfig
from django.conf import settings


class OrdersConfig(AppConfig):
    name = "__main__"  # o próprio script é o "app"
    label = "orders"
    default_auto_field = "django.db.models.AutoField"


settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["__main__.OrdersConfig"],
    USE_TZ=True,
)
django.setup()

from django.db import connection, models  # noqa: E402


class Order(models.Model):
    status = models.CharField(max_length=20)
    total = models.IntegerField()


with connection.schema_editor() as editor:
    editor.create_model(Order)
Order.objects.bulk_create([
    Order(status="paid", total=100),
    Order(status="paid", total=250),
    Order(status="pending", total=80),
])
assert Order._meta.db_table == "orders_order"


# region: raw-params
def orders_with_status(status):
    return Order.objects.raw(
        "SELECT * FROM orders_order WHERE status = %s",
        [status],
    )
# endregion: raw-params


# region: f-string-bug
def orders_with_status_unsafe(status):
    # NUNCA: o texto do usuário vira parte do SQL
    return Order.objects.raw(f"SELECT * FROM orders_order WHERE status = '{status}'")
# endregion: f-string-bug


attack = "paid' OR '1'='1"  # vindo da URL, por exemplo ?status=...
paid = list(orders_with_status("paid"))
safe = list(orders_with_status(attack))
unsafe = list(orders_with_status_unsafe(attack))
print("parametrizado, 'paid':", [(o.pk, o.status) for o in paid])
print("parametrizado, injeção:", safe)
print("f-string, injeção:", [(o.pk, o.status) for o in unsafe])
assert sorted(o.total for o in paid) == [100, 250]
assert safe == []  # o ataque foi comparado como um valor, e nenhum status é igual a ele
assert len(unsafe) == Order.objects.count() == 3  # com f-string, o ataque vazou tudo
print("ok")
