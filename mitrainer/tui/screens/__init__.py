"""The trainer's screens: home, briefing, practice, summary, and their dialogs."""
