"""Celery de verdade: broker e result backend Redis, worker real, idempotência e retry com backoff.

O que este exemplo mostra:

1. Configuração de produção em miniatura: broker Redis (a fila) separado conceitualmente do
   result backend (onde ficam os resultados), ``acks_late``, ``prefetch_multiplier=1`` e nomes de
   task explícitos (``name=``) para que cliente e worker concordem sobre o nome mesmo quando este
   arquivo roda como ``__main__``.
2. Uma task **idempotente**: recebe só o *id* do pagamento (nunca o objeto) e usa ``SET NX`` no
   Redis como chave de idempotência. Enviamos a mesma mensagem duas vezes (simulando uma
   reentrega do broker) e o saldo é creditado uma única vez.
3. Uma task que falha com ``ConnectionError`` e é reexecutada por ``autoretry_for`` com backoff
   exponencial (``retry_backoff=1`` → esperas de 1 s, 2 s, 4 s...; jitter desligado para a saída
   ser previsível) até dar certo; e outra que esgota ``max_retries`` e devolve a exceção original.
4. As opções de retry de produção (``retry_backoff=True``, ``retry_jitter=True``,
   ``max_retries=5``) numa task de sincronização com um ERP. Ela roda com ``apply()`` (execução
   local, síncrona, do próprio Celery): o mecanismo de retry é o mesmo, só que sem fila e sem
   esperar as pausas do backoff, que com jitter seriam aleatórias e somariam até 31 s.
   Erros transitórios são refeitos; um ``ValueError`` (dado inválido) falha na primeira
   tentativa; depois de 5 retries (6 tentativas) a task termina em FAILURE com a exceção original.

Um worker real (``celery -A celery_tasks worker --pool=solo``) é iniciado como subprocesso e
parado com SIGTERM (warm shutdown) no fim. Todas as chaves usam um prefixo único
(``global_keyprefix``) e são apagadas no final, deixando o Redis limpo.

Requer KB_REDIS_URL (``unix:///caminho/redis.sock`` ou ``redis://...``). Rode com:
    python scripts/services.py run -- python content/examples/django-optimization/celery_tasks.py
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter

import redis
from celery import Celery

HERE = os.path.dirname(os.path.abspath(__file__))
# Prefixo único por execução, compartilhado com o worker: o processo pai o grava no ambiente
# (setdefault) e o subprocesso do worker o herda.
PREFIX = os.environ.setdefault("KB_D4_CELERY_PREFIX", f"kb-d4-celery-{uuid.uuid4().hex[:8]}:")


def celery_url(url: str) -> str:
    """redis-py entende ``unix:///sock``; o Celery/kombu usa ``redis+socket:///sock``."""
    if url.startswith("unix://"):
        return "redis+socket://" + url[len("unix://"):]
    return url


REDIS_URL = os.environ.get("KB_REDIS_URL", "")
BROKER_URL = celery_url(REDIS_URL) if REDIS_URL else "memory://"

# region: app
app = Celery("kb_d4", broker=BROKER_URL, backend=BROKER_URL if REDIS_URL else None)
app.conf.update(
    task_serializer="json",                 # JSON: argumentos simples (ids), nada de pickle
    accept_content=["json"],
    result_expires=300,                     # resultados não ficam para sempre no backend
    task_acks_late=True,                    # ack só depois de executar: sobrevive a crash do worker
    task_reject_on_worker_lost=True,        # ...e reenfileira se o processo do worker morrer
    worker_prefetch_multiplier=1,           # não "segura" mensagens que outro worker poderia pegar
    broker_transport_options={"global_keyprefix": PREFIX, "visibility_timeout": 3600},
    result_backend_transport_options={"global_keyprefix": PREFIX},
    task_default_queue=PREFIX + "default",
    worker_enable_remote_control=False,     # sem fila pidbox: menos chaves no Redis
    worker_hijack_root_logger=False,
)
# endregion: app


def _r() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, decode_responses=True)


# region: idempotent
@app.task(name="kb_d4.credit_payment", acks_late=True)
def credit_payment(payment_id: int, amount_cents: int) -> str:
    """Credita um pagamento. Recebe o id (não o objeto) e é segura para reexecutar."""
    r = _r()
    # Chave de idempotência: só o primeiro SET NX ganha; reentregas viram no-op.
    first_time = r.set(f"{PREFIX}processed:payment:{payment_id}", "1", nx=True, ex=3600)
    if not first_time:
        return f"payment {payment_id}: já processado, ignorado"
    r.incrby(f"{PREFIX}balance", amount_cents)
    return f"payment {payment_id}: creditado {amount_cents}"
# endregion: idempotent


# region: retry
@app.task(
    name="kb_d4.fetch_rate",
    bind=True,
    autoretry_for=(ConnectionError,),   # só erros transitórios disparam retry
    retry_backoff=1,                    # espera 1 s, 2 s, 4 s... (fator * 2**tentativa)
    retry_backoff_max=60,               # teto da espera
    retry_jitter=False,                 # em produção deixe True (evita manada sincronizada)
    max_retries=2,                      # até 2 reexecuções (3 tentativas no total)
)
def fetch_rate(self, currency: str, fail_times: int) -> str:
    r = _r()
    attempt = r.incr(f"{PREFIX}attempts:{currency}")
    r.rpush(f"{PREFIX}times:{currency}", time.time())
    if attempt <= fail_times:
        raise ConnectionError(f"API de câmbio fora do ar (tentativa {attempt})")
    return f"{currency}: ok na tentativa {attempt} (retries={self.request.retries})"
