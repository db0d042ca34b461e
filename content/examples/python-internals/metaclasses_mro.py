"""Metaclasses, criação de classes, MRO (C3) e super() cooperativo.

O que observar:
- Classes são objetos: `type` é a classe das classes, e `type(nome, bases, ns)` cria uma classe
  como o statement `class` cria.
- A ordem em que o statement `class` chama os ganchos: `__prepare__` → corpo → `Meta.__new__`
  (→ `type.__new__`, que chama `__set_name__` e depois o `__init_subclass__` do pai).
- `__init_subclass__` resolve registro de plugins e validação sem metaclasse.
- Conflito de metaclasse (ABC + uma base com metaclasse própria, como o Model do Django) e a
  correção com uma metaclasse que herda das duas.
- `ABCMeta` só recusa a classe abstrata na instanciação, não na definição.
- O `__mro__` de um diamante, as hierarquias que o C3 recusa com TypeError, e por que toda
  classe de uma hierarquia cooperativa precisa chamar `super()` e repassar `**kwargs`.
- Mixins vão à esquerda da base concreta.

Só stdlib; Python 3.11+. Termina com asserts.
"""

import abc
from collections.abc import Iterable, Sized

# 1) Classes são objetos.
# region: type-objects
print(type(42), type(int), type(type))
print(isinstance(type, object), issubclass(type, object), isinstance(object, type))

def area(self):
    return self.w * self.h

Rect = type("Rect", (), {"w": 2, "h": 3, "area": area})  # o que um statement class faz
print(Rect().area(), Rect.__name__)
# endregion: type-objects

assert type(Rect) is type and Rect().area() == 6


# 2) Métodos da metaclasse: visíveis na classe, não na instância.
class Meta(type):
    def describe(cls):
        return f"classe {cls.__name__}"


class Thing(metaclass=Meta):
    pass


assert Thing.describe() == "classe Thing" and not hasattr(Thing(), "describe")

# 3) O statement class, passo a passo.
# region: class-creation
class Field:
    def __set_name__(self, owner, name):
        print("__set_name__:", owner.__name__, name)

class Meta(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kwargs):
        print("__prepare__:", name, kwargs)
        return {}

    def __new__(mcls, name, bases, ns, **kwargs):
        print("Meta.__new__:", name, [k for k in ns if not k.startswith("__")])
        cls = super().__new__(mcls, name, bases, ns, **kwargs)  # type.__new__
        print("classe pronta:", name)
        return cls

class Base(metaclass=Meta):
    def __init_subclass__(cls, **kwargs):
        print("__init_subclass__:", cls.__name__, kwargs)

class Model(Base, table="users"):
    print("corpo de Model executando")
    email = Field()
# endregion: class-creation

assert type(Model) is Meta

# 4) __prepare__ de verdade: o namespace do Enum recusa nomes repetidos.
import enum

try:

    class Color(enum.Enum):
        RED = 1
        RED = 2  # noqa: PIE794 — repetido de propósito

    raise AssertionError("esperava TypeError")
except TypeError as exc:
    print("Enum:", exc)

# 5) __init_subclass__ como registro de plugins + validação.
# region: plugin-registry
class Exporter:
    registry: dict[str, type] = {}

    def __init_subclass__(cls, /, fmt: str, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "export", None)):
            raise TypeError(f"{cls.__name__} precisa definir export()")
        Exporter.registry[fmt] = cls

class CsvExporter(Exporter, fmt="csv"):
    def export(self, rows): ...

class JsonExporter(Exporter, fmt="json"):
    def export(self, rows): ...

try:
    class XmlExporter(Exporter, fmt="xml"):
        pass
except TypeError as exc:
    print("TypeError:", exc)
print(sorted(Exporter.registry))
# endregion: plugin-registry

assert Exporter.registry == {"csv": CsvExporter, "json": JsonExporter}


# Um decorator de classe faz o mesmo de forma explícita (opt-in) e não é herdado.
PLUGINS: dict[str, type] = {}


def register(name):
    def deco(cls):
        PLUGINS[name] = cls
        return cls

    return deco


@register("csv")
class CsvPlugin:
    pass


class CsvPluginChild(CsvPlugin):  # não se registra sozinha
    pass


assert PLUGINS == {"csv": CsvPlugin}

# 6) Conflito de metaclasse.
# region: metaclass-conflict
from abc import ABC, ABCMeta

class ModelBase(type):  # como a metaclasse do Model do Django
    pass

class Model(metaclass=ModelBase):
    pass

try:
    class Repository(Model, ABC):
        pass
except TypeError as exc:
    print("TypeError:", exc)

class ModelABCMeta(ModelBase, ABCMeta):  # subclasse das duas metaclasses
    pass

class Repository(Model, ABC, metaclass=ModelABCMeta):
    pass

