"""The Textual trainer: a thin shell over the core (scenario, engine, coding, scoring, store)."""
