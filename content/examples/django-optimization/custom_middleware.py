"""Middleware no Django: modelo "cebola", ganchos process_* e middleware síncrono/assíncrono.

Django configurado em memória (settings.configure, ROOT_URLCONF = este script, sem banco);
as requisições passam por django.test.Client e django.test.AsyncClient.

O que observar na saída (a lista de chamadas de cada requisição):
- a parte de requisição roda de cima para baixo na ordem de MIDDLEWARE, a de resposta de
  baixo para cima; process_view roda de cima para baixo logo antes da view;
- process_exception e process_template_response rodam de baixo para cima;
- um middleware que devolve resposta sem chamar get_response corta o caminho: os internos
  e a view não rodam, mas os externos ainda veem a resposta;
- a exceção da view NÃO chega como exceção ao try/except de um middleware externo: cada
  camada converte exceções em resposta (aqui, 500);
- RequestIdMiddleware reaproveita o X-Request-ID recebido ou gera um, e mede o tempo;
- um middleware híbrido (sync_capable e async_capable) roda em modo assíncrono sob
  AsyncClient, a menos que um middleware só-síncrono mais interno force o modo síncrono.
"""

import asyncio
import itertools
import time

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF="__main__",
    DATABASES={},
    MIDDLEWARE=[
        "__main__.RequestIdMiddleware",
        "__main__.OuterMiddleware",
        "__main__.HealthCheckMiddleware",
        "__main__.InnerMiddleware",
    ],
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"hello.html": "Olá, {{ name }}"})
                ]
            },
        }
    ],
    LOGGING={  # silencia "Internal Server Error: /boom" no stderr (o 500 é proposital)
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"null": {"class": "logging.NullHandler"}},
        "loggers": {"django.request": {"handlers": ["null"], "propagate": False}},
    },
)
django.setup()

from asgiref.sync import iscoroutinefunction, markcoroutinefunction  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

CALLS = []  # registro da ordem das chamadas


# region: request-id
_ids = itertools.count(1)  # determinístico para a demo; em produção: uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):  # roda UMA vez, quando o handler é montado
        self.get_response = get_response

    def __call__(self, request):  # roda a cada requisição
        request.request_id = request.headers.get("X-Request-ID") or f"req-{next(_ids)}"
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        response["X-Request-ID"] = request.request_id
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response
# endregion: request-id


# region: trace-middleware
class TraceMiddleware:
    label = "?"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        CALLS.append(f"{self.label}.request")
        try:
            response = self.get_response(request)
        except Exception:  # nunca acontece: camadas internas já viraram exceção em resposta
            CALLS.append(f"{self.label}.CAUGHT")
            raise
        CALLS.append(f"{self.label}.response({response.status_code})")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        CALLS.append(f"{self.label}.process_view")
        return None  # None = siga em frente

    def process_exception(self, request, exception):
        CALLS.append(f"{self.label}.process_exception")
        return None

    def process_template_response(self, request, response):
        CALLS.append(f"{self.label}.process_template_response")
        response.context_data["name"] += f"+{self.label}"
        return response  # obrigatório devolver uma resposta


class OuterMiddleware(TraceMiddleware):
    label = "outer"


class InnerMiddleware(TraceMiddleware):
    label = "inner"

    def process_exception(self, request, exception):
        CALLS.append("inner.process_exception")
        if isinstance(exception, LookupError):  # trata só o que conhece
            return JsonResponse({"erro": str(exception)}, status=404)
        return None


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/health":
            CALLS.append("health.short-circuit")
            return HttpResponse("ok")  # não chama get_response
        return self.get_response(request)
# endregion: trace-middleware


# region: hybrid-middleware
class HybridMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)  # o Django passa a tratar a instância como async

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        CALLS.append("hybrid: modo síncrono")
        return self.get_response(request)

    async def __acall__(self, request):
        CALLS.append("hybrid: modo assíncrono")
        return await self.get_response(request)


class SyncOnlyMiddleware:  # padrão: sync_capable = True, async_capable = False
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        CALLS.append("sync-only")
        return self.get_response(request)
# endregion: hybrid-middleware


def hello(request):
    CALLS.append("view")
    return HttpResponse(f"olá {request.request_id}")


def hello_template(request):
    CALLS.append("view")
    return TemplateResponse(request, "hello.html", {"name": "view"})


def missing(request):
    CALLS.append("view (raise KeyError)")
    raise KeyError("livro 42")


def boom(request):
    CALLS.append("view (raise ValueError)")
    raise ValueError("bug")


async def async_view(request):
    CALLS.append("async view")
    return HttpResponse("ok")


urlpatterns = [
    path("hello", hello),
    path("template", hello_template),
    path("missing", missing),
    path("boom", boom),
    path("health", lambda r: HttpResponse("nunca chega aqui")),
    path("async", async_view),
]


def run(client, url, **headers):
    CALLS.clear()
    response = client.get(url, headers=headers)
    print(f"GET {url} -> {response.status_code}")
    for call in CALLS:
        print("   ", call)
    return response


client = Client(raise_request_exception=False)

r = run(client, "/hello")
assert CALLS == [
    "outer.request", "inner.request", "outer.process_view", "inner.process_view",
    "view", "inner.response(200)", "outer.response(200)",
]
print("    X-Request-ID:", r["X-Request-ID"], "| Server-Timing presente:", "Server-Timing" in r)
assert r["X-Request-ID"] == "req-1"

r = run(client, "/hello", X_Request_ID="abc-123")
assert r["X-Request-ID"] == "abc-123" and r.content == b"ol\xc3\xa1 abc-123"
print("    X-Request-ID propagado:", r["X-Request-ID"])

r = run(client, "/template")
print("    corpo:", r.content.decode())
assert r.content.decode() == "Olá, view+inner+outer"  # process_template_response: de baixo p/ cima

r = run(client, "/missing")
assert CALLS[-3:] == ["inner.process_exception", "inner.response(404)", "outer.response(404)"]

r = run(client, "/boom")
assert "outer.CAUGHT" not in CALLS and CALLS[-1] == "outer.response(500)"
assert CALLS.index("inner.process_exception") < CALLS.index("outer.process_exception")

r = run(client, "/health")
assert CALLS == ["outer.request", "health.short-circuit", "outer.response(200)"]

print("== middleware híbrido")
with override_settings(MIDDLEWARE=["__main__.HybridMiddleware"]):
    run(Client(), "/async")
    assert CALLS[0] == "hybrid: modo síncrono"
    CALLS.clear()
    asyncio.run(AsyncClient().get("/async"))
    print("AsyncClient:", CALLS)
    assert CALLS[0] == "hybrid: modo assíncrono"

with override_settings(MIDDLEWARE=["__main__.HybridMiddleware", "__main__.SyncOnlyMiddleware"]):
    CALLS.clear()
    asyncio.run(AsyncClient().get("/async"))
    print("AsyncClient com um middleware só-síncrono mais interno:", CALLS)
    assert CALLS[0] == "hybrid: modo síncrono"
print("OK")
