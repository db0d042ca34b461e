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
    "retrievability": "avg. retrievability {pct}",
    "current_day": "Current day",
    "next_topic": "Next topic",
    "roadmap_done": "Every topic of the roadmap is studied. Keep up with the reviews!",
    "study_now": "Study now",
    "study_now_tip": "Create or refresh the filtered deck “{deck}” with this topic's cards",
    "open_note": "Open note",
    "topics_of_day": "{done}/{total} topics studied",
    "cards_n": "{n} cards",
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
    "chart_total": "{n} answers",
    "chart_today": "today",
    "other_topics": "Topics outside the roadmap",
    "mock_interviews": "Mock interviews",
    "mock_meta": "{sections} sections, {minutes} min",
    "mark_done": "Mark done",
    "done": "Done",
    "undo_done": "Undo",
    "missing_cards": (
        "{n} flashcards of the latest build are not in your collection: import the newest .apkg (File → Import)."
    ),
    "legend": "What the numbers mean",
    "def_states": (
        "New: never answered. Learning: in (re)learning steps. Young: review interval under 21 days. Mature: "
        "21 days or more. Suspended cards count apart."
    ),
    "def_seen": "Seen: answered at least once. Due: what Anki's is:due search finds now (reviews due today, "
    "learning cards due within the learn-ahead limit).",
    "def_retention": "Retention: share of review answers other than Again in the last {n} days.",
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
    "unknown_topic": "This topic is not in the current knowledge base any more; refresh the progress.",
    "note_missing": "The note of “{topic}” is not in the media folder. Import the newest .apkg of this deck.",
    "note_title": "{topic} — kbdeck note",
    "week_n": "Week",
    "day_n": "Day",
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
    "retrievability": "recuperabilidade média {pct}",
    "current_day": "Dia atual",
    "next_topic": "Próximo tópico",
    "roadmap_done": "Todos os tópicos do roteiro foram estudados. Mantenha as revisões em dia!",
    "study_now": "Estudar agora",
    "study_now_tip": "Cria ou atualiza o baralho filtrado “{deck}” com os cartões deste tópico",
    "open_note": "Abrir nota",
    "topics_of_day": "{done}/{total} tópicos estudados",
    "cards_n": "{n} cartões",
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
    "chart_total": "{n} respostas",
    "chart_today": "hoje",
    "other_topics": "Tópicos fora do roteiro",
    "mock_interviews": "Entrevistas simuladas",
    "mock_meta": "{sections} seções, {minutes} min",
    "mark_done": "Marcar como feita",
    "done": "Feita",
    "undo_done": "Desfazer",
    "missing_cards": (
        "{n} flashcards do build mais recente não estão na sua coleção: importe o .apkg mais novo (Arquivo → Importar)."
    ),
    "legend": "O que os números significam",
    "def_states": (
        "Novos: nunca respondidos. Aprendendo: nas etapas de (re)aprendizado. Jovens: intervalo de revisão menor que "
        "21 dias. Maduros: 21 dias ou mais. Suspensos contam à parte."
    ),
    "def_seen": "Vistos: respondidos ao menos uma vez. Hoje: o que a busca is:due do Anki encontra agora (revisões "
    "de hoje, cartões em aprendizado dentro do limite de antecipação).",
    "def_retention": "Retenção: fração das respostas de revisão diferentes de Errei nos últimos {n} dias.",
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
    "unknown_topic": "Este tópico não está mais na base de conhecimento atual; atualize o progresso.",
    "note_missing": "A nota de “{topic}” não está na pasta de mídia. Importe o .apkg mais novo deste baralho.",
    "note_title": "{topic} — nota kbdeck",
    "week_n": "Semana",
    "day_n": "Dia",
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
        text = self._table.get(key) or EN.get(key, key)
        return text.format(**values) if values else text

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
