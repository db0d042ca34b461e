"""Deterministic benchmark corpus: N cards in kbdeck's content format and the same cards in ankdown's.

Every card has a one-line Markdown question and a Markdown answer (paragraph, inline code, a list);
two cards in three also carry an 8–15 line fenced Python block. The text depends only on (N, seed),
so two runs generate identical trees. Usage: `python bench/corpus.py --n 3000 --out build/bench/n3000`.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

AREAS = 10
CARDS_PER_TOPIC = 30
TOPICS_PER_DAY = 5
WORDS = [
    "cache",
    "lista",
    "fila",
    "conexão",
    "transação",
    "índice",
    "consulta",
    "thread",
    "processo",
    "evento",
    "requisição",
    "resposta",
    "sessão",
    "token",
    "chave",
    "valor",
    "registro",
    "módulo",
    "classe",
    "objeto",
    "função",
    "iterador",
    "gerador",
    "contexto",
    "lock",
    "tabela",
    "coluna",
    "esquema",
    "migração",
    "serviço",
    "worker",
    "tarefa",
    "mensagem",
    "tópico",
    "partição",
    "réplica",
]
NAMES = ["items", "users", "orders", "rows", "jobs", "events", "keys", "tokens", "pages", "chunks"]


@dataclass(frozen=True)
class BenchCard:
    """One generated card."""

    id: str
    """kbdeck card id (also the ankdown card's position key)."""
    area: int
    """0-based area index (ankdown: one directory per area)."""
    topic: str
    """kbdeck topic id `area-XX/topic-YYYY`."""
    q: str
    """Question Markdown (one line)."""
    a: str
    """Answer Markdown."""
    see: str
    """Heading anchor in the topic note."""


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def python_block(rng: random.Random, i: int) -> str:
    """An 8–15 line Python snippet, unique per card (so no cache can share work between cards)."""
    name = rng.choice(NAMES)
    lines = [
        f"def process_{i}({name}: list[int], limit: int = {rng.randint(2, 99)}) -> dict[str, int]:",
        f'    """Agrupa {name} do cartão {i}."""',
        "    seen: dict[str, int] = {}",
    ]
    groups = [  # whole statements, so every cut is valid Python (kbdeck check parses card code)
        [
            f"    for n, item in enumerate({name}):",
            "        if item % 2 == 0 and n < limit:",
            f'            seen[f"k{{item}}"] = seen.get(f"k{{item}}", 0) + {rng.randint(1, 9)}',
            "        elif item > limit:  # fora do limite",
            "            continue",
        ],
        [f"    total = sum(v * {rng.randint(2, 7)} for v in seen.values())"],
        [f"    if total > {rng.randint(100, 999)}:", "        raise ValueError(f'total alto: {total!r}')"],
        [f"    seen['total'] = total  # {_sentence(rng, 3)}"],
        [f"    seen['n'] = len({name})"],
        [f"    seen['max'] = max({name}, default=0)"],
    ]
    room = rng.randint(8, 15) - len(lines) - 1
    for group in groups:
        take = group if len(group) <= room else [f"    seen['x{j}'] = {j}" for j in range(room)]
        lines.extend(take)
        room -= len(take)
    return "\n".join([*lines, "    return seen"])


def has_code(i: int) -> bool:
    """Whether card `i` carries a fenced Python block (two cards in three)."""
    return i % 3 != 2


def cards_with_code(n: int) -> int:
    """How many of the first `n` cards carry a Python block: what every measured package must show highlighted."""
    return sum(1 for i in range(n) if has_code(i))


def make_cards(n: int, seed: int = 11) -> list[BenchCard]:
    rng = random.Random(seed)
    cards = []
    for i in range(n):
        t = i // CARDS_PER_TOPIC
        area = t % AREAS
        topic = f"area-{area:02d}/topic-{t:04d}"
        q = f"Como `process_{i}` trata **{rng.choice(WORDS)}** e {rng.choice(WORDS)} no tópico {t}?"
        parts = [
            f"Ele percorre `{rng.choice(NAMES)}` uma vez e usa um **dicionário** para {_sentence(rng, 8)}.",
            f"- custo: `O(n)` em {rng.choice(WORDS)}\n- cuidado com {_sentence(rng, 4)}\n- veja *{rng.choice(WORDS)}*",
        ]
        if has_code(i):
            parts.append(f"```python\n{python_block(rng, i)}\n```")
        parts.append(f"Resumo: {_sentence(rng, 10)}.")
        see = "conceito" if i % 2 else "exemplo"
        cards.append(BenchCard(f"c{i:06d}", area, topic, q, "\n\n".join(parts), see))
    return cards


def _yaml_block(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


def write_kbdeck(cards: list[BenchCard], root: Path) -> None:
    """kbdeck's tree: roadmap.yaml, one note and one YAML card file per topic."""
    topics: dict[str, list[BenchCard]] = {}
    for card in cards:
        topics.setdefault(card.topic, []).append(card)
    areas = "\n".join(f"  - {{id: area-{a:02d}, deck: Área {a:02d}}}" for a in range(AREAS))
    by_area: dict[int, list[str]] = {}
    for topic in topics:
        by_area.setdefault(int(topic[5:7]), []).append(topic)
    weeks = []
    for a, ids in sorted(by_area.items()):
        days = []
        for d in range(0, len(ids), TOPICS_PER_DAY):
            chunk = ids[d : d + TOPICS_PER_DAY]
            days.append(
                f"      - id: s{a + 1}-dia-{d // TOPICS_PER_DAY + 1}\n        title: Dia {d // TOPICS_PER_DAY + 1}\n"
                f"        flashcards: {CARDS_PER_TOPIC * len(chunk)}\n        topics: [{', '.join(chunk)}]"
            )
        weeks.append(f"  - id: semana-{a + 1}\n    title: Semana {a + 1}\n    days:\n" + "\n".join(days))
    (root / "roadmap.yaml").write_text(
        "id: bench-kb\ntitle: Bench KB\ndeck: Bench KB\nlanguage: pt-BR\n"
        f"targets: {{topics: {len(topics)}, flashcards: {len(cards)}, examples: 0, mock_interviews: 0}}\n"
        f"areas:\n{areas}\nweeks:\n" + "\n".join(weeks) + "\n",
        encoding="utf-8",
    )
    for topic, members in topics.items():
        note = root / f"{topic}.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(
            f"---\ntitle: Tópico {topic}\ntags: [bench]\nsummary: Tópico gerado.\n---\n\n"
            f"Introdução ao {topic}.\n\n## Conceito\n\nTexto com `código` e **ênfase**.\n\n"
            "## Exemplo\n\n```python\nprint(sum(range(10)))\n```\n\n"
            "## Referências\n- [docs](https://docs.python.org/3/)\n",
            encoding="utf-8",
        )
        flash = root / "flashcards" / f"{topic}.yaml"
        flash.parent.mkdir(parents=True, exist_ok=True)
        items = [
            f"- id: {c.id}\n  q: {_quote(c.q)}\n  a: |\n{_yaml_block(c.a, '    ')}\n  see: {c.see}\n" for c in members
        ]
        flash.write_text("\n".join(items), encoding="utf-8")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_ankdown(cards: list[BenchCard], root: Path) -> None:
    """ankdown's tree: one directory per deck, one .md per topic, `%` between sides, `---` between cards."""
    files: dict[Path, list[str]] = {}
    for card in cards:
        path = root / f"area-{card.area:02d}" / f"{card.topic.split('/')[1]}.md"
        files.setdefault(path, []).append(f"{card.q}\n\n%\n\n{card.a}\n")
    for path, items in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n---\n\n".join(items), encoding="utf-8")


def generate(n: int, out: Path, seed: int = 11) -> tuple[Path, Path]:
    """(kbdeck content dir, ankdown dir) under `out`, both rewritten from scratch."""
    cards = make_cards(n, seed)
    content, ankdown = out / "content", out / "ankdown"
    for root in (content, ankdown):
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
    write_kbdeck(cards, content)
    write_ankdown(cards, ankdown)
    return content, ankdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of cards")
    parser.add_argument("--out", type=Path, required=True, help="directory for content/ and ankdown/")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    content, ankdown = generate(args.n, args.out, args.seed)
    print(f"corpus: {args.n} cards → {content} (kbdeck), {ankdown} (ankdown)")


if __name__ == "__main__":
    main()
