"""O fatiamento devolve uma lista nova: a original fica como estava.

Rode: `python examples/basics/slicing.py` (precisa terminar com código 0: exemplos são código testado).
"""

# region: reverse
a = [1, 2, 3]
b = a[::-1]
print(b, a)
# endregion: reverse

assert b == [3, 2, 1] and a == [1, 2, 3]
