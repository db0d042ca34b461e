"""Slicing returns a new list: the original is left as it was.

Run it: `python examples/basics/slicing.py` (it must exit 0: examples are tested code).
"""

# region: reverse
a = [1, 2, 3]
b = a[::-1]
print(b, a)
# endregion: reverse

assert b == [3, 2, 1] and a == [1, 2, 3]
