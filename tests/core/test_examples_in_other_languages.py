"""Examples in other languages: a `.sql` file under examples/ with `-- region:` markers is included on cards
like a Python region (highlighted as SQL, deletions by `hide:`), while the knowledge base's counts and the
add-on's list stay its runnable Python examples, one of which runs the SQL."""

from __future__ import annotations

import json
import re
import textwrap
import zipfile
from pathlib import Path

import pytest
from anki_helpers import import_apkg, new_collection
from kbtest import make_content

from kbdeck.build import build, summary
from kbdeck.cli import main
from kbdeck.content.load import load
from kbdeck.model.problems import Problems
from kbdeck.stats import compute

SQL = """
-- Índices de expressão: o que o card mostra, rodado por run_sql.py.

CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);

-- region: expression-index
CREATE INDEX users_email_lower ON users (lower(email));
-- endregion: expression-index

-- region: lookup
SELECT id FROM users WHERE lower(email) = 'ana@x.io';
-- endregion: lookup
"""

CARDS = """
- id: sql-cloze
  cloze: |
    Para `WHERE lower(email) = $1` usar índice:

    @include examples/demo/indexes.sql#expression-index
  hide:
    - c1::lower(email)
  see: por-que-existe

- id: sql-basic
  q: O que esta consulta precisa para usar o índice?
  a: |
    @include examples/demo/indexes.sql#lookup

    A mesma expressão do índice.
  see: por-que-existe
"""


def kb_with(tmp_path: Path, cards: str = CARDS, sql: str = SQL, **files: str) -> Path:
    content = make_content(tmp_path, {"examples/demo/indexes.sql": sql, **files})
    gil = content / "flashcards/lang/gil.yaml"
    gil.write_text(gil.read_text(encoding="utf-8") + textwrap.dedent(cards), encoding="utf-8")
    return content


def test_a_sql_region_reaches_the_card_highlighted_as_sql_and_imports(tmp_path: Path) -> None:
    content = kb_with(tmp_path)
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    (cloze,) = [col.get_note(n) for n in col.find_notes('"Id:sql-cloze"')]
    assert 'data-lang="sql"' in cloze["Text"] and ">indexes.sql<" in cloze["Text"]
    assert '<span class="k">CREATE</span>' in cloze["Text"] and "{{c1::lower(email)}}" in cloze["Text"]
    assert "-- region" not in cloze["Text"] and "CREATE TABLE" not in cloze["Text"]  # the region alone
    question = re.sub(r"<[^>]+>", "", cloze.cards()[0].question())
    assert "ON users ([...]);" in question  # the deletion, inside the SQL
    (basic,) = [col.get_note(n) for n in col.find_notes('"Id:sql-basic"')]
    assert "WHERE</span>" in basic["Back"] and 'data-lang="sql"' in basic["Back"]
    col.close()


def test_only_python_examples_are_counted_and_listed_for_the_add_on(tmp_path: Path) -> None:
    """The summary, `kbdeck stats` and the bundle count runnable examples; a .sql file, a YAML file with no
    comment and a data file beside them neither count nor warn."""
    content = kb_with(tmp_path, **{"examples/demo/compose.yaml": "services: {}\n", "examples/demo/rows.csv": "a,b\n"})
    result = build(content, tmp_path / "out")
    assert result.apkg is not None and not result.problems.items, result.problems.render_text()
    assert "; 1 example; " in summary(result)  # hello.py
    with zipfile.ZipFile(result.apkg) as zf:
        names = json.loads(zf.read("media"))
        (bundle,) = [zf.read(i) for i, n in names.items() if n.endswith(".json") and "bundle" in n]
    data = json.loads(bundle)
    assert [e["id"] for e in data["examples"]] == ["demo/hello"]
    assert all("indexes.sql" not in e for t in data["topics"].values() for e in t["examples"])
    assert data["topics"]["lang/gil"]["examples"] == ["demo/hello"]


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        (lambda sql, cards: (sql.replace("-- endregion: lookup", ""), cards), "unbalanced-region", "add `-- endregion"),
        (
            lambda sql, cards: (sql + "-- endregion\n", cards),
            "unbalanced-region",
            "open the region above it with `-- region",
        ),
        (lambda sql, cards: (sql, cards.replace("indexes.sql#lookup", "indexes.sql#nope")), "bad-include", "regions:"),
        (
            lambda sql, cards: (sql, cards.replace("demo/indexes.sql#lookup", "demo/other.sql#lookup")),
            "bad-include",
            "",
        ),
        (
            lambda sql, cards: (sql, cards + "\n- id: sql-out\n  include: examples/demo/indexes.sql#lookup\n"),
            "output-not-python",
            "not Python",
        ),
    ],
)
def test_a_wrong_sql_example_or_reference_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: object, code: str, words: str
) -> None:
    sql, cards = edit(SQL, CARDS)  # type: ignore[operator]
    content = kb_with(tmp_path, cards, sql)
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    found = [ln for ln in err.splitlines() if f"error[{code}]" in ln]
    assert found and re.match(r"^\S+:\d+:\d+: error\[", found[0]) and words in err, err
    if code == "bad-include":
        assert ".sql" in found[0] and ".sql.py" not in found[0]  # named as the file it is


def test_an_example_id_names_its_file_and_back() -> None:
    """One pair of functions maps files to ids and back: a Python stem may hold a dot (`v1.2.py`), a .sql file
    keeps its suffix in its id."""
    from pathlib import PurePosixPath

    from kbdeck.content.examples import example_file, example_id

    for path in ("g/hello.py", "g/v1.2.py", "databases/indexes.sql", "ops/deploy.sh", "ops/compose.yaml"):
        ex_id = example_id(PurePosixPath(path))
        assert example_file(ex_id) == f"examples/{path}", ex_id
    assert example_id(PurePosixPath("g/v1.2.py")) == "g/v1.2"


def test_a_private_module_is_a_helper_cards_include_but_no_example(tmp_path: Path) -> None:
    """`_name.py` under examples/ is what the examples import (the `run_examples` script skips it too): a card
    includes its region, and it is neither counted nor listed nor asked for a docstring."""
    helper = "import re\n\n# region: split\ndef split(sql: str) -> list[str]:\n    return sql.split(';')\n"
    helper += "# endregion: split\n"
    cards = CARDS + textwrap.dedent("""
        - id: helper-basic
          q: Como o runner divide o SQL?
          a: |
            @include examples/demo/_sql.py#split
          see: por-que-existe
    """)
    content = kb_with(tmp_path, cards, **{"examples/demo/_sql.py": helper})
    result = build(content, tmp_path / "out")
    assert result.apkg is not None and not result.problems.items, result.problems.render_text()
    assert "; 1 example; " in summary(result)  # hello.py alone
    with zipfile.ZipFile(result.apkg) as zf:
        names = json.loads(zf.read("media"))
        (bundle,) = [zf.read(i) for i, n in names.items() if n.endswith(".json") and "bundle" in n]
    assert [e["id"] for e in json.loads(bundle)["examples"]] == ["demo/hello"]
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    (note,) = [col.get_note(n) for n in col.find_notes('"Id:helper-basic"')]
    assert 'data-lang="python"' in note["Back"] and "split" in note["Back"] and "# region" not in note["Back"]
    col.close()
    kb = load(content, Problems())
    assert kb is not None and compute(kb)["examples"]["have"] == 1  # the same count in `kbdeck stats`
