"""UI strings in English and Brazilian Portuguese, following Anki's interface language.

Two flat tables with the same keys (a test checks it) and `{name}` placeholders; no string of
the UI lives anywhere else. Numbers and percentages are formatted per language here too, so
renderers never hard-code a decimal separator. Stdlib-only: tests use it without Anki.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "menu_progress": "kbdeck progress",
    "view_title": "kbdeck — study progress",
    "panel_title": "Study progress",
    "open_view": "Full progress",
    "refresh": "Refresh",
    "computing": "Computing your progress…",
    "updated": "updated in {ms} ms",
    "no_kb_title": "No kbdeck knowledge base in this collection yet",
    "no_kb_help": (
        "Build a deck with <code>kbdeck build</code> (it writes <code>build/&lt;deck&gt;.apkg</code>) and import it "
        "with File → Import. Its roadmap and your progress then appear here."
    ),
    "kb_without_cards": "A kbdeck bundle is present, but none of its flashcards is in the collection.",
    "seen": "{pct} seen",
    "mature_pct": "{pct} mature",
    "due_today": "{n} due today",
    "retention": "retention {pct}",
    "retention_none": "no reviews in {n} days",
    "retention_none:one": "no reviews in {n} day",
    "retrievability": "avg. retrievability {pct}",
    "current_day": "Current day",
    "next_topic": "Next topic",
    "roadmap_done": "Every topic of the roadmap is studied. Keep up with the reviews!",
    "study_now": "Study now",
    "study_now_tip": "Create or refresh the filtered deck “{deck}” with this topic's cards",
    "open_note": "Open note",
    "topics_of_day": "{done}/{n} topics studied",
    "topics_of_day:one": "{done}/{n} topic studied",
    "cards_n": "{n} cards",
    "cards_n:one": "{n} card",
    "state_new": "New",
    "state_learning": "Learning",
    "state_young": "Young",
    "state_mature": "Mature",
    "state_suspended": "Suspended",
    "col_topic": "Topic",
    "col_cards": "Cards",
    "col_seen": "Seen",
    "col_mature": "Mature",
    "col_due": "Due",
    "col_retention": "Retention",
    "col_retrievability": "Retriev.",
    "col_actions": "",
    "counters": "Study guide",
    "counter_topics": "Topics studied",
    "counter_flashcards": "Flashcards in your collection",
    "counter_examples": "Runnable examples",
    "counter_mocks": "Mock interviews done",
    "of_target": "target {n}",
    "chart_title": "Cards studied per day, last {n} days",
    "chart_title:one": "Cards studied per day, last {n} day",
    "chart_total": "{n} answers",
    "chart_total:one": "{n} answer",
    "chart_today": "today",
    "other_topics": "Topics outside the roadmap",
    "mock_interviews": "Mock interviews",
    "mock_meta": "{n} sections, {minutes} min",
    "mock_meta:one": "{n} section, {minutes} min",
    "mark_done": "Mark done",
    "done": "Done",
    "undo_done": "Undo",
    "missing_cards": (
        "{n} flashcards of the latest build are not in your collection: import the newest .apkg (File → Import)."
    ),
    "missing_cards:one": (
        "{n} flashcard of the latest build is not in your collection: import the newest .apkg (File → Import)."
    ),
    "legend": "What the numbers mean",
    "def_states": (
        "New: never answered. Learning: in (re)learning steps. Young: review interval under 21 days. Mature: "
        "21 days or more. Suspended cards count apart."
    ),
    "def_seen": "Seen: answered at least once. Due: what Anki's is:due search finds now (reviews due today, "
    "learning cards due within the learn-ahead limit).",
    "def_retention": "Retention: share of review answers other than Again in the last {n} days.",
    "def_retention:one": "Retention: share of review answers other than Again in the last {n} day.",
    "def_retrievability": "Retrievability: FSRS's average predicted chance of recalling the cards you have seen.",
    "def_studied": (
        "A topic counts as studied when every card of it has been seen at least once (suspended cards aside)."
    ),
    "problems_title": "Some kbdeck bundles were ignored",
    "error": "kbdeck: {what} failed ({error}). Details are in the add-on's log.",
    "what_progress": "computing the progress",
    "what_study": "creating the filtered deck",
    "what_note": "opening the note",
    "what_mock": "saving the mock interview",
    "what_view": "opening the progress view",
    "study_empty": (
        "No card of “{topic}” can be studied now: they are all suspended, buried or in another filtered deck."
    ),
    "study_not_filtered": (
        "A normal deck named “{deck}” exists. Rename it, or change study_deck_name in the add-on's config."
    ),
    "study_ready": "“{deck}”: {n} cards of “{topic}”",
    "study_ready:one": "“{deck}”: {n} card of “{topic}”",
    "unknown_topic": "This topic is not in the current knowledge base any more; refresh the progress.",
    "note_missing": "The note of “{topic}” is not in the media folder. Import the newest .apkg of this deck.",
    "note_title": "{topic} — kbdeck note",
    "week_n": "Week",
    "day_n": "Day",
    "menu_update": "kbdeck: update from build",
    "update_button": "Update from build",
    "update_tip": "Import the newest build of the build folder and reconcile decks, tags and orphans",
    "what_update": "updating from the build",
    "open_in_editor": "Open in editor",
    "topics_of_the_day": "Topics of the day",
    "editor_failed": "The note could not be opened in the editor: {error}",
    "upd_window": "kbdeck — update from build",
    "upd_title": "{kb}: updated from the build",
    "upd_generations": "build {old} → {new}",
    "upd_nothing": "Nothing changed: the collection already had this build.",
    "upd_show": "Show",
    "upd_in_anki": "In Anki:",
    "upd_in_build": "In the build:",
    "upd_take_build": "Use the build's text",
    "upd_open_source": "Open the source",
    "upd_take_undo": "kbdeck: use the build's text",
    "upd_taken": "{id}: the build's text is back (Edit → Undo to keep yours).",
    "upd_new": "new notes",
    "upd_updated": "notes updated (their text changed in the content)",
    "upd_unchanged": "notes unchanged",
    "upd_moved": "cards moved to their new deck",
    "upd_orphaned": "notes that left the content, tagged {tag} (never deleted)",
    "upd_edited": "notes edited in Anki since the build",
    "upd_tags_restored": "updated notes whose Anki tags (leech, marked, your own) were put back",
    "upd_edited_title": "Edited in Anki after the build: {n}",
    "upd_edited_help": (
        "Their text in Anki is neither what the previous build gave them nor this build's: the update kept yours. "
        "Bring what you want to keep into the content; until then, updates from here keep your text (a plain "
        "File → Import of a newer build would replace it)."
    ),
    "upd_conflicting": (
        "{n} notes were not updated: their note type was changed in Anki. Import the build with File → Import "
        "and “Merge note types” (it forces a full sync)."
    ),
    "upd_conflicting:one": (
        "{n} note was not updated: its note type was changed in Anki. Import the build with File → Import and"
        " “Merge note types” (it forces a full sync)."
    ),
    "upd_held": "{n} cards sit in a filtered deck: they move to their new deck at a later update, once back home.",
    "upd_held:one": "{n} card sits in a filtered deck: it moves to its new deck at a later update, once back home.",
    "upd_orphan_help": (
        "Notes tagged {tag} keep their cards and history; search tag:{tag} in the browser to review or delete them."
    ),
    "upd_undo": "Edit → Undo reverts this update in one step (notes, tags, decks).",
    "upd_not_undoable": (
        "Not undoable: the build's media files stay, and the {n} superseded kbdeck files went to Anki's media "
        "trash (Tools → Check Media → Restore Deleted brings them back)."
    ),
    "upd_not_undoable:one": (
        "Not undoable: the build's media files stay, and the {n} superseded kbdeck file went to Anki's media "
        "trash (Tools → Check Media → Restore Deleted brings it back)."
    ),
    "upd_short": (
        "{kb} updated: {new} new, {updated} updated, {moved} moved, {orphaned} orphaned, {edited} edited in Anki"
    ),
    "upd_no_build": "No .apkg file in the build folder {folder}. Run kbdeck build, or fix build_folder in the config.",
    "upd_choose": "Choose a kbdeck build (.apkg)",
    "upd_undo_label": "kbdeck: update from build",
    "upd_bad_package": "This file is not a kbdeck build: {error}",
    "upd_nothing_to_show": "There is nothing to show for this line.",
    "mock_start": "Start",
    "mock_history": "Results",
    "mock_minutes": "{minutes} min",
    "mock_empty": "No card of “{mock}” can be studied now (all suspended, buried or in another filtered deck).",
    "mock_undo_start": "kbdeck: start {mock}",
    "mock_undo_finish": "kbdeck: finish {mock}",
    "mock_undo_abandon": "kbdeck: abandon {mock}",
    "mock_window": "Mock interview — {mock}",
    "mock_ready": "{n} sections, {minutes} minutes. Start when you are ready.",
    "mock_ready:one": "{n} section, {minutes} minutes. Start when you are ready.",
    "mock_start_section": "Start",
    "mock_next_section": "Next section",
    "mock_finish": "Finish",
    "mock_abandon": "Abandon",
    "mock_section_cards": "{n} cards",
    "mock_section_cards:one": "{n} card",
    "mock_section_problem": "coding problem",
    "mock_section_empty": "no card of this section can be studied now",
    "mock_hint_cards": "Answer the cards in the reviewer as in an interview: Again when you would not have known.",
    "mock_hint_problem": "Solve the problem in your editor, out loud; the note is open beside.",
    "mock_time_up": "Time is up: wrap up and move on.",
    "mock_saved": "Result saved",
    "close": "Close",
}

PT_BR: dict[str, str] = {
    "menu_progress": "Progresso kbdeck",
    "view_title": "kbdeck — progresso de estudo",
    "panel_title": "Progresso de estudo",
    "open_view": "Progresso completo",
    "refresh": "Atualizar",
    "computing": "Calculando o seu progresso…",
    "updated": "atualizado em {ms} ms",
    "no_kb_title": "Ainda não há base de conhecimento kbdeck nesta coleção",
    "no_kb_help": (
        "Gere um baralho com <code>kbdeck build</code> (ele grava <code>build/&lt;baralho&gt;.apkg</code>) e importe-o "
        "em Arquivo → Importar. O roteiro e o seu progresso aparecem então aqui."
    ),
    "kb_without_cards": "Há um pacote kbdeck, mas nenhum dos seus flashcards está na coleção.",
    "seen": "{pct} vistos",
    "mature_pct": "{pct} maduros",
    "due_today": "{n} para hoje",
    "retention": "retenção {pct}",
    "retention_none": "sem revisões em {n} dias",
    "retention_none:one": "sem revisões em {n} dia",
    "retrievability": "recuperabilidade média {pct}",
    "current_day": "Dia atual",
    "next_topic": "Próximo tópico",
    "roadmap_done": "Todos os tópicos do roteiro foram estudados. Mantenha as revisões em dia!",
    "study_now": "Estudar agora",
    "study_now_tip": "Cria ou atualiza o baralho filtrado “{deck}” com os cartões deste tópico",
    "open_note": "Abrir nota",
    "topics_of_day": "{done}/{n} tópicos estudados",
    "topics_of_day:one": "{done}/{n} tópico estudado",
    "cards_n": "{n} cartões",
    "cards_n:one": "{n} cartão",
    "state_new": "Novos",
    "state_learning": "Aprendendo",
    "state_young": "Jovens",
    "state_mature": "Maduros",
    "state_suspended": "Suspensos",
    "col_topic": "Tópico",
    "col_cards": "Cartões",
    "col_seen": "Vistos",
    "col_mature": "Maduros",
    "col_due": "Hoje",
    "col_retention": "Retenção",
    "col_retrievability": "Recuper.",
    "col_actions": "",
    "counters": "Guia de estudo",
    "counter_topics": "Tópicos estudados",
    "counter_flashcards": "Flashcards na sua coleção",
    "counter_examples": "Exemplos executáveis",
    "counter_mocks": "Entrevistas simuladas feitas",
    "of_target": "meta {n}",
    "chart_title": "Cartões estudados por dia, últimos {n} dias",
    "chart_title:one": "Cartões estudados por dia, último {n} dia",
    "chart_total": "{n} respostas",
    "chart_total:one": "{n} resposta",
    "chart_today": "hoje",
    "other_topics": "Tópicos fora do roteiro",
    "mock_interviews": "Entrevistas simuladas",
    "mock_meta": "{n} seções, {minutes} min",
    "mock_meta:one": "{n} seção, {minutes} min",
    "mark_done": "Marcar como feita",
    "done": "Feita",
    "undo_done": "Desfazer",
    "missing_cards": (
        "{n} flashcards do build mais recente não estão na sua coleção: importe o .apkg mais novo (Arquivo → Importar)."
    ),
    "missing_cards:one": (
        "{n} flashcard do build mais recente não está na sua coleção: importe o .apkg mais novo (Arquivo → Importar)."
    ),
    "legend": "O que os números significam",
    "def_states": (
        "Novos: nunca respondidos. Aprendendo: nas etapas de (re)aprendizado. Jovens: intervalo de revisão menor que "
        "21 dias. Maduros: 21 dias ou mais. Suspensos contam à parte."
    ),
    "def_seen": "Vistos: respondidos ao menos uma vez. Hoje: o que a busca is:due do Anki encontra agora (revisões "
    "de hoje, cartões em aprendizado dentro do limite de antecipação).",
    "def_retention": "Retenção: fração das respostas de revisão diferentes de De novo nos últimos {n} dias.",
    "def_retention:one": "Retenção: fração das respostas de revisão diferentes de De novo no último {n} dia.",
    "def_retrievability": "Recuperabilidade: chance média de lembrar, prevista pelo FSRS, dos cartões já vistos.",
    "def_studied": (
        "Um tópico conta como estudado quando todos os seus cartões foram vistos ao menos uma vez (exceto suspensos)."
    ),
    "problems_title": "Alguns pacotes kbdeck foram ignorados",
    "error": "kbdeck: falha ao {what} ({error}). Os detalhes estão no log do complemento.",
    "what_progress": "calcular o progresso",
    "what_study": "criar o baralho filtrado",
    "what_note": "abrir a nota",
    "what_mock": "salvar a entrevista simulada",
    "what_view": "abrir a tela de progresso",
    "study_empty": (
        "Nenhum cartão de “{topic}” pode ser estudado agora: todos estão suspensos, ocultos ou em outro baralho "
        "filtrado."
    ),
    "study_not_filtered": (
        "Já existe um baralho comum chamado “{deck}”. Renomeie-o ou mude study_deck_name na configuração do "
        "complemento."
    ),
    "study_ready": "“{deck}”: {n} cartões de “{topic}”",
    "study_ready:one": "“{deck}”: {n} cartão de “{topic}”",
    "unknown_topic": "Este tópico não está mais na base de conhecimento atual; atualize o progresso.",
    "note_missing": "A nota de “{topic}” não está na pasta de mídia. Importe o .apkg mais novo deste baralho.",
    "note_title": "{topic} — nota kbdeck",
    "week_n": "Semana",
    "day_n": "Dia",
    "menu_update": "kbdeck: atualizar a partir do build",
    "update_button": "Atualizar a partir do build",
    "update_tip": "Importa o build mais novo da pasta de builds e acerta baralhos, etiquetas e órfãos",
    "what_update": "atualizar a partir do build",
    "open_in_editor": "Abrir no editor",
    "topics_of_the_day": "Tópicos do dia",
    "editor_failed": "Não foi possível abrir a nota no editor: {error}",
    "upd_window": "kbdeck — atualizar a partir do build",
    "upd_title": "{kb}: atualizado a partir do build",
    "upd_generations": "build {old} → {new}",
    "upd_nothing": "Nada mudou: a coleção já tinha este build.",
    "upd_show": "Mostrar",
    "upd_in_anki": "No Anki:",
    "upd_in_build": "No build:",
    "upd_take_build": "Usar o texto do build",
    "upd_open_source": "Abrir a fonte",
    "upd_take_undo": "kbdeck: usar o texto do build",
    "upd_taken": "{id}: o texto do build voltou (Editar → Desfazer para manter o seu).",
    "upd_new": "notas novas",
    "upd_updated": "notas atualizadas (o texto mudou no conteúdo)",
    "upd_unchanged": "notas sem mudança",
    "upd_moved": "cartões movidos para o novo baralho",
    "upd_orphaned": "notas que saíram do conteúdo, com a etiqueta {tag} (nunca apagadas)",
    "upd_edited": "notas editadas no Anki depois do build",
    "upd_tags_restored": "notas atualizadas cujas etiquetas do Anki (leech, marked, as suas) foram repostas",
    "upd_edited_title": "Editadas no Anki depois do build: {n}",
    "upd_edited_help": (
        "O texto delas no Anki não é o que o build anterior deu a elas nem o deste build: a atualização manteve o "
        "seu. Leve para o conteúdo o que quiser manter; até lá, as atualizações feitas por aqui mantêm o seu "
        "texto (um Arquivo → Importar comum de um build mais novo o substituiria)."
    ),
    "upd_conflicting": (
        "{n} notas não foram atualizadas: o tipo de nota delas foi alterado no Anki. Importe o build em Arquivo "
        "→ Importar com “Mesclar tipos de nota” (isso força uma sincronização completa)."
    ),
    "upd_conflicting:one": (
        "{n} nota não foi atualizada: o tipo de nota dela foi alterado no Anki. Importe o build em Arquivo → "
        "Importar com “Mesclar tipos de nota” (isso força uma sincronização completa)."
    ),
    "upd_held": (
        "{n} cartões estão num baralho filtrado: vão para o novo baralho numa próxima atualização, quando voltarem."
    ),
    "upd_held:one": (
        "{n} cartão está num baralho filtrado: vai para o novo baralho numa próxima atualização, quando voltar."
    ),
    "upd_orphan_help": (
        "Notas com a etiqueta {tag} mantêm cartões e histórico; busque tag:{tag} no navegador para revisá-las "
        "ou apagá-las."
    ),
    "upd_undo": "Editar → Desfazer reverte esta atualização num passo (notas, etiquetas, baralhos).",
    "upd_not_undoable": (
        "Não dá para desfazer: os arquivos de mídia do build ficam, e {n} arquivos kbdeck substituídos foram "
        "para a lixeira de mídia do Anki (Ferramentas → Verificar mídia → Restaurar apagados os traz de volta)."
    ),
    "upd_not_undoable:one": (
        "Não dá para desfazer: os arquivos de mídia do build ficam, e {n} arquivo kbdeck substituído foi para"
        " a lixeira de mídia do Anki (Ferramentas → Verificar mídia → Restaurar apagados o traz de volta)."
    ),
    "upd_short": (
        "{kb} atualizado: {new} novas, {updated} atualizadas, {moved} movidas, {orphaned} órfãs, {edited} "
        "editadas no Anki"
    ),
    "upd_no_build": (
        "Nenhum .apkg na pasta de builds {folder}. Rode kbdeck build, ou corrija build_folder na configuração."
    ),
    "upd_choose": "Escolha um build kbdeck (.apkg)",
    "upd_undo_label": "kbdeck: atualizar a partir do build",
    "upd_bad_package": "Este arquivo não é um build kbdeck: {error}",
    "upd_nothing_to_show": "Não há nada para mostrar nesta linha.",
    "mock_start": "Começar",
    "mock_history": "Resultados",
    "mock_minutes": "{minutes} min",
    "mock_empty": (
        "Nenhum cartão de “{mock}” pode ser estudado agora (todos suspensos, ocultos ou em outro baralho filtrado)."
    ),
    "mock_undo_start": "kbdeck: começar {mock}",
    "mock_undo_finish": "kbdeck: concluir {mock}",
    "mock_undo_abandon": "kbdeck: abandonar {mock}",
    "mock_window": "Entrevista simulada — {mock}",
    "mock_ready": "{n} seções, {minutes} minutos. Comece quando estiver pronto.",
    "mock_ready:one": "{n} seção, {minutes} minutos. Comece quando estiver pronto.",
    "mock_start_section": "Começar",
    "mock_next_section": "Próxima seção",
    "mock_finish": "Concluir",
    "mock_abandon": "Abandonar",
    "mock_section_cards": "{n} cartões",
    "mock_section_cards:one": "{n} cartão",
    "mock_section_problem": "problema de código",
    "mock_section_empty": "nenhum cartão desta seção pode ser estudado agora",
    "mock_hint_cards": "Responda os cartões no revisor como numa entrevista: Errei quando você não saberia.",
    "mock_hint_problem": "Resolva o problema no seu editor, em voz alta; a nota está aberta ao lado.",
    "mock_time_up": "O tempo acabou: conclua e siga em frente.",
    "mock_saved": "Resultado salvo",
    "close": "Fechar",
}

TABLES = {"en": EN, "pt-BR": PT_BR}


def normalize(lang: str) -> str:
    """Anki's language code (e.g. "pt_BR", "pt-PT", "en_GB") → one of our tables."""
    return "pt-BR" if lang.replace("_", "-").lower().startswith("pt") else "en"


