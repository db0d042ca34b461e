"""The data model at the bottom of the house: what a knowledge base is, problems, slugs, words, note types.

Every other package imports from here; this package imports none of them (stdlib only), so the
model can be read and tested on its own.
"""
