"""Modelo de dados: igualdade e hash, identidade, __new__, cópia e o protocolo de descriptors.

O que observar:
- Definir `__eq__` sem `__hash__` deixa a classe com `__hash__ = None` (não entra em set/dict);
  um hash calculado de um campo mutável faz o objeto "sumir" do set quando o campo muda.
- `@dataclass` comum não é hashable; `frozen=True` gera `__hash__` dos campos; `unsafe_hash=True`
  gera mesmo com a instância mutável.
- Devolver `NotImplemented` (e não levantar exceção) deixa o Python tentar a operação refletida
  do outro operando: é o que faz `sum()` funcionar com `__radd__`.
- `is` compara identidade; o cache de inteiros pequenos é detalhe do CPython.
- Tipos imutáveis (`str`, `tuple`) só podem ser customizados em `__new__`; um singleton feito em
  `__new__` reexecuta `__init__` a cada chamada.
- Argumento padrão mutável, aliasing, cópia rasa × profunda, `__deepcopy__` e `replace`.
- Descriptors de dados vencem o `__dict__` da instância; descriptors sem `__set__` perdem para ele
  (é por isso que `cached_property` fica barato depois do primeiro acesso).

Só stdlib; roda em Python 3.11+ (o trecho de `copy.replace` só roda no 3.13+). Termina com asserts.
"""

import copy
import dataclasses
import sys
import threading

# 1) Definir __eq__ desliga o hash herdado de object.
# region: eq-without-hash
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        if not isinstance(other, Point):
            return NotImplemented
        return (self.x, self.y) == (other.x, other.y)

print(Point.__hash__)
try:
    {Point(1, 2)}
except TypeError as exc:
    print("TypeError:", exc)
# endregion: eq-without-hash

assert Point.__hash__ is None
assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(1, 3)


# Para manter o hash do pai numa subclasse que redefine __eq__, é preciso dizer isso.
class Base:
    pass


class KeepsHash(Base):
    def __eq__(self, other):
        return NotImplemented

    __hash__ = Base.__hash__


assert KeepsHash.__hash__ is object.__hash__
hash(KeepsHash())

# 2) Hash que depende de estado mutável: o objeto some do set.
# region: mutable-key
class Account:
    def __init__(self, number):
        self.number = number

    def __eq__(self, other):
        return isinstance(other, Account) and self.number == other.number

    def __hash__(self):
        return hash(self.number)  # depende de um campo mutável

acc = Account(1)
seen = {acc}
acc.number = 2  # muda o hash depois de entrar no set
print(acc in seen, Account(1) in seen, Account(2) in seen, len(seen))
# endregion: mutable-key

assert acc not in seen and len(seen) == 1
assert any(item is acc for item in seen)  # ele está lá, só não é mais encontrável por hash

# 3) Dataclasses: eq, frozen e unsafe_hash.
# region: dataclass-hash
from dataclasses import FrozenInstanceError, dataclass

@dataclass                      # eq=True (padrão), frozen=False
class Mutable:
    x: int

@dataclass(frozen=True)         # imutável: __hash__ gerado a partir dos campos
class Frozen:
    x: int

@dataclass(unsafe_hash=True)    # gera __hash__ mesmo mutável: por sua conta e risco
class Unsafe:
    x: int

print(Mutable.__hash__, len({Frozen(1), Frozen(1)}), hash(Unsafe(1)) == hash(Unsafe(1)))
try:
    Frozen(1).x = 2
except FrozenInstanceError as exc:
    print("FrozenInstanceError:", exc)
# endregion: dataclass-hash

assert Mutable.__hash__ is None and Frozen.__hash__ is not None


@dataclass(eq=False)  # sem __eq__ gerado: herda igualdade e hash por identidade de object
class ById:
    x: int


assert ById.__hash__ is object.__hash__ and ById(1) != ById(1)

# 4) NotImplemented e operações refletidas.
# region: notimplemented
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented  # "não sei comparar": o Python tenta o outro lado
        return self.cents == other.cents

    def __add__(self, other):
        if isinstance(other, Money):
            return Money(self.cents + other.cents)
        if other == 0:  # sum() começa somando 0 + primeiro item
            return self
        return NotImplemented

    __radd__ = __add__  # chamado em 0 + Money(...), depois que int.__add__ desiste

    def __repr__(self):
        return f"Money({self.cents})"

print(sum([Money(100), Money(250)]))
print(Money(1) == 1)
try:
    Money(1) + "1"
except TypeError as exc:
    print("TypeError:", exc)
