"""Generators: a armadilha do arquivo fechado e a correção com `yield` dentro do `with`.

O que observar:
- `closed-file-bug`: a função *devolve* uma generator expression criada dentro do `with`.
  O `return` sai do `with`, que fecha o arquivo, antes de alguém consumir o generator:
  a função em si não falha; o primeiro `next()` levanta
  `ValueError: I/O operation on closed file`.
- `yield-inside-with`: com `yield` a função vira geradora; o corpo (inclusive o `with`) só
  roda durante o consumo, então o arquivo fica aberto enquanto o generator vive e é fechado
  quando ele termina (ou quando é fechado/coletado antes do fim).
- A outra correção é materializar dentro do `with` (`return [line.strip() for line in f]`),
  ao custo de ler tudo para a memória.
"""

import os
import tempfile


# region: closed-file-bug
def read_lines(path):
    with open(path) as f:
        return (line.strip() for line in f)
# endregion: closed-file-bug


# region: yield-inside-with
def read_lines_fixed(path):
    with open(path) as f:
        for line in f:
            yield line.strip()  # o arquivo fica aberto entre os next()
# endregion: yield-inside-with


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "linhas.txt")
    with open(path, "w") as f:
        f.write("  alfa \nbeta\n gama\n")

    lines = read_lines(path)  # não falha aqui: só cria o generator
    try:
        next(lines)
    except ValueError as exc:
        print("bug:", exc)
        assert "closed file" in str(exc)
    else:
        raise AssertionError("esperava ValueError (arquivo fechado)")

    fixed = read_lines_fixed(path)  # nada rodou ainda: nem o open()
    assert fixed.gi_frame.f_locals == {"path": path}
    assert next(fixed) == "alfa"
    handle = fixed.gi_frame.f_locals["f"]
    assert not handle.closed  # aberto no meio do consumo
    assert list(fixed) == ["beta", "gama"]
    assert handle.closed  # o with fechou ao fim do generator
    print("correção:", list(read_lines_fixed(path)))
print("ok")