class Translator:
    """Looks strings up in one table (English as the fallback) and formats numbers for that language."""

    def __init__(self, lang: str) -> None:
        self.lang = normalize(lang)
        self._table = TABLES[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        """The string `key` filled with `values`; an int `n` picks the singular form and is formatted.

        A table may hold `key:one` beside `key` (the other plural form): it is used when `n` is
        "one" in this language's CLDR rules (English: 1; Portuguese: 0 and 1, as in Anki's own
        pt-BR strings). So `tr("cards_n", n=1)` reads "1 card" / "1 cartão" and `n=1234` reads
        "1,234 cards" / "1.234 cartões" — callers pass the count, never a pre-formatted number.
        """
        n = values.get("n")
        if isinstance(n, int) and not isinstance(n, bool):
            if self.plural_one(n):
                key = f"{key}:one" if f"{key}:one" in self._table or f"{key}:one" in EN else key
            values = {**values, "n": self.num(n)}
        text = self._table.get(key) or EN.get(key, key)
        return text.format(**values) if values else text

    def plural_one(self, n: int) -> bool:
        """True when `n` takes the singular ("one") form in this language."""
        return n in (0, 1) if self.lang == "pt-BR" else n == 1

    def num(self, n: float) -> str:
        """Grouped integer: 12,345 (en) / 12.345 (pt-BR)."""
        text = f"{round(n):,}"
        return text.replace(",", ".") if self.lang == "pt-BR" else text

    def pct(self, value: float | None, digits: int = 0) -> str:
        """A percentage like 42% or 87.5% (87,5% in pt-BR); an em dash when there is no value."""
        if value is None:
            return "—"
        text = f"{value:.{digits}f}%"
        return text.replace(".", ",") if self.lang == "pt-BR" else text


def anki_language() -> str:
    """Anki's current interface language ("en" when Anki is not loaded)."""
    try:
        from anki.lang import current_lang
    except ImportError:
        return "en"
    return str(current_lang or "en")


def translator(setting: str) -> Translator:
    """The translator for the `language` setting ("auto" follows Anki)."""
    return Translator(anki_language() if setting == "auto" else setting)
