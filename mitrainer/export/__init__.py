"""Leaving the trainer: reflection logs, portfolios, portable bundles and group review.

* :func:`export_session` / :func:`render_session` — a session as Markdown, HTML, JSON, CSV
  or a portable bundle (``mitrainer export``, the Summary screen's Export action);
* :mod:`mitrainer.export.portfolio` — progress over time across a trainee's sessions;
* :mod:`mitrainer.export.bundles` — portable, checksummed session bundles and importing them;
* :mod:`mitrainer.export.group` — a study group's sessions side by side;
* :mod:`mitrainer.export.review` — human re-coding of a session and agreement (kappa).

Templates are Jinja2 files in ``mitrainer/templates/``; an instructor may override any of
them from a folder of their own (see :mod:`mitrainer.export.render`). Nothing here imports
Textual.
"""

from mitrainer.export.render import FORMATS, export_session, render_session

__all__ = ["FORMATS", "export_session", "render_session"]