# endregion: notimplemented

assert sum([Money(100), Money(250)]) == Money(350)
assert (Money(1) == 1) is False  # os dois lados devolveram NotImplemented: cai na identidade
try:
    Money(1) < Money(2)
    raise AssertionError("esperava TypeError")
except TypeError:
    pass  # para <, não há fallback: TypeError

# 5) Identidade x igualdade.
nan = float("nan")
assert nan != nan and nan in [nan]  # containers testam identidade antes de ==
assert int("256") is int("256")  # cache de inteiros pequenos (-5..256): detalhe do CPython
assert int("257") is not int("257") and int("257") == int("257")
literal = "python"
joined = "".join(["py", "thon"])  # string criada em runtime: objeto novo
assert joined == literal and joined is not literal
assert sys.intern(joined) is literal  # literais com cara de identificador já são internados

# 6) __new__ x __init__: tipos imutáveis e singletons.
# region: new-immutable
class UpperStr(str):
    def __new__(cls, value):
        return super().__new__(cls, value.upper())  # o valor é fixado aqui

class TriedInit(str):
    def __init__(self, value):
        super().__init__()
        value = value.upper()  # tarde demais: o str já existe e é imutável

print(UpperStr("abc"), TriedInit("abc"), isinstance(UpperStr("x"), str))
# endregion: new-immutable

assert UpperStr("abc") == "ABC" and TriedInit("abc") == "abc"


class NotAnInstance:
    def __new__(cls):
        return 42  # não é instância de cls: __init__ não é chamado

    def __init__(self):
        raise AssertionError("não deveria rodar")


assert NotAnInstance() == 42

# region: singleton
class Settings:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self):
        self.values = {}  # roda a CADA Settings(), mesmo devolvendo a mesma instância

a = Settings()
a.values["debug"] = True
b = Settings()
print(a is b, a.values)
# endregion: singleton

assert a is b and a.values == {}

# 7) Mutabilidade: argumento padrão, aliasing e cópia.
# region: mutable-default
def add_tag(tag, tags=[]):  # a lista é criada uma vez, quando o def executa
    tags.append(tag)
    return tags

print(add_tag("a"), add_tag("b"))
print(add_tag.__defaults__)

def add_tag_ok(tag, tags=None):
    tags = [] if tags is None else tags
    tags.append(tag)
    return tags

print(add_tag_ok("a"), add_tag_ok("b"))
# endregion: mutable-default

assert add_tag.__defaults__ == (["a", "b"],)
try:
    dataclasses.make_dataclass("Bad", [("tags", list, dataclasses.field(default=[]))])
    raise AssertionError("esperava ValueError")
except ValueError as exc:
    assert "default_factory" in str(exc)  # dataclass recusa default list/dict/set

# region: aliasing
grid = [[0] * 3] * 3  # três referências para a MESMA lista interna
grid[0][0] = 1
print(grid)
ok = [[0] * 3 for _ in range(3)]  # três listas distintas
ok[0][0] = 1
print(ok)
# endregion: aliasing

assert grid[0] is grid[1] and ok[0] is not ok[1]

# region: tuple-iadd
t = (1, [2])
try:
    t[1] += [3]  # list.__iadd__ estende no lugar; depois t[1] = ... falha
except TypeError as exc:
    print("TypeError:", exc)
print(t)
# endregion: tuple-iadd

assert t == (1, [2, 3])

# region: shallow-deep
import copy

config = {"hosts": ["a"], "port": 5432}
shallow = copy.copy(config)
deep = copy.deepcopy(config)
config["hosts"].append("b")
config["port"] = 6432
print(shallow)
print(deep)
# endregion: shallow-deep

assert shallow["hosts"] is config["hosts"] and deep["hosts"] is not config["hosts"]
shared = [1]
pair = copy.deepcopy([shared, shared])
assert pair[0] is pair[1] and pair[0] is not shared  # o memo preserva o compartilhamento
cycle: list = []
cycle.append(cycle)
cycle_copy = copy.deepcopy(cycle)
assert cycle_copy[0] is cycle_copy  # e os ciclos
atoms = (1, "a")
assert copy.deepcopy(atoms) is atoms and copy.deepcopy(len) is len  # nada mutável: nada a copiar
try:
    copy.deepcopy({"lock": threading.Lock()})
    raise AssertionError("esperava TypeError")
except TypeError:
    pass  # um lock não é copiável: motivo comum para escrever __deepcopy__

# region: custom-deepcopy
import copy
import threading