# endregion: retry


ERP_FAILURES: dict[int, list[Exception]] = {}  # invoice_id -> erros que o "ERP" vai levantar
ERP_CALLS: Counter[int] = Counter()


def push_to_erp(invoice_id: int) -> str:
    """Fronteira externa (um ERP): levanta, em ordem, os erros programados para o id."""
    ERP_CALLS[invoice_id] += 1
    if ERP_FAILURES.get(invoice_id):
        raise ERP_FAILURES[invoice_id].pop(0)
    return f"invoice {invoice_id}: sincronizada"


# region: retry-options
@app.task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),  # só erros transitórios
    retry_backoff=True,    # 1 s, 2 s, 4 s...
    retry_jitter=True,     # espalha os retries
    max_retries=5,         # depois disso: FAILURE
)
def sync_invoice(self, invoice_id):
    return push_to_erp(invoice_id)
# endregion: retry-options


def demo_retry_options() -> None:
    assert sync_invoice.autoretry_for == (ConnectionError, TimeoutError)
    assert sync_invoice.retry_backoff is True and sync_invoice.retry_jitter is True
    assert sync_invoice.max_retries == 5

    ERP_FAILURES[1] = [ConnectionError("ERP fora do ar"), TimeoutError("ERP lento")]
    ok = sync_invoice.apply(args=(1,))  # local e síncrono: os retries rodam na hora
    print(ok.state, ok.result, "| tentativas:", ERP_CALLS[1])
    assert ok.state == "SUCCESS" and ERP_CALLS[1] == 3  # 2 erros transitórios + sucesso

    ERP_FAILURES[2] = [ValueError("CNPJ inválido")]  # não está em autoretry_for
    invalid = sync_invoice.apply(args=(2,))
    print(invalid.state, repr(invalid.result), "| tentativas:", ERP_CALLS[2])
    assert invalid.state == "FAILURE" and ERP_CALLS[2] == 1

    ERP_FAILURES[3] = [ConnectionError("ERP fora do ar")] * 10
    down = sync_invoice.apply(args=(3,))
    print(down.state, repr(down.result), "| tentativas:", ERP_CALLS[3])
    assert down.state == "FAILURE" and isinstance(down.result, ConnectionError)
    assert ERP_CALLS[3] == 1 + 5  # a original + max_retries


def start_worker(log) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "celery", "-A", "celery_tasks", "worker",
        "--pool=solo", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", PREFIX + "default",
    ]
    env = dict(os.environ, PYTHONPATH=HERE)   # KB_D4_CELERY_PREFIX já está em os.environ
    return subprocess.Popen(cmd, cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)      # warm shutdown: termina a task atual e sai
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def cleanup() -> int:
    r = _r()
    keys = list(r.scan_iter(match=PREFIX + "*", count=500))
    if keys:
        r.delete(*keys)
    return len(keys)


def demo() -> None:
    # region: send
    # Simula reentrega: a MESMA mensagem lógica chega duas vezes.
    r1 = credit_payment.delay(42, 1500)
    print(r1.get(timeout=20))
    r2 = credit_payment.delay(42, 1500)
    print(r2.get(timeout=20))
    balance = int(_r().get(f"{PREFIX}balance"))
    print("saldo:", balance)
    assert balance == 1500, "idempotência falhou: creditou duas vezes"
    # endregion: send

    # region: send-retry
    ok = fetch_rate.delay("USD", fail_times=2)      # falha 2x, passa na 3ª
    print(ok.get(timeout=20))
    times = [float(t) for t in _r().lrange(f"{PREFIX}times:USD", 0, -1)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2 and gaps[0] >= 0.9 and gaps[1] >= 1.9, gaps
    print("esperas entre tentativas crescem (~1 s, depois ~2 s):", gaps[1] > gaps[0])

    bad = fetch_rate.delay("EUR", fail_times=99)    # nunca passa
    try:
        bad.get(timeout=30)
    except ConnectionError as exc:
        print("desistiu após max_retries:", type(exc).__name__, "-", exc)
    print("estado final:", bad.state)
    assert bad.state == "FAILURE"
    # endregion: send-retry


def main() -> None:
    if not REDIS_URL:
        print("KB_REDIS_URL não definido; inicie os serviços com: "
              "python scripts/services.py run -- python "
              "content/examples/django-optimization/celery_tasks.py", file=sys.stderr)
        sys.exit(2)

    print("broker:", "redis+socket://..." if BROKER_URL.startswith("redis+socket") else "redis://...")
    demo_retry_options()  # apply(): não precisa do worker
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = start_worker(log)
        try:
            demo()
        finally:
            stop_worker(worker)
            if worker.returncode not in (0, -signal.SIGTERM):
                log.seek(0)
                print("log do worker:\n" + log.read(), file=sys.stderr)
            removed = cleanup()
    print("worker parado; chaves removidas do Redis:", removed > 0)


if __name__ == "__main__":
    main()
