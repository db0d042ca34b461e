"""Teste baseado em propriedades com Hypothesis: round trip de run-length encoding (RLE).

O que mostra:
- `rle_encode`/`rle_decode` corretos e a propriedade "decode(encode(s)) == s" para QUALQUER
  string gerada por `st.text()`, mais invariantes do resultado (runs vizinhos diferentes,
  contagens positivas, soma das contagens == len(s));
- `@example(...)` fixa casos de borda que sempre rodam;
- uma versão "string" ingênua (`"aaab" -> "3a1b"`) que passa nos testes de exemplo escritos
  à mão, mas que o Hypothesis derruba: ele acha uma entrada com dígito e a *encolhe*
  (shrinking) até um contraexemplo mínimo, impresso no fim;
- perfil com `derandomize=True` e `database=None`: execução determinística e sem criar o
  diretório `.hypothesis/`.

Executado como script, roda os próprios testes com `pytest.main` e sai com o código do pytest.
"""
from __future__ import annotations

import re
import sys
import tempfile
from itertools import groupby
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

settings.register_profile("demo", derandomize=True, database=None, max_examples=200)
settings.load_profile("demo")

# region: rle
def rle_encode(s: str) -> list[tuple[str, int]]:
    return [(ch, len(list(run))) for ch, run in groupby(s)]


def rle_decode(pairs: list[tuple[str, int]]) -> str:
    return "".join(ch * n for ch, n in pairs)
# endregion: rle


# region: rle-buggy
def rle_encode_str(s: str) -> str:          # "aaab" -> "3a1b"
    return "".join(f"{n}{ch}" for ch, n in rle_encode(s))


def rle_decode_str(s: str) -> str:
    return "".join(ch * int(n) for n, ch in re.findall(r"(\d+)(\D)", s))
# endregion: rle-buggy


# region: properties
@given(st.text())
@example("")                 # casos de borda fixos rodam sempre
@example("aaaa")
def test_round_trip(s):
    assert rle_decode(rle_encode(s)) == s


@given(st.text())
def test_encode_invariants(s):
    pairs = rle_encode(s)
    assert all(n > 0 for _, n in pairs)
    assert all(a[0] != b[0] for a, b in zip(pairs, pairs[1:]))  # runs vizinhos diferem
    assert sum(n for _, n in pairs) == len(s)
# endregion: properties


def test_buggy_version_passes_example_tests():
    # os testes de exemplo "óbvios" passam...
    for s in ["", "a", "aaab", "abc", "zzzzzzzzzzzz"]:
        assert rle_decode_str(rle_encode_str(s)) == s


FOUND: list[str] = []


def test_hypothesis_finds_and_shrinks_the_bug():
    failures: list[str] = []

    @given(st.text())
    def round_trip_str(s):
        if rle_decode_str(rle_encode_str(s)) != s:
            failures.append(s)
            raise AssertionError(f"round trip quebrou para {s!r}")

    with pytest.raises(AssertionError) as excinfo:
        round_trip_str()
    minimal = failures[-1]   # a última execução é a do exemplo já encolhido
    assert any(ch.isdigit() for ch in minimal)   # o bug: dígitos colidem com as contagens
    assert repr(minimal) in "\n".join(getattr(excinfo.value, "__notes__", []))
    FOUND.append(minimal)


def main() -> int:
    sys.dont_write_bytecode = True
    with tempfile.TemporaryDirectory() as tmp:
        set_hypothesis_home_dir(tmp)  # caches do Hypothesis vão para o temp, não para o cwd
        ini = Path(tmp, "pytest.ini")
        ini.write_text("[pytest]\n", encoding="utf-8")
        code = pytest.main(
            [__file__, "-q", "-p", "no:cacheprovider", "-p", "no:asyncio",
             "-p", "no:hypothesispytest", "-W", "ignore::pytest.PytestAssertRewriteWarning",
             "-c", str(ini), "--rootdir", tmp],
        )
    tested = sys.modules.get(Path(__file__).stem)
    found = tested.FOUND if tested is not None else []
    print("\n--- resumo ---")
    print("rle_encode('aaab') =", rle_encode("aaab"))
    print("versão string: 'aaab' ->", repr(rle_encode_str("aaab")))
    if found:
        s = found[0]
        print(f"contraexemplo mínimo achado pelo Hypothesis: {s!r}")
        print(f"  encode -> {rle_encode_str(s)!r}, decode -> {rle_decode_str(rle_encode_str(s))!r}")
    print("código de saída do pytest:", int(code))
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