class Client:
    def __init__(self, url):
        self.url = url
        self.lock = threading.Lock()    # recurso: compartilhado, não copiado
        self.defaults = {"timeout": 5}  # estado: cada cópia tem o seu

    def __deepcopy__(self, memo):
        new = copy.copy(self)           # cópia rasa: mesmo lock
        memo[id(self)] = new            # referências de volta a self reusam a cópia
        new.defaults = copy.deepcopy(self.defaults, memo)
        return new

original = Client("https://api")
clone = copy.deepcopy(original)
print(clone.lock is original.lock, clone.defaults is original.defaults)
# endregion: custom-deepcopy

assert clone.lock is original.lock and clone.defaults == original.defaults

# region: replace
from dataclasses import dataclass, replace

@dataclass(frozen=True)
class DbConfig:
    host: str
    port: int = 5432

base = DbConfig("db")
replica = replace(base, port=6432)  # 3.7+; no 3.13+: copy.replace(base, port=6432)
print(base, replica)
# endregion: replace

assert replica == DbConfig("db", 6432) and base.port == 5432
if sys.version_info >= (3, 13):
    assert copy.replace(base, port=6432) == replica  # protocolo __replace__ (3.13)

    class Version:
        def __init__(self, major, minor):
            self.major, self.minor = major, minor

        def __replace__(self, /, **changes):
            return Version(changes.get("major", self.major), changes.get("minor", self.minor))

    assert copy.replace(Version(1, 2), minor=3).minor == 3
else:
    assert not hasattr(copy, "replace")

# 8) O protocolo de descriptors.
# region: descriptor-precedence
class Data:  # tem __set__: descriptor de dados
    def __get__(self, obj, objtype=None):
        return "data descriptor"

    def __set__(self, obj, value):
        raise AttributeError("somente leitura")

class NonData:  # só __get__: descriptor sem dados (non-data)
    def __get__(self, obj, objtype=None):
        return "non-data descriptor"

class C:
    d = Data()
    n = NonData()

c = C()
vars(c).update(d="dict da instância", n="dict da instância")
print(c.d)
print(c.n)
# endregion: descriptor-precedence

assert c.d == "data descriptor" and c.n == "dict da instância"

# region: validated-field
class Positive:
    def __set_name__(self, owner, name):
        self.name = name  # "price" ou "stock", descoberto quando a classe é criada

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self  # acesso pela classe: Product.price
        return obj.__dict__[self.name]

    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f"{self.name} deve ser positivo, recebi {value}")
        obj.__dict__[self.name] = value  # mesmo nome: o descriptor de dados vence o dict

class Product:
    price = Positive()
    stock = Positive()

    def __init__(self, price, stock):
        self.price = price
        self.stock = stock

p = Product(10, 3)
try:
    p.stock = 0
except ValueError as exc:
    print(exc)
print(p.price, p.stock)
# endregion: validated-field

assert isinstance(Product.price, Positive) and vars(p) == {"price": 10, "stock": 3}

# region: bound-method
class Greeter:
    def hello(self):
        return f"oi de {type(self).__name__}"

g = Greeter()
f = Greeter.__dict__["hello"]   # a função crua guardada na classe
print(Greeter.hello is f)       # pela classe: a própria função
print(g.hello is g.hello)       # pela instância: um método ligado novo a cada acesso
print(f.__get__(g, Greeter)())  # o que g.hello() faz por baixo
# endregion: bound-method

assert g.hello.__self__ is g and g.hello.__func__ is f and g.hello == g.hello
assert not hasattr(f, "__set__")  # funções são descriptors sem dados


class Tools:
    @staticmethod
    def s():
        return "s"

    @classmethod
    def c(cls):
        return cls.__name__


assert Tools.__dict__["s"].__get__(None, Tools) is Tools.__dict__["s"].__func__
assert Tools.__dict__["c"].__get__(Tools(), Tools)() == "Tools"  # liga a classe, não a instância
assert hasattr(property(), "__set__")  # property é descriptor de dados mesmo sem setter


class Slotted:
    __slots__ = ("x",)


assert type(Slotted.__dict__["x"]).__name__ == "member_descriptor"
assert hasattr(Slotted.__dict__["x"], "__set__")

# region: cached-property
from functools import cached_property

class Report:
    @cached_property
    def total(self):
        print("calculando...")
        return 42

r = Report()
print(r.total, r.total)
print(vars(r))
del r.total  # invalida: o próximo acesso recalcula
print(r.total)
# endregion: cached-property

assert vars(r) == {"total": 42}
print("ok")
