"""Closures: `nonlocal`, a célula em `__closure__` e o `UnboundLocalError` sem ele.

O que observar:
- `counter`: `inc` lembra o `count` de `counter()` depois que `counter()` já
  retornou. A variável não é copiada: ela vive numa *célula* compartilhada, que aparece em
  `inc.__closure__` (e o nome dela em `inc.__code__.co_freevars`).
- `nonlocal count` é o que permite *reatribuir* a variável de fora. Sem ele, `count += 1`
  é uma atribuição, então o compilador trata `count` como local de `inc`, e a leitura
  antes da atribuição levanta `UnboundLocalError` (na chamada, não na definição).
- Cada chamada de `counter()` cria uma célula nova: dois contadores não se misturam.
"""


# region: counter
def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
# endregion: counter


inc = counter()
print(inc(), inc(), inc())  # 1 2 3
assert inc() == 4
other = counter()
assert other() == 1 and inc() == 5  # cada counter() tem a sua célula

# a célula guarda o valor atual, não uma cópia do momento da definição
print(inc.__code__.co_freevars, inc.__closure__)
assert inc.__code__.co_freevars == ("count",)
assert len(inc.__closure__) == 1 and inc.__closure__[0].cell_contents == 5
inc()
assert inc.__closure__[0].cell_contents == 6


# region: without-nonlocal
def broken_counter():
    count = 0
    def inc():
        count += 1  # atribuição: count vira local de inc
        return count
    return inc
# endregion: without-nonlocal


broken = broken_counter()  # definir não falha...
assert broken.__closure__ is None  # ...e não há célula: count é local de inc
try:
    broken()  # ...a chamada lê o count local antes de atribuir
except UnboundLocalError as exc:
    print("sem nonlocal:", type(exc).__name__, "-", exc)
else:
    raise AssertionError("esperava UnboundLocalError")
print("ok")
