"""Armazenamento de senhas só com a stdlib: scrypt com salt, parâmetros no hash e rehash no login.

O que observar:
- Hash rápido sem salt (sha256 puro): dois usuários com a mesma senha ficam com o MESMO hash, e
  um atacante com o banco vazado testa bilhões de palpites por segundo numa GPU. Com salt
  aleatório por senha, a mesma senha gera hashes diferentes (tabelas pré-computadas não servem e
  cada hash precisa ser atacado separadamente).
- O valor salvo carrega algoritmo, parâmetros, salt e hash (`scrypt$n$r$p$salt$hash`, no estilo
  do Django). É isso que permite verificar hashes antigos e subir o custo sem resetar senhas.
- Os parâmetros do scrypt seguem o mínimo do OWASP: N=2^17, r=8, p=1 (128 MiB por hash). O
  `maxmem` precisa ser aumentado: o limite padrão do OpenSSL (32 MiB) recusa esse N.
- A comparação do hash usa `hmac.compare_digest` (tempo constante), não `==`.
- Rehash no login: uma senha guardada num formato legado (PBKDF2 com poucas iterações) ou com
  parâmetros antigos é verificada com o formato antigo e, se estiver certa, regravada com os
  parâmetros atuais. Senha errada nunca dispara rehash.
- Usuário inexistente: o login roda um hash "de mentira" para gastar o mesmo trabalho e não
  revelar pela latência quais e-mails têm conta (o Django faz o mesmo no ModelBackend).

Sem serviços externos:
    python content/examples/security/password_hashing.py
"""

import base64
import hashlib
import hmac
import os

# region: params
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # mínimo do OWASP: 128 * r * N = 128 MiB por hash
SCRYPT_MAXMEM = 256 * 1024 * 1024  # o padrão do OpenSSL (32 MiB) recusaria N=2^17
SALT_BYTES = 16
# endregion: params


def b64e(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


# region: hash-password
def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = os.urandom(SALT_BYTES)  # único por senha; não é segredo, fica junto do hash
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${b64e(salt)}${b64e(digest)}"  # algoritmo$parâmetros$salt$hash
# endregion: hash-password


# region: verify-and-upgrade
def verify_password(password: str, stored: str) -> tuple[bool, bool]:
    """(senha correta?, precisa regravar com os parâmetros atuais?)"""
    algorithm, *fields = stored.split("$")
    if algorithm == "scrypt":
        n, r, p, salt, expected = int(fields[0]), int(fields[1]), int(fields[2]), fields[3], fields[4]
        candidate = hashlib.scrypt(
            password.encode(), salt=b64d(salt), n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32
        )
        outdated = (n, r, p) != (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    elif algorithm == "pbkdf2_sha256":  # formato legado, ainda aceito só para verificar
        iterations, salt, expected = int(fields[0]), fields[1], fields[2]
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), b64d(salt), iterations)
        outdated = True
    else:
        raise ValueError(f"algoritmo desconhecido: {algorithm}")
    ok = hmac.compare_digest(candidate, b64d(expected))  # tempo constante
    return ok, ok and outdated  # senha errada nunca dispara rehash


def login(users: dict[str, str], email: str, password: str) -> bool:
    stored = users.get(email)
    if stored is None:
        verify_password(password, DUMMY_HASH)  # mesmo custo: não revela se o e-mail existe
        return False
    ok, must_upgrade = verify_password(password, stored)
    if must_upgrade:
        users[email] = hash_password(password)  # única hora em que temos a senha em claro
    return ok
# endregion: verify-and-upgrade


DUMMY_HASH = hash_password("senha-que-nao-existe")


def legacy_pbkdf2(password: str, iterations: int) -> str:
    """Como um sistema antigo guardava: PBKDF2-SHA256 com poucas iterações."""
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${b64e(salt)}${b64e(digest)}"


def prefix(stored: str) -> str:
    """Só algoritmo e parâmetros: salt e hash mudam a cada execução."""
    algorithm = stored.split("$")[0]
    params = 3 if algorithm == "scrypt" else 1
    return "$".join(stored.split("$")[: 1 + params]) + "$<salt>$<hash>"


def main() -> None:
    # 1) Hash rápido sem salt: senhas iguais ficam visíveis no vazamento.
    fast = {u: hashlib.sha256(b"123456").hexdigest() for u in ("ana", "bruno")}
    print("sha256 sem salt, mesma senha -> mesmo hash:", fast["ana"] == fast["bruno"])
    assert fast["ana"] == fast["bruno"]

    # 2) scrypt com salt: a mesma senha gera hashes diferentes, e ambos verificam.
    h1, h2 = hash_password("123456"), hash_password("123456")
    print("scrypt com salt, mesma senha -> mesmo hash:", h1 == h2)
    print("formato salvo:", prefix(h1))
    assert h1 != h2
    assert verify_password("123456", h1) == (True, False)
    assert verify_password("654321", h1) == (False, False)

    # 3) Rehash no login: legado PBKDF2 (100 mil iterações) vira scrypt com os parâmetros atuais.
    users = {"ana@example.com": legacy_pbkdf2("correct horse", 100_000)}
    print("antes do login:", prefix(users["ana@example.com"]))
    assert not login(users, "ana@example.com", "senha errada")
    print("depois de senha errada:", prefix(users["ana@example.com"]))
    assert users["ana@example.com"].startswith("pbkdf2_sha256$")  # nada muda
    assert login(users, "ana@example.com", "correct horse")
    print("depois do login correto:", prefix(users["ana@example.com"]))
    assert users["ana@example.com"].startswith(f"scrypt${SCRYPT_N}$")

    # 4) Mesmo algoritmo, parâmetros antigos (N=2^14): também é regravado no próximo login.
    users["bruno@example.com"] = hash_password("hunter2", n=2**14)
    print("bruno antes:", prefix(users["bruno@example.com"]))
    assert login(users, "bruno@example.com", "hunter2")
    print("bruno depois:", prefix(users["bruno@example.com"]))
    assert verify_password("hunter2", users["bruno@example.com"]) == (True, False)

    # 5) E-mail inexistente: False, depois de gastar o mesmo trabalho de um hash real.
    print("login de e-mail inexistente:", login(users, "ninguem@example.com", "x"))
    assert not login(users, "ninguem@example.com", "x")
    print("ok")


if __name__ == "__main__":
    main()
