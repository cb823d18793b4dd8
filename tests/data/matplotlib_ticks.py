#!/usr/bin/env python3
"""The tick labels matplotlib draws, for every case the tick unit tests of src/render/ticks/
check: the expectations of those tests, regenerated from matplotlib itself.

Run it with the venv scripts/pyenv.sh makes (its pinned matplotlib is the one the expected
labels are matplotlib's of), from the repository's root:

    python=$(scripts/pyenv.sh)
    "$python" tests/data/matplotlib_ticks.py > tests/data/matplotlib_ticks.json

The unit tests read tests/data/matplotlib_ticks.json (include_str!); tests/ticks_matplotlib.rs
runs this script and fails when the checked-in file is not what it prints.

Every case is one axis of a 6.4×4.8 in figure at 100 dpi (matplotlib's default; the x axis is
496 px long, the y axis 369.6 px), or of a 3×2 in one, with its view limits set to the case's.
Linear axes keep matplotlib's AutoLocator and ScalarFormatter; date axes get an
AutoDateLocator with a ConciseDateFormatter (as xarray's `_set_concise_date` installs them on
datetime64 axes) or an AutoDateFormatter (matplotlib's own default). Dates are seconds since
1970-01-01 in the tests and days since 1970-01-01 (matplotlib's epoch) here.

plotrand-mpi draws matplotlib's ticks except where neighbouring labels would overlap: then it
takes the first sparser locator whose labels clear each other (x labels half an em apart,
y labels a line of 1.2 em), measuring labels by DejaVu Sans's advance widths. Cases marked
`overlap` follow that rule here too, the sparser locators being matplotlib's own
(MaxNLocator with fewer bins; YearLocator, MonthLocator, ..., MicrosecondLocator as
AutoDateLocator builds them with `interval_multiples=True`), their labels matplotlib's.
Cases without it are matplotlib's choice as it stands.
"""

import json
import sys
import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font, LoadFlags  # noqa: E402

DPI = 100
FONT_PT = 10
EM_PX = FONT_PT * DPI / 72
MIN_X_GAP_EM = 0.5
LABEL_HEIGHT_EM = 1.2
SECONDS_PER_DAY = 86400
# The figures the cases' axes belong to, by the axis length the tests pass.
FIGURES = {
    ("x", 496.0): (6.4, 4.8),
    ("y", 369.6): (6.4, 4.8),
    ("x", 232.5): (3.0, 2.0),
}
STEPS = [1, 2, 2.5, 5, 10]

FONT = FT2Font(
    font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False
    )
)


def advance_em(char):
    """A character's advance width in em, from the font matplotlib draws tick labels in."""
    glyph = FONT.load_char(ord(char), flags=LoadFlags.NO_SCALE)
    return glyph.horiAdvance / FONT.units_per_EM


def label_width_px(label):
    width = 0.0
    for char in label:
        width += advance_em(char)
    return width * EM_PX


def apart(a, b, lo, hi, length, vertical):
    (va, la), (vb, lb) = a, b
    distance = abs((vb - va) / (hi - lo) * length)
    if vertical:
        return distance >= LABEL_HEIGHT_EM * EM_PX
    half_widths = (label_width_px(la) + label_width_px(lb)) / 2
    return distance - half_widths >= MIN_X_GAP_EM * EM_PX


def fits(ticks, lo, hi, length, vertical):
    return all(apart(a, b, lo, hi, length, vertical) for a, b in zip(ticks, ticks[1:]))


class Axis:
    """One axis of a fresh figure, its view limits set."""

    def __init__(self, name, length, lo, hi, dates):
        figsize = FIGURES.get((name, length), (6.4, 4.8))
        self.fig, ax = plt.subplots(figsize=figsize, dpi=DPI)
        self.axis = ax.xaxis if name == "x" else ax.yaxis
        if dates:
            self.axis.axis_date()
        set_lim = ax.set_xlim if name == "x" else ax.set_ylim
        set_lim(lo, hi)
        bbox = ax.get_window_extent()
        drawn = bbox.width if name == "x" else bbox.height
        assert abs(drawn - length) < 1e-9, f"{name} axis {drawn} px, not {length}"

    def ticks(self, locator=None, formatter=None):
        """(value, label) of the ticks drawn, and the offset text, for this locator."""
        if locator is not None:
            self.axis.set_major_locator(locator)
        if formatter is not None:
            self.axis.set_major_formatter(formatter)
        drawn = self.axis._update_ticks()
        ticks = sorted((t.get_loc(), t.label1.get_text()) for t in drawn)
        return ticks, self.axis.major.formatter.get_offset() or None

    def close(self):
        plt.close(self.fig)


