"""The Textual trainer: a thin shell over the core (the only package that imports Textual)."""
