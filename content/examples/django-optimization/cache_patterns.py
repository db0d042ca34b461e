"""Cache do Django (backend locmem): API de baixo nível, versionamento e ``cache_page``.

O que este exemplo mostra:

1. ``get_or_set``: calcula só no *miss*; o segundo acesso não chama a função cara.
2. ``KEY_PREFIX`` e ``make_key``: a chave real no backend é ``prefixo:versão:chave``.
3. Versionamento: ``version=`` separa entradas; um contador de "geração" usado como versão
   invalida um grupo inteiro de chaves com um único ``incr`` (as entradas antigas ficam órfãs e
   expiram pelo TTL).
4. ``cache_page`` + ``django.test.Client``: o 2º GET é servido do cache (a view não roda; o
   contador não muda) e a resposta ganha ``Cache-Control: max-age``; com ``vary_on_headers`` o
   mesmo path com outro valor de header é outra entrada de cache.
5. Fragment caching no template com ``{% cache %}``.

Olhe os contadores de chamadas: eles provam o que foi hit e o que foi miss.
"""
import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="exemplo",
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kb-exemplo",
            "TIMEOUT": 300,          # padrão quando set() não recebe timeout
            "KEY_PREFIX": "shop",    # isola apps/ambientes que compartilham o mesmo cache
        }
    },
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
)
django.setup()

from django.core.cache import cache  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.cache import cache_page  # noqa: E402
from django.views.decorators.vary import vary_on_headers  # noqa: E402

calls = {"price": 0, "view": 0, "tenant_view": 0, "fragment": 0}


# region: get-or-set
def expensive_price(product_id: int) -> int:
    calls["price"] += 1
    return product_id * 100


for _ in range(3):
    price = cache.get_or_set("price:7", lambda: expensive_price(7), timeout=60)
print("preço:", price, "| cálculos:", calls["price"])          # calculado 1 vez só
print("chave real:", cache.make_key("price:7"))                 # prefixo:versão:chave
print("miss vira default:", cache.get("nao-existe", "—"))
# endregion: get-or-set
assert calls["price"] == 1

# region: versioning
cache.set("menu", ["café", "pão"], version=1)
cache.set("menu", ["café", "pão", "suco"], version=2)
print("v1:", cache.get("menu", version=1), "| v2:", cache.get("menu", version=2))

# Invalidação em grupo com uma "geração" de namespace: a versão vem de um contador no cache.
cache.add("catalog:gen", 1)           # add: só grava se ainda não existe


def catalog_get(key):
    return cache.get(key, version=cache.get("catalog:gen"))


def catalog_set(key, value):
    cache.set(key, value, version=cache.get("catalog:gen"))


catalog_set("product:1", "Café")
catalog_set("product:2", "Pão")
print("antes:", catalog_get("product:1"), catalog_get("product:2"))
cache.incr("catalog:gen")             # invalida o catálogo inteiro sem varrer chaves
print("depois de incr:", catalog_get("product:1"), catalog_get("product:2"))
assert catalog_get("product:1") is None
# endregion: versioning


# region: cache-page
@cache_page(60)
def product_list(request):
    calls["view"] += 1
    return HttpResponse(f"lista gerada {calls['view']}x")


@cache_page(60)
@vary_on_headers("X-Tenant")
def tenant_home(request):
    calls["tenant_view"] += 1
    return HttpResponse(f"home do tenant {request.headers.get('X-Tenant')}")


urlpatterns = [path("products/", product_list), path("home/", tenant_home)]

client = Client()
r1 = client.get("/products/")
r2 = client.get("/products/")
print("1º GET:", r1.content.decode(), "| 2º GET:", r2.content.decode())
print("view executada:", calls["view"], "vez(es) | Cache-Control:", r2["Cache-Control"])

for tenant in ("acme", "acme", "globex"):
    client.get("/home/", headers={"X-Tenant": tenant})
print("Vary:", client.get("/home/", headers={"X-Tenant": "acme"})["Vary"],
      "| execuções da view com 2 tenants:", calls["tenant_view"])
# endregion: cache-page
assert calls["view"] == 1 and calls["tenant_view"] == 2

# region: fragment
tpl = engines["django"].from_string(
    "{% load cache %}{% cache 60 sidebar user_id %}{{ render }}{% endcache %}"
)


def render_sidebar():
    calls["fragment"] += 1
    return f"sidebar renderizada #{calls['fragment']}"


class Lazy:  # só avalia se o fragmento precisar ser renderizado (miss)
    def __str__(self):
        return render_sidebar()


outputs = [tpl.render({"user_id": uid, "render": Lazy()}) for uid in (1, 1, 2)]
print(outputs)          # user 1 reaproveita o fragmento; user 2 tem o seu
# endregion: fragment
assert calls["fragment"] == 2

cache.clear()