# ---------------------------------------------------------------------------------------------
# Linear axes
# ---------------------------------------------------------------------------------------------


def linear(axis_name, lo, hi, length, overlap=True, bins=None):
    axis = Axis(axis_name, length, lo, hi, dates=False)
    try:
        if bins is not None:
            return axis.ticks(mticker.MaxNLocator(nbins=bins, steps=STEPS))
        first = axis.ticks()  # AutoLocator: matplotlib's own choice
        if not overlap:
            return first
        most = int(np.clip(axis.axis.get_tick_space(), 1, 9))
        view = sorted((lo, hi))
        for n in range(most, 0, -1):
            ticks, offset = axis.ticks(mticker.MaxNLocator(nbins=n, steps=STEPS))
            if n == most:
                assert (ticks, offset) == first, "AutoLocator is MaxNLocator(nbins='auto')"
            if fits(ticks, *view, length, axis_name == "y"):
                return ticks, offset
        raise AssertionError(f"no bin count clears the labels of {lo}..{hi}")
    finally:
        axis.close()


# ---------------------------------------------------------------------------------------------
# Date axes
# ---------------------------------------------------------------------------------------------

# AutoDateLocator's frequencies, coarsest first, with their intervals (`intervald`, DAILY's
# 3 and 21 dropped as `interval_multiples=True` does).
FREQS = ["yearly", "monthly", "daily", "hourly", "minutely", "secondly", "microsecondly"]


def intervals(freq):
    auto = mdates.AutoDateLocator()
    key = {
        "yearly": mdates.YEARLY,
        "monthly": mdates.MONTHLY,
        "daily": mdates.DAILY,
        "hourly": mdates.HOURLY,
        "minutely": mdates.MINUTELY,
        "secondly": mdates.SECONDLY,
        "microsecondly": mdates.MICROSECONDLY,
    }[freq]
    found = auto.intervald[key]
    if freq == "daily":
        found = [i for i in found if i not in (3, 21)]
    return found


def locator_for(freq, interval):
    """The locator AutoDateLocator builds for `freq` every `interval` units."""
    if freq == "yearly":
        return mdates.YearLocator(interval)
    if freq == "monthly":
        return mdates.MonthLocator(bymonth=range(1, 13, interval))
    if freq == "daily":
        days = {7: [1, 8, 15, 22], 14: [1, 15]}.get(interval, range(1, 32, interval))
        return mdates.DayLocator(bymonthday=days)
    if freq == "hourly":
        return mdates.HourLocator(byhour=range(0, 24, interval))
    if freq == "minutely":
        return mdates.MinuteLocator(byminute=range(0, 60, interval))
    if freq == "secondly":
        return mdates.SecondLocator(bysecond=range(0, 60, interval))
    return mdates.MicrosecondLocator(interval)


def picked(auto, view):
    """(frequency, interval) of the locator AutoDateLocator picks for the view (days)."""
    dmin, dmax = (mdates.num2date(v) for v in view)
    loc = auto.get_locator(dmin, dmax)
    if isinstance(loc, mdates.MicrosecondLocator):
        return "microsecondly", loc._interval
    if isinstance(loc, mdates.YearLocator):
        return "yearly", loc.base.step
    rule = loc.rule._rrule
    freq = {mdates.MONTHLY: "monthly", mdates.DAILY: "daily", mdates.HOURLY: "hourly",
            mdates.MINUTELY: "minutely", mdates.SECONDLY: "secondly"}[rule._freq]
    field = {"monthly": rule._bymonth, "daily": rule._bymonthday, "hourly": rule._byhour,
             "minutely": rule._byminute, "secondly": rule._bysecond}[freq]
    values = sorted(field)
    if freq == "daily" and values in ([1, 8, 15, 22], [1, 15]):
        return freq, {4: 7, 2: 14}[len(values)]
    return freq, (values[1] - values[0]) if len(values) > 1 else 1


