#!/usr/bin/env python3
"""The Python way of drawing one PNG per time step, the baseline of issue 12's item 7:
xarray's `.plot()` + `savefig` per frame, frames shared over `multiprocessing.Pool(p)`.

    xarray_frames.py make FILE [--frames T] [--size N]
        write a (T, N, N) float32 field `field(time, y, x)` with xarray (engine netcdf4),
        chunked one frame per chunk along an unlimited time dimension, as model output is
    xarray_frames.py draw FILE OUTDIR [-p P] [--var field]
        one 640×480 PNG per frame, with one colour range for the whole series (vmin/vmax
        found first, and timed: plotrand-mpi finds its range too); prints one line:
        "xarray: p=P: T frames in S s: X ms/frame, Y KB/frame"

Run it with the venv of scripts/pyenv.sh; scripts/vs-xarray.sh runs it against plotrand-mpi.
"""
import argparse
import os
import sys
import time

import numpy as np

# Set in each worker by _open: the dataset stays open for all the frames the worker draws.
_ds = None


def make(path, frames, size):
    import pandas as pd
    import xarray as xr

    rng = np.random.default_rng(20261126)
    y = np.linspace(0.0, 100.0, size)
    x = np.linspace(0.0, 100.0, size)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    data = np.empty((frames, size, size), dtype=np.float32)
    for k in range(frames):
        # Eddies drifting east plus a little noise: smooth like real model fields, so PNG
        # encoding costs what it costs on real data (pure noise would not compress).
        phase = 2 * np.pi * k / frames
        data[k] = (np.sin(xx / 7.0 - phase) * np.cos(yy / 11.0)
                   + 0.5 * np.sin((xx + yy) / 17.0 + 2 * phase)
                   + 0.05 * rng.standard_normal((size, size)))
    ds = xr.Dataset(
        {"field": (("time", "y", "x"), data,
                   {"long_name": "relative vorticity", "units": "1e-5 s-1"})},
        coords={
            "time": ("time", pd.date_range("2020-01-01", periods=frames, freq="6h")),
            "y": ("y", y, {"long_name": "y", "units": "km"}),
            "x": ("x", x, {"long_name": "x", "units": "km"}),
        },
        attrs={"Conventions": "CF-1.8", "title": "plotrand-mpi benchmark frames"},
    )
    ds.to_netcdf(path, engine="netcdf4", format="NETCDF4", unlimited_dims=["time"],
                 encoding={"field": {"chunksizes": (1, size, size)}})


def _open(path):
    global _ds
    import matplotlib

    matplotlib.use("Agg")
    import xarray as xr

    _ds = xr.open_dataset(path, engine="netcdf4")


def _draw(job):
    import matplotlib.pyplot as plt

    var, k, vmin, vmax, out = job
    plt.figure()  # matplotlib's default figure: 6.4×4.8 in at 100 dpi = 640×480 px
    _ds[var].isel(time=k).plot(vmin=vmin, vmax=vmax)
    plt.savefig(out)
    plt.close()
    return os.path.getsize(out)


def draw(path, outdir, procs, var):
    import multiprocessing

    import xarray as xr

    os.makedirs(outdir, exist_ok=True)
    start = time.perf_counter()
    # One colour range for the whole series, read frame by frame as a careful user would
    # (the file may not fit in memory); closed before the fork so that no worker inherits
    # an open HDF5 file.
    with xr.open_dataset(path, engine="netcdf4") as ds:
        frames = ds.sizes["time"]
        lo, hi = np.inf, -np.inf
        for k in range(frames):
            a = ds[var].isel(time=k).values
            lo, hi = min(lo, np.nanmin(a)), max(hi, np.nanmax(a))
    jobs = [(var, k, float(lo), float(hi), os.path.join(outdir, f"{var}_{k:04d}.png"))
            for k in range(frames)]
    with multiprocessing.get_context("fork").Pool(procs, initializer=_open,
                                                  initargs=(path,)) as pool:
        sizes = pool.map(_draw, jobs, chunksize=1)
    took = time.perf_counter() - start
    print(f"xarray: p={procs}: {frames} frames in {took:.2f} s: {1e3 * took / frames:.1f} "
          f"ms/frame, {sum(sizes) / frames / 1e3:.1f} KB/frame", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("file")
    m.add_argument("--frames", type=int, default=64)
    m.add_argument("--size", type=int, default=512)
    d = sub.add_parser("draw")
    d.add_argument("file")
    d.add_argument("outdir")
    d.add_argument("-p", "--procs", type=int, default=1)
    d.add_argument("--var", default="field")
    args = ap.parse_args(argv)
    if args.cmd == "make":
        make(args.file, args.frames, args.size)
    else:
        draw(args.file, args.outdir, args.procs, args.var)
    return 0


if __name__ == "__main__":
    sys.exit(main())
