"""Pattern matching (Python 3.10+) sobre comandos e eventos já "parseados".

O que observar:
- Padrão de sequência (`["move", x, y]`, `["say", *words]`): casa listas/tuplas, nunca str.
- Padrão de mapeamento (`{"type": "click", "pos": {"x": x, "y": y}}`): casa se as chaves
  existem; chaves extras são ignoradas (use `**rest` para capturá-las).
- Padrão de classe (`Click(x, y)`): posicional usa `__match_args__` (dataclasses geram);
  `Key(name="q")` usa atributos por nome.
- Guardas (`if ...`), alternativas (`|`), `as` para capturar o todo, `_` como curinga.
- Armadilha: nome solto em `case` é *captura*, não comparação com constante; use nome
  pontuado (`Color.RED`) para comparar com um valor.
A saída é determinística; os asserts conferem cada caso.
"""

import shlex
from dataclasses import dataclass


# region: events
@dataclass
class Click:
    x: int
    y: int
    button: str = "left"


@dataclass
class Key:
    name: str
    ctrl: bool = False


def handle_event(event: object) -> str:
    match event:
        case Click(x, y, button="right"):
            return f"menu de contexto em ({x}, {y})"
        case Click(x, y) if x < 0 or y < 0:
            return "clique fora da janela"
        case Click(x=x, y=y):
            return f"clique em ({x}, {y})"
        case Key(name="q", ctrl=True) | Key(name="w", ctrl=True):
            return "fechar"
        case Key(name=str(name)) if len(name) == 1:
            return f"tecla {name!r}"
        case {"type": "click", "pos": {"x": int(x), "y": int(y)}, **rest}:
            return f"clique (json) em ({x}, {y}), extras={sorted(rest)}"
        case {"type": "scroll", "delta": int() | float() as delta}:
            return f"rolagem {delta:+}"
        case _:
            return f"ignorado: {event!r}"
# endregion: events


# region: commands
def handle_command(line: str) -> str:
    match shlex.split(line):
        case []:
            return "vazio"
        case ["quit" | "exit"]:
            return "tchau"
        case ["move", x, y] if x.lstrip("-").isdigit() and y.lstrip("-").isdigit():
            return f"mover para ({int(x)}, {int(y)})"
        case ["move", *_]:
            return "uso: move X Y"
        case ["say", *words] if words:
            return " ".join(words).upper()
        case [cmd, *args]:
            return f"desconhecido: {cmd} {args}"
    raise AssertionError("unreachable")
# endregion: commands


EVENTS = [
    Click(10, 20),
    Click(5, 5, button="right"),
    Click(-1, 3),
    Key("q", ctrl=True),
    Key("a"),
    Key("Enter"),
    {"type": "click", "pos": {"x": 1, "y": 2}, "ts": 123, "device": "mouse"},
    {"type": "scroll", "delta": -3},
    {"type": "click", "pos": {"x": "1", "y": 2}},
]
event_results = [handle_event(e) for e in EVENTS]
for e, r in zip(EVENTS, event_results):
    print(f"{e!r:<70} -> {r}")
assert event_results == [
    "clique em (10, 20)",
    "menu de contexto em (5, 5)",
    "clique fora da janela",
    "fechar",
    "tecla 'a'",
    "ignorado: Key(name='Enter', ctrl=False)",
    "clique (json) em (1, 2), extras=['device', 'ts']",
    "rolagem -3",
    "ignorado: {'type': 'click', 'pos': {'x': '1', 'y': 2}}",
]

COMMANDS = ["", "quit", "move 3 -4", "move left", 'say "olá mundo" !', "jump 1 2"]
command_results = [handle_command(c) for c in COMMANDS]
for c, r in zip(COMMANDS, command_results):
    print(f"{c!r:<22} -> {r}")
assert command_results == [
    "vazio", "tchau", "mover para (3, -4)", "uso: move X Y", "OLÁ MUNDO !",
    "desconhecido: jump ['1', '2']",
]


# region: str-not-sequence
def kind(value: object) -> str:
    match value:
        case [first, *_]:
            return f"sequência começando com {first!r}"
        case str():
            return "string"
        case _:
            return "outro"

print(kind("abc"), "|", kind(("a", "b")), "|", kind(b"ab"))
# endregion: str-not-sequence


# region: capture-pitfall
RED = "red"

def describe(color: str) -> str:
    match color:
        case RED:  # captura! casa qualquer coisa e religa RED localmente
            return f"vermelho? RED={RED!r}"

print(describe("blue"))
# endregion: capture-pitfall


# region: value-pattern
from enum import Enum


class Color(Enum):
    RED = "red"
    BLUE = "blue"

def describe_color(color: Color) -> str:
    match color:
        case Color.RED:  # nome pontuado = padrão de valor (compara com ==)
            return "vermelho"
        case _:
            return "outra cor"

print(describe_color(Color.BLUE), describe_color(Color("red")))
# endregion: value-pattern

assert describe("blue") == "vermelho? RED='blue'"
assert RED == "red"  # o RED global não mudou; a captura foi local à função
assert describe_color(Color.RED) == "vermelho"
print("ok")
