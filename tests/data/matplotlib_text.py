#!/usr/bin/env python3
"""Where matplotlib's Agg backend puts each glyph of a line of text, for the tests of
src/render/font.rs and text.rs: matplotlib's own layout (libraqm over FreeType with the
default hinting) of the font plotrand-mpi embeds, assets/DejaVuSans.ttf.

Run it with the venv scripts/pyenv.sh makes (its pinned matplotlib is the one the numbers
are matplotlib's of), from the repository's root:

    python=$(scripts/pyenv.sh)
    "$python" tests/data/matplotlib_text.py > tests/data/matplotlib_text.json

The unit tests read tests/data/matplotlib_text.json (include_str!);
tests/integration/matplotlib_text.rs runs this script and fails when the checked-in file is
not what it prints.

For each size the figures use (10 pt labels, 12 pt titles, at 100 dpi):
- "advances": each character's hinted advance in pixels (FreeType's `horiAdvance`);
- "kerned pairs": every pair of those characters whose second glyph does not start at the
  first's advance, with where it starts: the font's kerning as HarfBuzz applies it;
- "ligatures": pairs set as one glyph, with that glyph's index;
- "labels": for some labels, each glyph's index and x offset from the line's start
  (`FT2Font._layout`, as `RendererAgg.draw_text` places them), and the line's width, height
  and descent (`set_text`, `get_width_height`, `get_descent`: what `Text._get_layout` aligns
  by), hinted, and its width unhinted (as matplotlib's vector backends measure it).
"""

import json
import os
import sys

import matplotlib
from matplotlib.ft2font import FT2Font, LoadFlags

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = os.path.join(HERE, "..", "..", "assets", "DejaVuSans.ttf")
DPI = 100
SIZES_PT = [10, 12]
CHARS = [chr(c) for c in range(0x20, 0x7F)] + list("°é−…µ²³×üÅ")
LABELS = [
    "longitude [degrees_east]",
    "latitude [degrees_north]",
    "time",
    "Sea surface temperature [K]",
    "/tas, time = 2000-01-15",
    "near-surface air temperature [K]",
    "0.0",
    "0.2",
    "−0.5",
    "1e−11",
    "100000",
    "Jan-01 12:00",
    "2020-Jan-05",
    "AVAVAV Tokyo, Wolf's fifty offices",
    "−40 °C … 30 °C",
]


def px(sixty_fourths):
    return sixty_fourths / 64


def size_table(pt):
    font = FT2Font(FONT)
    font.set_size(pt, DPI)
    advances = {c: px(font.load_char(ord(c), flags=LoadFlags.DEFAULT).horiAdvance) for c in CHARS}
    kerned, ligatures = {}, {}
    for a in CHARS:
        for b in CHARS:
            items = list(font._layout(a + b, LoadFlags.DEFAULT))
            if len(items) == 1:
                ligatures[a + b] = items[0].glyph_index
            elif items[1].x != advances[a]:
                kerned[a + b] = items[1].x
    labels = {}
    for label in LABELS:
        items = list(font._layout(label, LoadFlags.DEFAULT))
        font.set_text(label, 0.0, flags=LoadFlags.DEFAULT)
        width, height = font.get_width_height()
        descent = font.get_descent()
        font.set_text(label, 0.0, flags=LoadFlags.NO_HINTING)
        unhinted = font.get_width_height()[0]
        labels[label] = {
            "glyphs": [item.glyph_index for item in items],
            "x": [item.x for item in items],
            "width": px(width),
            "height": px(height),
            "descent": px(descent),
            "unhinted width": px(unhinted),
        }
    return {"advances": advances, "kerned pairs": kerned, "ligatures": ligatures, "labels": labels}


def main():
    table = {
        "matplotlib": matplotlib.__version__,
        "freetype": matplotlib.ft2font.__freetype_version__,
        "libraqm": matplotlib.ft2font.__libraqm_version__,
        "sizes pt": {str(pt): size_table(pt) for pt in SIZES_PT},
    }
    json.dump(table, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
