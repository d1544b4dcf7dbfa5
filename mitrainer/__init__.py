"""mitrainer — practise motivational interviewing against simulated clients.

The package is a pure core (``scenario``, ``engine``, ``coding``, ``scoring``,
``export``, ``store``) with thin shells over it (``cli`` and ``tui``). Nothing in the
core imports Textual; ``tests/unit/test_architecture.py`` keeps it so.
"""

__version__ = "0.1.0"
