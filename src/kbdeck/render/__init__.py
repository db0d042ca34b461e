"""Stage 3, **render**: the loaded model to each note's HTML fields (Markdown, highlighted code, note sections).

Imports: content (syntax, outputs, images), model, support (the fragment cache).
"""
