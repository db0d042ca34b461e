"""Shutdown gracioso de um servidor HTTP ao receber SIGTERM (o que o Kubernetes manda no fim do pod).

O script se executa duas vezes: o processo principal (o "kubelet" e o cliente) inicia um
subprocesso servidor (`python graceful_shutdown.py serve`) e conversa com ele.

O que observar:
- O servidor instala um handler de SIGTERM. Ao receber o sinal ele (1) para de aceitar conexões
  fechando o socket de escuta, (2) espera as requisições em andamento terminarem, limitado por um
  "graceful timeout" menor que o terminationGracePeriodSeconds, e (3) sai com código 0.
- A requisição lenta já estava em andamento quando o SIGTERM chegou e termina com 200.
- Uma conexão nova, depois do SIGTERM, é recusada (ConnectionRefusedError): é por isso que, no
  Kubernetes, o pod precisa sair dos endpoints ANTES do SIGTERM (preStop com sleep), senão o
  balanceador ainda manda tráfego para um socket fechado.
- Nada aqui depende de tempo: o handler lento espera um comando do processo principal (uma linha
  no stdin do servidor), e cada fase é confirmada por uma linha que o servidor imprime. Assim a
  ordem "requisição em andamento -> SIGTERM -> conexão recusada -> requisição termina" é
  garantida mesmo numa máquina carregada.

Sem serviços externos:
    python content/examples/devops/graceful_shutdown.py
"""

import http.client
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GRACEFUL_TIMEOUT_S = 25  # < terminationGracePeriodSeconds (30) menos o sleep do preStop
DEADLINE_S = 60  # só para o exemplo nunca travar; não é uma asserção de tempo


def log(message: str) -> None:
    print(f"[servidor] {message}", flush=True)


# region: server-drain
class Server(ThreadingHTTPServer):
    daemon_threads = False  # threads de requisição não são abandonadas na saída

    def __init__(self, address):
        super().__init__(address, Handler)
        self.in_flight = 0
        self.idle = threading.Condition()

    def track(self, delta: int) -> None:
        with self.idle:
            self.in_flight += delta
            self.idle.notify_all()


def serve() -> int:
    server = Server(("127.0.0.1", 0))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())  # sem handler: morte imediata
    loop = threading.Thread(target=server.serve_forever)
    loop.start()
    log(f"porta {server.server_address[1]}")

    stop.wait()                       # ... até o SIGTERM
    server.shutdown()                 # sai do loop de accept
    server.socket.close()             # conexões novas passam a ser recusadas
    log(f"SIGTERM: parei de aceitar conexões; {server.in_flight} requisição(ões) em andamento")
    with server.idle:                 # drena as requisições em andamento, com limite
        drained = server.idle.wait_for(lambda: server.in_flight == 0, timeout=GRACEFUL_TIMEOUT_S)
    loop.join()
    server.server_close()             # join das threads de requisição que ainda existirem
    log("drenado, saindo com 0" if drained else "graceful timeout estourado")
    return 0 if drained else 1
# endregion: server-drain


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.track(+1)
        try:
            if self.path == "/slow":
                log("GET /slow começou")
                sys.stdin.readline()  # o processo principal libera quando quiser
            body = f"ok {self.path}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")  # durante o drain, não reuse a conexão
            self.end_headers()
            self.wfile.write(body)
        finally:
            self.server.track(-1)

    def log_message(self, *args) -> None:  # silencia o log de acesso padrão
        pass


def read_line(proc: subprocess.Popen, expected: str, echo: bool = True) -> str:
    line = proc.stdout.readline()
    if echo:
        print(line, end="")
    assert expected in line, f"esperava {expected!r}, veio {line!r}"
    return line


def main() -> None:
    proc = subprocess.Popen(
        [sys.executable, __file__, "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
    )
    try:
        port = int(read_line(proc, "porta", echo=False).split()[-1])  # porta livre qualquer
        print("[servidor] escutando")

        # Uma requisição rápida, só para ver o servidor atendendo.
        fast = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
        fast.request("GET", "/fast")
        print("cliente: /fast ->", fast.getresponse().status)
        fast.close()

        # Requisição lenta em outra thread; o handler espera nossa liberação.
        result: dict[str, object] = {}

        def slow_request() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
            conn.request("GET", "/slow")
            response = conn.getresponse()
            result["status"], result["body"] = response.status, response.read().decode().strip()
            conn.close()

        client = threading.Thread(target=slow_request)
        client.start()
        read_line(proc, "GET /slow começou")

        proc.send_signal(signal.SIGTERM)  # o kubelet manda SIGTERM ao PID 1 do contêiner
        read_line(proc, "parei de aceitar conexões; 1 requisição")

        try:
            socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S).close()
            refused = False
        except ConnectionRefusedError:
            refused = True
        print("cliente: conexão nova depois do SIGTERM recusada:", refused)
        assert refused

        proc.stdin.write("libera\n")  # a requisição lenta termina agora
        proc.stdin.flush()
        client.join(DEADLINE_S)
        print(f"cliente: /slow -> {result.get('status')} {result.get('body')!r}")
        assert result == {"status": 200, "body": "ok /slow"}

        read_line(proc, "drenado, saindo com 0")
        code = proc.wait(DEADLINE_S)
        print("código de saída do servidor:", code)
        assert code == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        sys.exit(serve())
    main()
