"""JWT RS256 feito à mão com `cryptography`: assinar, validar e os ataques que a validação barra.

Não use isto em produção (use PyJWT, joserfc ou authlib); o objetivo é ver cada passo que uma
biblioteca correta faz e por que ele existe.

O que observar:
- Um JWT é `base64url(header).base64url(payload).base64url(assinatura)`; a assinatura cobre os
  dois primeiros segmentos. O payload é só codificado, não cifrado: qualquer um lê.
- Payload adulterado (role=user -> admin) com a assinatura original: rejeitado.
- `alg: none` e a confusão HS256/RS256: um verificador ingênuo que decide o algoritmo pelo
  header do token aceita os dois tokens forjados. No segundo, o atacante assina com HMAC usando
  a CHAVE PÚBLICA (PEM) como segredo HMAC — ela é pública, então qualquer um forja.
  O verificador correto tem uma lista fixa de algoritmos aceitos (aqui só RS256) e recusa ambos.
- Claims: `exp` e `nbf` com tolerância (leeway) de 60 s para relógios dessincronizados, `iss`
  exato, `aud` precisa conter este serviço. Um token vencido há 30 s passa; há 120 s, não.
- Rotação de chaves: o JWKS publica duas chaves públicas; o `kid` do header escolhe qual usar.
  Tokens das duas chaves validam durante a transição; depois que a chave antiga sai do JWKS,
  tokens dela são recusados (kid desconhecido). Trocar o `kid` não engana: a assinatura falha.
- O relógio é injetado (`now`) para a saída ser determinística.

Sem serviços externos:
    python content/examples/security/jwt_validation.py
"""

import base64
import hashlib
import hmac
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NOW = 1_700_000_000  # relógio fixo (epoch em segundos)
ISSUER = "https://auth.example.com"
AUDIENCE = "orders-api"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")  # base64url sem padding


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_segment(obj: dict) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


# region: sign-rs256
def sign_rs256(claims: dict, private_key: rsa.RSAPrivateKey, kid: str) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    signing_input = f"{encode_segment(header)}.{encode_segment(claims)}"
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"
# endregion: sign-rs256


def int_to_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def public_jwk(private_key: rsa.RSAPrivateKey, kid: str) -> dict:
    """A parte pública da chave no formato JWK (RFC 7517), como aparece no `jwks_uri`."""
    numbers = private_key.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": int_to_b64url(numbers.n), "e": int_to_b64url(numbers.e)}


def key_from_jwk(jwk: dict) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


class InvalidToken(Exception):
    pass


# region: verify
ALLOWED_ALGORITHMS = {"RS256"}  # configuração do servidor; nunca vem do token