def sparser(freq, interval):
    """plotrand-mpi's fallbacks after matplotlib's pick: larger intervals of the frequency,
    then every interval of ever coarser ones."""
    start = FREQS.index(freq)
    for f in reversed(FREQS[: start + 1]):
        for i in intervals(f):
            if f != freq or i > interval:
                yield f, i


def formatter_for(style, locator):
    if style == "concise":
        return mdates.ConciseDateFormatter(locator)
    return mdates.AutoDateFormatter(locator)


def dates(axis_name, style, lo_s, hi_s, length, overlap=True):
    view = (lo_s / SECONDS_PER_DAY, hi_s / SECONDS_PER_DAY)
    axis = Axis(axis_name, length, *view, dates=True)
    try:
        auto = mdates.AutoDateLocator()
        first = axis.ticks(auto, formatter_for(style, auto))
        if not overlap:
            return first
        lo, hi = sorted(view)
        if fits(first[0], lo, hi, length, axis_name == "y"):
            return first
        for freq, interval in sparser(*picked(auto, view)):
            locator = locator_for(freq, interval)
            ticks, offset = axis.ticks(locator, formatter_for(style, locator))
            if len(ticks) >= 2 and fits(ticks, lo, hi, length, axis_name == "y"):
                return ticks, offset
        raise AssertionError(f"no locator clears the labels of {lo_s}..{hi_s}")
    finally:
        axis.close()


def seconds(days):
    """A tick's place in seconds since 1970, to the microsecond matplotlib puts it at."""
    when = mdates.num2date(days)
    return (when - mdates.num2date(0)).total_seconds()


# ---------------------------------------------------------------------------------------------
# The cases, named as the unit tests look them up
# ---------------------------------------------------------------------------------------------

X_LEN, Y_LEN = 496.0, 369.6


def linear_cases():
    """(name, axis, lo, hi, overlap or bins): AutoLocator, less dense where labels collide."""
    both = [
        ("default", -0.05, 1.05),
        ("unix hour", 1699999820.0, 1700003780.0),
        ("uint64", 9.6e18, 1.84e19),
        ("5e-11", -2.5000000000000003e-12, 5.25e-11),
        ("1e7", -395000.0, 10495000.0),
        ("around one", 0.99999999995, 1.00000000105),
    ]
    for name, lo, hi in both:
        yield f"{name} x", "x", lo, hi, X_LEN, {}
        yield f"{name} y", "y", lo, hi, Y_LEN, {}
    for name, lo, hi in [
        ("milliseconds on a billion", 999999999.99505, 1000000000.10395),
        ("9e-5", 6e-06, 9.400000000000001e-05),
        ("1e6", -50000.0, 1050000.0),
        ("negative", -5.2, -0.8),
        ("negative 1e6", -1045000.0, -55000.0),
        ("negative unix hour", -1700003780.0, -1699999820.0),
        ("across zero", -1.3199999999999998, 1.3199999999999998),
        ("2000", 1999.975, 2000.525),
        ("3", 2.85, 3.15),
        ("12345", 12344.5, 12355.5),
        ("1e5", 60000.0, 940000.0),
        ("reversed", 1.0, 0.0),
    ]:
        yield f"{name} x", "x", lo, hi, X_LEN, {}
    for name, lo, hi in [
        ("negative", -3.7800000000000002, -2.02),
        ("across zero", -312.5, 1062.5),
        ("1e-4", 6.000000000000001e-05, 0.00094),
    ]:
        yield f"{name} y", "y", lo, hi, Y_LEN, {}
    yield "small figure x", "x", -0.05, 1.05, 232.5, {}
    # Exactly this many bins, as matplotlib's MaxNLocator(nbins) gives them.
    for lo, hi, bins in [
        (60000.0, 940000.0, 9),
        (-0.5, 10.5, 9),
        (0.0, 1000.0, 4),
        (-1.2, 1.2, 9),
        (0.0, 0.01, 5),
        (0.0, 0.01, 4),
    ]:
        yield f"{lo}..{hi} in {bins} bins", "x", lo, hi, X_LEN, {"bins": bins}


