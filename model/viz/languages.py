"""The languages figures and reports are labelled in.

Kept apart from :mod:`model.viz.style` so that a command can check ``--lang`` without
starting matplotlib (``run --no-figures`` draws nothing).
"""

from __future__ import annotations

#: Label languages: English and Chinese.
LANGS = ("en", "zh")
