#!/usr/bin/env python3
"""What xarray's `.plot()` colours a field of a NetCDF file with, for plotrand-mpi's colour
tests (tests/integration/colours.rs): one JSON object on stdout.

    xarray_colours.py FILE VARIABLE [--frame K] [--cmap NAME] [--norm log | --norm symlog
                      --linthresh V] [--levels N | --levels V1,V2,...] [--center V | --no-center]
                      [--vmin V] [--vmax V]

A variable with a leading dimension is drawn as xarray draws a series of frames, a FacetGrid
(`col=` that dimension: one colour range over all frames), and frame K's colours are given;
a 2-D one is drawn alone. A log norm is matplotlib's LogNorm() on the values above 0 (xarray
would fail on the others). Printed: the colour map's name, the colour range (vmin, vmax),
xarray's extend, the tick labels in view of the frame's colour bar in a default figure (log
labels as plotrand-mpi spells them: 10^k; minor ones apart), the under and over colours, and
for every cell of the frame, row by row from the first latitude, its sRGB
colour (rounded as Agg fills a pcolormesh cell; null for a cell drawn transparent) and how far
(per channel, at most) the colour map's neighbouring entries are from it.
"""
import argparse
import json
import sys

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402


def label(text):
    if text.startswith("$\\mathdefault{") and text.endswith("}$"):
        text = text[len("$\\mathdefault{"):-2]
    return text.replace("\\times", "×").replace("^{", "^").replace("}", "").replace("-", "\u2212")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("variable")
    ap.add_argument("--frame", type=int, default=0)
    ap.add_argument("--norm")
    ap.add_argument("--linthresh", type=float)
    ap.add_argument("--cmap")
    ap.add_argument("--no-center", action="store_true")
    ap.add_argument("--levels")
    ap.add_argument("--center", type=float)
    ap.add_argument("--vmin", type=float)
    ap.add_argument("--vmax", type=float)
    args = ap.parse_args()
    da = xr.open_dataset(args.file)[args.variable].load()
    kwargs = {k: getattr(args, k) for k in ("center", "vmin", "vmax", "cmap")
              if getattr(args, k) is not None}
    if args.no_center:
        kwargs["center"] = False
    if args.norm == "symlog":
        kwargs["norm"] = matplotlib.colors.SymLogNorm(args.linthresh, linscale=1, base=10)
    if args.levels:
        kwargs["levels"] = ([float(v) for v in args.levels.split(",")]
                            if "," in args.levels else int(args.levels))
    if args.norm == "log":
        da = da.where(da > 0)
        kwargs["norm"] = matplotlib.colors.LogNorm()
    if da.ndim == 3:
        grid = da.plot(col=da.dims[0], col_wrap=len(da[da.dims[0]]), **kwargs)
        facet = grid._mappables[args.frame]
        extend = grid.cbar.extend
        frame = da.isel({da.dims[0]: args.frame})
        # The frame alone in a default figure, on the series' colours, for its colour bar.
        plt.figure()
        mesh = frame.plot(cmap=facet.cmap, norm=facet.norm)
    else:
        mesh = da.plot(**kwargs)
        extend = mesh.colorbar.extend
        frame = da
    bar = mesh.colorbar
    plt.gcf().canvas.draw()
    values = np.asarray(frame.values, dtype=np.float64)
    rgba = mesh.cmap(mesh.norm(values))
    cmap = mesh.cmap
    n = cmap.N
    normed = np.ma.filled(mesh.norm(values).astype(float), np.nan)
    cells = []
    for v, colour, x in zip(values.ravel(), rgba.reshape(-1, 4), np.ravel(normed)):
        if colour[3] == 0 or not np.isfinite(v):
            cells.append(None)
            continue
        rgb = np.floor(colour[:3] * 255 + 0.5).astype(int)
        if isinstance(mesh.norm, matplotlib.colors.BoundaryNorm):
            near = 0
        else:
            k = int(np.clip(np.floor(x * n), 0, n - 1))
            around = [cmap(j)[:3] for j in (max(k - 1, 0), min(k + 1, n - 1))]
            near = int(max(np.max(np.abs(np.floor(np.array(c) * 255 + 0.5) - rgb))
                           for c in around))
        cells.append([int(c) for c in rgb] + [near])
    axis = bar.ax.yaxis
    lo, hi = sorted(axis.get_view_interval())
    transform = axis.get_transform()
    tlo, thi = transform.transform([lo, hi])

    def shown(ticks, locs):
        slack = (thi - tlo) * 1e-9
        return [label(t.label2.get_text()) for t, loc in zip(ticks, locs)
                if tlo - slack <= transform.transform([loc])[0] <= thi + slack]

    labels = shown(axis.get_major_ticks(), axis.get_majorticklocs())
    minor_locs = axis.get_minorticklocs()
    minor = [m for m in shown(axis.get_minor_ticks(len(minor_locs)), minor_locs) if m]
    # Every labelled tick, major or minor, from the bottom of the bar to its top.
    ticks = sorted(
        [(loc, t.label2.get_text()) for t, loc in
         zip(axis.get_major_ticks(), axis.get_majorticklocs())]
        + [(loc, t.label2.get_text()) for t, loc in
           zip(axis.get_minor_ticks(len(minor_locs)), minor_locs)])
    slack = (thi - tlo) * 1e-9
    bar_labels = [label(text) for loc, text in ticks
                  if text and tlo - slack <= transform.transform([loc])[0] <= thi + slack]
    json.dump({
        "cmap": cmap.name,
        "vmin": float(mesh.norm.vmin),
        "vmax": float(mesh.norm.vmax),
        "extend": extend,
        "labels": labels,
        "minor labels": minor,
        "bar labels": bar_labels,
        # The colours of values below and above the range (the colour bar's triangles).
        "under": [int(c) for c in np.floor(np.array(cmap.get_under()[:3]) * 255 + 0.5)],
        "over": [int(c) for c in np.floor(np.array(cmap.get_over()[:3]) * 255 + 0.5)],
        "rows": int(values.shape[0]),
        "cols": int(values.shape[1]),
        "cells": cells,
    }, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