def date_cases():
    """(name, axis, style, lo, hi, overlap): AutoDateLocator, sparser where labels collide;
    "matplotlib" cases are its choice as it stands."""
    views = {
        "year": (945108000.0, 979797600.0),
        "decade": (930903840.0, 1278084960.0),
        "century": (-2366772480.0, 1104468480.0),
        "pre-1970 years": (-639692640.0, -451798559.99999994),
        "millennia": (-33765919200.0, 35659375200.0),
        "day": (947890080.0000001, 947985119.9999999),
        "three hours": (947915460.0, 947927340.0),
        "two minutes": (947915994.0, 947916126.0000001),
        "ten seconds": (947915999.5, 947916010.4999999),
        "one second": (947915999.9499999, 947916001.0500001),
        "month": (946555200.0, 949406400.0),
        "cross month": (949082400.0, 949557600.0),
        "six weeks": (946494719.9999999, 950676480.0000001),
        "cross year": (946028160.0, 947168640.0),
        "five months": (946036800.0, 960292800.0),
        "two years": (943526880.0000001, 1013001119.9999999),
        "thirty hours": (951729480.0000001, 951943319.9999999),
        "months without january": (951073919.9999999, 968561280.0000001),
        "microseconds": (947916000.0000008, 947916000.0000043),
        "far from 1970": (4115534265.0, 4115537235.0),
    }
    for name in views:
        # Thirty hours' AutoDateFormatter labels are checked as matplotlib draws them alone.
        styles = ["concise"] if name == "thirty hours" else ["concise", "auto"]
        for style in styles:
            yield f"{name} x {style}", "x", style, *views[name], True
    for name in ["year", "day"]:
        for style in ["concise", "auto"]:
            yield f"{name} y {style}", "y", style, *views[name], True
    for name, style in [
        ("day", "auto"),
        ("two minutes", "auto"),
        ("one second", "auto"),
        ("month", "auto"),
        ("six weeks", "auto"),
        ("cross year", "auto"),
        ("two years", "auto"),
        ("thirty hours", "concise"),
        ("thirty hours", "auto"),
        ("far from 1970", "auto"),
    ]:
        yield f"{name} {style} matplotlib", "x", style, *views[name], False


def case_line(name, view, ticks, offset, values):
    entry = {
        "view": [repr(v) for v in view],
        "labels": [label for _, label in ticks],
        "offset": offset,
        "values": [repr(v) for v in values],
    }
    return f"  {json.dumps(name)}: {json.dumps(entry, ensure_ascii=False)}"


def main():
    warnings.simplefilter("ignore")
    lines = []
    for name, axis, lo, hi, length, how in linear_cases():
        ticks, offset = linear(axis, lo, hi, length, bins=how.get("bins"))
        lines.append(case_line(name, (lo, hi), ticks, offset, [float(v) for v, _ in ticks]))
    for name, axis, style, lo, hi, overlap in date_cases():
        length = X_LEN if axis == "x" else Y_LEN
        ticks, offset = dates(axis, style, lo, hi, length, overlap)
        lines.append(case_line(name, (lo, hi), ticks, offset, [seconds(v) for v, _ in ticks]))
    widths = {s: text_width_px(s) for s in ["0.0", "\u22125.0", "100000", "Jan"]}
    out = sys.stdout
    out.write("{\n")
    out.write(f'  "matplotlib": {json.dumps(matplotlib.__version__)},\n')
    out.write(f'  "label widths px": {json.dumps(widths, ensure_ascii=False)},\n')
    out.write('  "cases": {\n')
    out.write(",\n".join("  " + line for line in lines))
    out.write("\n  },\n")
    out.write('  "colour bars": {\n')
    out.write(",\n".join(colour_bar_lines()))
    out.write("\n  }\n}\n")


# ---------------------------------------------------------------------------------------------
# Colour bars of log and symlog norms and of discrete levels (src/render/ticks/logscale.rs,
# src/render/layout.rs): the ticks of a default figure's colorbar, as matplotlib draws them
# ---------------------------------------------------------------------------------------------


