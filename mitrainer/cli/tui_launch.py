"""Bare ``mitrainer``: open the trainer (Textual is imported only here)."""

from __future__ import annotations

import argparse


def launch(args: argparse.Namespace) -> int:
    from mitrainer.tui.app import run_app

    return run_app(args.settings)
