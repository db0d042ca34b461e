"""Stage 1–2 of the storyboard, **load → check**: content files to the model, with every problem at once.

The content's syntax lives here (YAML with spans, fences and includes, clozes in code, raw HTML
rules, images) beside the loader and the checker that use it, and so do the recorded outputs of
output cards (what a snippet prints is a fact about the content). Imports: model, support.
"""
