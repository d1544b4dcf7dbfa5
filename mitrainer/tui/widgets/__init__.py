"""Widgets the trainer's screens are built from."""