def verify(token: str, jwks: dict, *, now: int, leeway: int = 60) -> dict:
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
    except ValueError as exc:
        raise InvalidToken("malformado") from exc
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:  # barra "none" e HS256 antes de qualquer cripto
        raise InvalidToken(f"alg não permitido: {alg}")
    jwk = next((k for k in jwks["keys"] if k["kid"] == header.get("kid")), None)
    if jwk is None or jwk.get("alg", alg) != alg:  # kid só escolhe entre chaves confiáveis
        raise InvalidToken(f"kid desconhecido: {header.get('kid')}")
    try:
        key_from_jwk(jwk).verify(
            b64url_decode(signature_b64),
            f"{header_b64}.{payload_b64}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature as exc:
        raise InvalidToken("assinatura inválida") from exc
    claims = json.loads(b64url_decode(payload_b64))  # só confie no payload depois da assinatura
    if now >= claims["exp"] + leeway:
        raise InvalidToken("expirado")
    if "nbf" in claims and now < claims["nbf"] - leeway:
        raise InvalidToken("ainda não válido (nbf)")
    if claims.get("iss") != ISSUER:
        raise InvalidToken(f"iss inesperado: {claims.get('iss')}")
    aud = claims.get("aud")
    if AUDIENCE not in ([aud] if isinstance(aud, str) else aud or []):
        raise InvalidToken(f"aud não inclui {AUDIENCE}")
    return claims
# endregion: verify


# region: naive-verify
def naive_verify(token: str, verification_key_pem: bytes) -> dict:
    """ERRADO: deixa o header do token escolher o algoritmo."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    signature = b64url_decode(signature_b64)
    if header["alg"] == "HS256":  # a chave pública vira segredo HMAC: qualquer um a conhece
        expected = hmac.new(verification_key_pem, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            raise InvalidToken("assinatura inválida")
    elif header["alg"] == "RS256":
        public_key = serialization.load_pem_public_key(verification_key_pem)
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif header["alg"] != "none":  # "none": token sem assinatura aceito como válido
        raise InvalidToken("alg desconhecido")
    return json.loads(b64url_decode(payload_b64))
# endregion: naive-verify


def outcome(token: str, jwks: dict, **kwargs) -> str:
    try:
        claims = verify(token, jwks, **kwargs)
    except InvalidToken as exc:
        return f"rejeitado ({exc})"
    return f"aceito (sub={claims['sub']}, role={claims['role']})"


def main() -> None:
    old_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = {"keys": [public_jwk(old_key, "2024-12"), public_jwk(new_key, "2025-06")]}
    base = {"iss": ISSUER, "aud": [AUDIENCE, "billing-api"], "sub": "user-42", "role": "user",
            "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 300}

    # 1) Válido, e o payload é legível sem chave nenhuma.
    token = sign_rs256(base, new_key, "2025-06")
    print("válido:", outcome(token, jwks, now=NOW))
    print("payload lido sem chave:", json.loads(b64url_decode(token.split(".")[1]))["role"])
    assert outcome(token, jwks, now=NOW).startswith("aceito")

    # 2) Payload adulterado, assinatura original.
    h, _, s = token.split(".")
    tampered = f"{h}.{encode_segment({**base, 'role': 'admin'})}.{s}"
    print("payload adulterado:", outcome(tampered, jwks, now=NOW))
    assert outcome(tampered, jwks, now=NOW) == "rejeitado (assinatura inválida)"

    # 3) alg: none e confusão HS256 com a chave pública como segredo HMAC.
    public_pem = new_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged_claims = encode_segment({**base, "role": "admin"})
    none_token = f"{encode_segment({'alg': 'none', 'typ': 'JWT'})}.{forged_claims}."
    hs_input = f"{encode_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': '2025-06'})}.{forged_claims}"
    hs_token = f"{hs_input}.{b64url(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())}"
    for name, forged in (("alg none", none_token), ("HS256 com chave pública", hs_token)):
        naive_role = naive_verify(forged, public_pem)["role"]
        print(f"{name}: ingênuo aceita role={naive_role}; correto: {outcome(forged, jwks, now=NOW)}")
        assert naive_role == "admin"
        assert outcome(forged, jwks, now=NOW).startswith("rejeitado (alg não permitido")

    # 4) exp com leeway de 60 s.
    expired_30 = sign_rs256({**base, "exp": NOW - 30}, new_key, "2025-06")
    expired_120 = sign_rs256({**base, "exp": NOW - 120}, new_key, "2025-06")
    print("vencido há 30 s:", outcome(expired_30, jwks, now=NOW))
    print("vencido há 120 s:", outcome(expired_120, jwks, now=NOW))
    assert outcome(expired_30, jwks, now=NOW).startswith("aceito")
    assert outcome(expired_120, jwks, now=NOW) == "rejeitado (expirado)"

    # 5) aud e iss.
    other_aud = sign_rs256({**base, "aud": "billing-api"}, new_key, "2025-06")
    other_iss = sign_rs256({**base, "iss": "https://evil.example"}, new_key, "2025-06")
    print("aud de outro serviço:", outcome(other_aud, jwks, now=NOW))
    print("iss de outro emissor:", outcome(other_iss, jwks, now=NOW))
    assert outcome(other_aud, jwks, now=NOW).startswith("rejeitado (aud")
    assert outcome(other_iss, jwks, now=NOW).startswith("rejeitado (iss")

    # 6) Rotação: duas chaves no JWKS, escolhidas pelo kid.
    from_old = sign_rs256(base, old_key, "2024-12")
    print("token da chave antiga, JWKS com as duas:", outcome(from_old, jwks, now=NOW))
    assert outcome(from_old, jwks, now=NOW).startswith("aceito")
    lying_kid = sign_rs256(base, old_key, "2025-06")  # assinado pela antiga, kid da nova
    print("kid trocado:", outcome(lying_kid, jwks, now=NOW))
    assert outcome(lying_kid, jwks, now=NOW) == "rejeitado (assinatura inválida)"
    jwks_after = {"keys": [k for k in jwks["keys"] if k["kid"] != "2024-12"]}
    print("chave antiga removida do JWKS:", outcome(from_old, jwks_after, now=NOW))
    print("token da chave nova continua:", outcome(token, jwks_after, now=NOW))
    assert outcome(from_old, jwks_after, now=NOW) == "rejeitado (kid desconhecido: 2024-12)"
    assert outcome(token, jwks_after, now=NOW).startswith("aceito")
    print("ok")


if __name__ == "__main__":
    main()
