"""The one font every printed document uses.

We ship WenQuanYi Micro Hei because it covers Chinese, Latin and digits in a single face: some CJK
fallback fonts have no digit glyphs, and amounts then vanish from the page without any error. The
font is embedded (as a subset) in every PDF, so documents print the same on any PC.
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from client.resources import resource_path

FONT_NAME = "YiweiSans"

# Documents may be rendered from a worker thread (preview) while the UI thread prints; the lock
# keeps two first calls from registering the font twice.
_lock = threading.Lock()


def register_fonts() -> str:
    """Register the shipped CJK font with reportlab (once) and return its name."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path = resource_path("fonts", "wqy-microhei.ttc")
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            # The font has no bold or italic face. Mapping the family onto the regular face keeps
            # <b>/<i> markup in paragraphs from failing; visible bold is simulated where it matters
            # (see layout.BoldText).
            pdfmetrics.registerFontFamily(
                FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
            )
    return FONT_NAME