print(type(Repository).__name__)
# endregion: metaclass-conflict

assert isinstance(Repository, ModelBase) and isinstance(Repository, ABCMeta)

# 7) ABCMeta: a checagem é na instanciação.
# region: abstract
from abc import ABC, abstractmethod

class Repository(ABC):
    @abstractmethod
    def get(self, id): ...

class Incomplete(Repository):  # definir a subclasse incompleta não dá erro
    pass

class SqlRepository(Repository):
    def get(self, id):
        return {"id": id}

for cls in (Repository, Incomplete, SqlRepository):
    try:
        cls()
        print(cls.__name__, "ok")
    except TypeError:
        print(cls.__name__, "TypeError")
# endregion: abstract

assert type(Repository) is ABCMeta and Repository.__abstractmethods__ == frozenset({"get"})


# __subclasshook__: isinstance estrutural nas ABCs de collections.abc; register: subclasse virtual.
class Bag:
    def __iter__(self):
        return iter(())


assert isinstance(Bag(), Iterable) and Iterable not in Bag.__mro__
assert not isinstance(Bag(), Sized)


class Storage(abc.ABC):
    pass


Storage.register(dict)
assert issubclass(dict, Storage) and Storage not in dict.__mro__

# 8) MRO: diamante e C3.
# region: diamond
class A: pass
class B(A): pass
class C(A): pass
class D(B, C): pass

print(D.__mro__)
# endregion: diamond

assert D.__mro__ == (D, B, C, A, object) and D.mro() == list(D.__mro__)

# region: c3-refuses
class Base: pass
class Child(Base): pass

try:
    class Broken(Base, Child):  # a base antes da própria subclasse
        pass
except TypeError as exc:
    print("TypeError:", exc)

class X: pass
class Y: pass
class XY(X, Y): pass
class YX(Y, X): pass

try:
    class Both(XY, YX):  # uma diz X antes de Y, a outra Y antes de X
        pass
except TypeError as exc:
    print("TypeError:", exc)
# endregion: c3-refuses

assert [k.__name__ for k in XY.__mro__] == ["XY", "X", "Y", "object"]
# C3 à mão: L[D] = D + merge(L[B], L[C], [B, C]) = D + merge([B, A, o], [C, A, o], [B, C]) = D B C A o

# 9) super() cooperativo.
# region: cooperative
class A:
    def __init__(self):
        print("A")
        super().__init__()

class B(A):
    def __init__(self):
        print("B")
        super().__init__()

class C(A):
    def __init__(self):
        print("C")
        super().__init__()

class D(B, C):
    def __init__(self):
        print("D")
        super().__init__()

D()
# endregion: cooperative

# region: broken-chain
class A:
    def __init__(self):
        print("A")

class B(A):
    def __init__(self):
        print("B")  # não chama super().__init__()

class C(A):
    def __init__(self):
        print("C")
        super().__init__()

class D(B, C):
    pass

D()
# endregion: broken-chain

# region: kwargs
class Named:
    def __init__(self, *, name, **kwargs):
        self.name = name
        super().__init__(**kwargs)  # repassa o que não é seu

class Aged:
    def __init__(self, *, age, **kwargs):
        self.age = age
        super().__init__(**kwargs)  # no fim da cadeia, object.__init__() sem argumentos

class Person(Named, Aged):
    pass

p = Person(name="Ana", age=30)
print(p.name, p.age, [k.__name__ for k in Person.__mro__])
try:
    Person(name="Ana", age=30, email="a@x")
except TypeError as exc:
    print("TypeError:", exc)
# endregion: kwargs

assert (p.name, p.age) == ("Ana", 30)

# region: mixin-order
class UpperKeysMixin:
    def __setitem__(self, key, value):
        super().__setitem__(key.upper(), value)  # o próximo no MRO: dict

class Good(UpperKeysMixin, dict):
    pass

class Bad(dict, UpperKeysMixin):  # dict.__setitem__ é achado antes do mixin
    pass

good, bad = Good(), Bad()
good["a"] = bad["a"] = 1
print(good, bad)
# endregion: mixin-order

assert good == {"A": 1} and bad == {"a": 1}


# 10) Singleton pela metaclasse: __call__ controla a instanciação (e evita reexecutar __init__).
# region: singleton-meta
class SingletonMeta(type):
    _instances = {}

    def __call__(cls, *args, **kwargs):  # Settings() chama type(Settings).__call__
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)  # __new__ + __init__
        return cls._instances[cls]

class Settings(metaclass=SingletonMeta):
    def __init__(self):
        print("__init__")
        self.values = {}

a = Settings()
a.values["debug"] = True
b = Settings()
print(a is b, b.values)
# endregion: singleton-meta

assert a is b and b.values == {"debug": True}
print("ok")
