"""The demo school «СОШ №1» and its commands (``seed_demo``, ``demo_code`` …).

The top floor of the house: it imports every app it fills, and no app imports it; only
its own management commands and tests use ``ejournal.demo.builder``.
"""
