#!/usr/bin/env python3
"""The reference look: the test files of tests/data/make_real_files.py drawn the way a
scientist's one line draws them, xarray's `.plot()` with matplotlib's defaults (640×480 px,
100 dpi, viridis, colour bar labelled `long_name [units]`), to set beside plotrand-mpi's
output of the same objects in docs/.

    scripts/look.py DATADIR OUTDIR     (python: the venv of scripts/pyenv.sh)
    scripts/look.py --controls DATADIR OUTDIR
                                       the plots of the colour, norm and calendar controls
    scripts/look.py --montage OUT.png LEFT RIGHT [LEFT RIGHT ...]
                                       pairs of PNGs side by side, a pair a row

DATADIR holds the files of make_real_files.py; any that are missing are made there first.
Writes one PNG per object into OUTDIR, named <file stem>__<object>.png, and prints each name.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NEEDED = ("xr_netcdf4.nc", "xr_h5netcdf.nc", "nc4_timeseries.nc", "xr_colours.nc",
          "cmip6_noleap.nc")

# (file, engine, what to draw, how it is selected). The first three are the lines of issue
# 12; the others show NaNs (sst), CF hours (discharge) and packed int16 (water_level).
PLOTS = [
    ("xr_netcdf4.nc", "netcdf4", "tas", {"time": 0}),
    ("xr_netcdf4.nc", "netcdf4", "nino34", None),
    ("xr_h5netcdf.nc", "h5netcdf", "tas", {"time": 0}),
    ("xr_netcdf4.nc", "netcdf4", "orog", None),
    ("xr_netcdf4.nc", "netcdf4", "sst", None),
    ("nc4_timeseries.nc", "netcdf4", "discharge", None),
    ("nc4_timeseries.nc", "netcdf4", "water_level", None),
]


# (file, what to draw, how it is selected, plot() arguments): an anomaly crossing 0 (xarray
# picks RdBu_r, symmetric about 0), a log-normal field under a log norm, a noleap line.
CONTROLS = [
    ("xr_colours.nc", "anomaly", {"time": 0}, {}),
    ("xr_colours.nc", "concentration", None, {"norm": "log"}),
    ("cmip6_noleap.nc", "tas_global", None, {}),
]


def draw_controls(datadir, outdir):
    import matplotlib.colors as colors

    for name, var, isel, kwargs in CONTROLS:
        # xarray decodes a noleap calendar to cftime by itself.
        with xr.open_dataset(os.path.join(datadir, name)) as ds:
            da = ds[var] if isel is None else ds[var].isel(isel)
            if kwargs.get("norm") == "log":
                kwargs = {"norm": colors.LogNorm()}
            plt.figure()
            da.plot(**kwargs)
            out = os.path.join(outdir, f"{os.path.splitext(name)[0]}__{var}.png")
            plt.savefig(out)
            plt.close()
            print(out)


def montage(out, pngs):
    from PIL import Image

    pairs = [pngs[i:i + 2] for i in range(0, len(pngs), 2)]
    images = [[Image.open(p).convert("RGB") for p in pair] for pair in pairs]
    width = max(sum(i.width for i in row) for row in images)
    height = sum(max(i.height for i in row) for row in images)
    sheet = Image.new("RGB", (width, height), "white")
    y = 0
    for row in images:
        x = 0
        for image in row:
            sheet.paste(image, (x, y))
            x += image.width
        y += max(i.height for i in row)
    sheet.save(out, optimize=True)
    print(out)


def ensure_files(datadir):
    if all(os.path.exists(os.path.join(datadir, f)) for f in NEEDED):
        return
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "data"))
    import make_real_files

    make_real_files.main([datadir, "--only", "xarray", "nc4", "colours", "calendars"])


def main(argv):
    if argv[:1] == ["--montage"] and len(argv) >= 4 and len(argv) % 2 == 0:
        return montage(argv[1], argv[2:])
    controls = argv[:1] == ["--controls"]
    argv = argv[1:] if controls else argv
    if len(argv) != 2:
        sys.exit(__doc__)
    datadir, outdir = argv
    ensure_files(datadir)
    os.makedirs(outdir, exist_ok=True)
    plt.rcdefaults()  # matplotlib's own defaults, whatever a matplotlibrc says
    if controls:
        return draw_controls(datadir, outdir)
    for name, engine, var, isel in PLOTS:
        with xr.open_dataset(os.path.join(datadir, name), engine=engine) as ds:
            da = ds[var] if isel is None else ds[var].isel(isel)
            plt.figure()  # a new default figure each time: 6.4×4.8 in at 100 dpi
            da.plot()
            out = os.path.join(outdir, f"{os.path.splitext(name)[0]}__{var}.png")
            plt.savefig(out)
            plt.close()
            print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
