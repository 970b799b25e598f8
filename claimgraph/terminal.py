"""Article-derived text made safe for a terminal before Rich prints it.

Titles, bylines, quotes, speaker names and imported fact-checks are hostile input: an ESC
sequence in a title could recolour, retitle or clear the terminal, move the cursor to hide a
line, or (on some terminals) write to the clipboard. Rich strips only a few controls (BEL, BS,
VT, FF, CR), so every CLI string that comes from the database goes through `clean` (or `escape`,
which also neutralises Rich markup) first.
"""

from __future__ import annotations

import re

from rich.markup import escape as _markup_escape

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F: CSI, OSC, ... as
# single code points).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: object) -> str:
    """`value` as text without control characters (newline and tab kept)."""
    return _CONTROLS.sub("", str(value))


def escape(value: object) -> str:
    """`value` as text for a Rich markup string: no control characters, no live markup."""
    return _markup_escape(clean(value))