def colour_bar_cases():
    """(name, norm, lo, hi, linthresh or levels)."""
    for lo, hi in [(1e-2, 1e4), (1.0, 1e6), (3e-7, 2e5), (1.0, 5.0), (2.0, 3.0), (0.5, 20.0),
                   (1e-20, 1.0), (1.0, 1e10), (7.0, 1e3), (0.02, 0.5), (40.0, 90.0)]:
        yield f"log {lo!r}..{hi!r}", "log", lo, hi, None
    for lo, hi, t in [(-100.0, 100.0, 1.0), (-5e3, 20.0, 1.0), (-0.5, 0.5, 1.0),
                      (0.1, 1e3, 1.0), (-1e6, 1e6, 10.0), (-3.0, 300.0, 2.0)]:
        yield f"symlog {lo!r}..{hi!r} linthresh {t!r}", "symlog", lo, hi, t
    for levels in [[0.0, 2.5, 5.0, 7.5, 10.0], [-1.0, 0.0, 1.0],
                   [float(v) for v in np.linspace(-2.2, 2.2, 23)], [0.1, 1.0, 10.0, 100.0],
                   [float(v) for v in range(0, 1200, 50)]]:
        yield f"levels {levels[0]!r}..{levels[-1]!r} in {len(levels)}", "levels", None, None, levels


def mathtext_label(text):
    """A LogFormatterSciNotation label as plotrand-mpi spells it: 10^k, 2×10^k, "−"."""
    if text.startswith("$\\mathdefault{") and text.endswith("}$"):
        text = text[len("$\\mathdefault{"):-2]
    text = text.replace("\\times", "×").replace("^{", "^").replace("}", "")
    return text.replace("-", "\u2212")


def colour_bar(norm_name, lo, hi, extra):
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=DPI)
    try:
        if norm_name == "log":
            norm = matplotlib.colors.LogNorm(lo, hi)
        elif norm_name == "symlog":
            norm = matplotlib.colors.SymLogNorm(extra, linscale=1, vmin=lo, vmax=hi, base=10)
        else:
            norm = matplotlib.colors.BoundaryNorm(extra, ncolors=len(extra) - 1)
        mesh = ax.pcolormesh(np.array([[0.0]]), norm=norm)
        bar = fig.colorbar(mesh)
        fig.canvas.draw()
        axis = bar.ax.yaxis
        view = sorted(float(v) for v in axis.get_view_interval())
        transform = axis.get_transform()

        def drawn(locs, ticks):
            # Axis._update_ticks: ticks within 1e-10 of the view, in the scale's coordinates.
            lo, hi = transform.transform(view)
            slack = (hi - lo) * 1e-10
            return [(float(loc), tick.label2.get_text()) for loc, tick in zip(locs, ticks)
                    if lo - slack <= transform.transform([loc])[0] <= hi + slack]

        major_locs = axis.get_majorticklocs()
        major = drawn(major_locs, axis.get_major_ticks(len(major_locs)))
        minor_locs = axis.get_minorticklocs()
        in_view = drawn(minor_locs, axis.get_minor_ticks(len(minor_locs)))
        return {
            "norm": norm_name,
            "view": [repr(float(v)) for v in (norm.vmin, norm.vmax)],
            "linthresh": repr(extra) if norm_name == "symlog" else None,
            "levels": [repr(v) for v in extra] if norm_name == "levels" else None,
            "labels": [mathtext_label(label) for _, label in major],
            "values": [repr(float(v)) for v, _ in major],
            "minor values": [repr(float(v)) for v, _ in in_view],
            "minor labels": [mathtext_label(label) for _, label in in_view],
        }
    finally:
        plt.close(fig)


def colour_bar_lines():
    return [f"    {json.dumps(name)}: {json.dumps(colour_bar(norm, lo, hi, extra), ensure_ascii=False)}"
            for name, norm, lo, hi, extra in colour_bar_cases()]


def text_width_px(text):
    """How wide matplotlib's Agg renderer sets a tick label (DejaVu Sans 10 pt, 100 dpi)."""
    fig = plt.figure(dpi=DPI)
    try:
        renderer = fig.canvas.get_renderer()
        prop = font_manager.FontProperties(size=FONT_PT)
        return renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
    finally:
        plt.close(fig)


if __name__ == "__main__":
    main()
