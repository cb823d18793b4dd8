#!/usr/bin/env python3
"""Writes small HDF5 / NetCDF-4 files the way scientists make them, with the real libraries
(xarray with both engines, netCDF4-python, h5py, pandas/PyTables), for plotrand-mpi's tests.
Every file is deterministic (fixed seeds) and well under 1 MB, except big_frames.h5.

    make_real_files.py OUTDIR [--big [--big-mb MB]] [--only NAME ...]

Files (what each one holds is described in /work/notes/real-files.md and by `--list`):
    xr_netcdf4.nc, xr_h5netcdf.nc  one xarray Dataset, engine="netcdf4" and engine="h5netcdf"
    nc4_timeseries.nc              netCDF4-python: a time series, a packed int16 variable
    h5py_sim.h5                    h5py: image, signal, positions, compound particles, frames
    pandas_fixed.h5, pandas_table.h5  DataFrame + Series, to_hdf format="fixed" / "table"
    cmip6_noleap.nc, noleap_series.nc, day360_series.nc, standard_calendar.nc
                                   model calendars (noleap, 360_day), standard before 1582
    xr_colours.nc                  xarray: an anomaly crossing 0, a log-normal field, rain with 0s
    big_frames.h5                  (--big only) a (T, 512, 512) float32 field > MB megabytes
Run it with the venv of scripts/pyenv.sh (its python is $PLOTRAND_TEST_PYTHON in the tests).
"""
import argparse
import os
import sys

import numpy as np

SEED = 20261126
# Grid of the xarray dataset: 10-degree cells, centres from -85 to 85 and 5 to 355.
LAT = np.arange(-85.0, 90.0, 10.0)
LON = np.arange(5.0, 360.0, 10.0)


def xarray_dataset():
    """A small climate-model-like Dataset: a (time, lat, lon) field, a time series, a map,
    and a map with NaNs (an ocean-only field), with CF attributes."""
    import pandas as pd
    import xarray as xr

    rng = np.random.default_rng(SEED)
    # Monthly on the 15th: xarray encodes it as "days since 2000-01-15 00:00:00".
    time = pd.date_range("2000-01-15", periods=4, freq=pd.DateOffset(months=1))
    lat2, lon2 = np.meshgrid(np.deg2rad(LAT), np.deg2rad(LON), indexing="ij")
    season = np.cos(2 * np.pi * np.arange(4) / 12)[:, None, None]
    tas = (273.15 + 30 * np.cos(lat2) ** 2 - 10 + 3 * np.sin(lon2)
           + 8 * season * np.sin(lat2) + rng.normal(0, 0.5, (4,) + lat2.shape))
    orog = np.clip(2500 * np.sin(3 * lon2) * np.cos(2 * lat2) + rng.normal(0, 100, lat2.shape),
                   0, None)
    # Sea surface temperature: NaN over land, as in every ocean field.
    sst = np.where(orog > 0, np.nan, 271.35 + 30 * np.cos(lat2) ** 2)
    ds = xr.Dataset(
        {
            "tas": (("time", "lat", "lon"), tas.astype(np.float32), {
                "long_name": "near-surface air temperature",
                "units": "K",
                "standard_name": "air_temperature",
            }),
            "nino34": ("time", (0.8 * np.sin(np.arange(4.0)) + rng.normal(0, 0.1, 4)).astype(
                np.float32), {"long_name": "Nino 3.4 index", "units": "K"}),
            "orog": (("lat", "lon"), orog.astype(np.float32), {
                "long_name": "surface altitude",
                "units": "m",
                "standard_name": "surface_altitude",
            }),
            "sst": (("lat", "lon"), sst.astype(np.float32), {
                "long_name": "sea surface temperature",
                "units": "K",
                "standard_name": "sea_surface_temperature",
            }),
            # Month edges; its dimension "bnds" has no coordinate variable, so NetCDF-4 makes
            # a phony dimension-scale dataset for it.
            "time_bnds": (("time", "bnds"), np.stack([
                time - pd.Timedelta(days=14), time + pd.Timedelta(days=14)], axis=1)),
        },
        coords={
            # "bounds" names time_bnds, as in CMIP output: a CF bounds variable is no plot.
            "time": ("time", time, {"long_name": "time", "standard_name": "time",
                                    "bounds": "time_bnds"}),
            "lat": ("lat", LAT, {"long_name": "latitude", "units": "degrees_north",
                                 "standard_name": "latitude"}),
            "lon": ("lon", LON, {"long_name": "longitude", "units": "degrees_east",
                                 "standard_name": "longitude"}),
        },
        attrs={"Conventions": "CF-1.8", "title": "plotrand-mpi test data (xarray)",
               "source": "tests/data/make_real_files.py"},
    )
    return ds


def write_xarray(outdir):
    ds = xarray_dataset()
    # format="NETCDF4" is xarray's default for both engines; named here because it is what
    # makes the file HDF5 (NETCDF3_* formats are not).
    ds.to_netcdf(os.path.join(outdir, "xr_netcdf4.nc"), engine="netcdf4", format="NETCDF4")
    ds.to_netcdf(os.path.join(outdir, "xr_h5netcdf.nc"), engine="h5netcdf", format="NETCDF4")


def write_nc4_timeseries(outdir):
    """netCDF4-python directly, as a hydrologist writes a gauge record: an unlimited time
    dimension, CF time units, and a packed int16 variable with scale_factor/add_offset."""
    import netCDF4

    rng = np.random.default_rng(SEED + 1)
    path = os.path.join(outdir, "nc4_timeseries.nc")
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.Conventions = "CF-1.8"
        nc.title = "plotrand-mpi test data (netCDF4-python)"
        nc.station = "Gauge 42"
        nc.createDimension("time", None)  # unlimited, so chunked: records are appended
        t = nc.createVariable("time", "f8", ("time",))
        t.units = "hours since 2020-01-01 00:00:00"
        t.calendar = "standard"
        t.long_name = "time"
        t.standard_name = "time"
        t.axis = "T"
        q = nc.createVariable("discharge", "f4", ("time",), fill_value=-9999.0)
        q.long_name = "river discharge"
        q.units = "m3 s-1"
        q.standard_name = "water_volume_transport_in_river_channel"
        # Packed: stored int16, read as int * scale_factor + add_offset (CF); -32767 marks
        # missing values. netCDF4-python packs on assignment (auto mask-and-scale).
        h = nc.createVariable("water_level", "i2", ("time",), fill_value=np.int16(-32767))
        h.scale_factor = np.float32(0.001)
        h.add_offset = np.float32(10.0)
        h.long_name = "water level"
        h.units = "m"
        n = 100
        hours = np.arange(n, dtype=np.float64)
        t[:] = hours
        q[:] = (120 + 40 * np.sin(2 * np.pi * hours / 48) + rng.normal(0, 3, n)).astype(np.float32)
        level = np.ma.masked_array(10 + 1.5 * np.sin(2 * np.pi * hours / 24), mask=False)
        level[[17, 18, 63]] = np.ma.masked
        h[:] = level


def write_h5py_sim(outdir):
    """Simulation output the h5py way: plain datasets, attributes as Python str (variable-length
    UTF-8) and np.bytes_ (fixed-length ASCII), a compound table, and frames with a dimension
    scale."""
    import h5py

    rng = np.random.default_rng(SEED + 2)
    path = os.path.join(outdir, "h5py_sim.h5")
    with h5py.File(path, "w") as f:
        f.attrs["code"] = "plotrand-mpi test data (h5py)"  # str: variable-length UTF-8
        f.attrs["version"] = np.bytes_("1.0")  # bytes: fixed-length ASCII
        f.attrs["step"] = np.int64(6000)

        yy, xx = np.mgrid[0:64, 0:96]
        image = np.sin(xx / 9.0) * np.cos(yy / 7.0) + 0.1 * rng.standard_normal((64, 96))
        d = f.create_dataset("image", data=image)  # float64 (64, 96)
        d.attrs["long_name"] = np.bytes_("detector counts")
        d.attrs["units"] = np.bytes_("counts")

        s = f.create_dataset("signal", data=np.cumsum(rng.standard_normal(1000)) * 1e-3)
        s.attrs["units"] = np.bytes_("V")
        s.attrs["long_name"] = np.bytes_("probe voltage")
        s.attrs["sample_rate"] = 1000.0

        pos = rng.uniform(-1, 1, (500, 3))
        p = f.create_dataset("positions", data=pos)  # (500, 3): x, y, z; z is negative half the time
        p.attrs["columns"] = np.bytes_("x y z")
        p.attrs["units"] = "m"

        rec = np.zeros(300, dtype=[("x", "f8"), ("y", "f8"), ("size", "f4"), ("mass", "f4")])
        rec["x"] = rng.normal(0, 1, 300)
        rec["y"] = rng.normal(0, 1, 300)
        rec["size"] = rng.uniform(1, 20, 300)
        rec["mass"] = rng.lognormal(0, 0.5, 300)
        c = f.create_dataset("particles", data=rec)
        c.attrs["long_name"] = "tracer particles"

        g = f.create_group("fields")
        g.attrs["description"] = "density on a 32 x 48 grid, one frame per output time"
        time = g.create_dataset("time", data=np.arange(6) * 0.5)
        time.attrs["units"] = "s"  # variable-length UTF-8
        time.make_scale("time")
        frames = np.empty((6, 32, 48))
        gy, gx = np.mgrid[0:32, 0:48]
        for k in range(6):
            frames[k] = np.exp(-((gx - 8 - 6 * k) ** 2 + (gy - 16) ** 2) / 40.0)
        den = g.create_dataset("density", data=frames, chunks=(1, 32, 48))
        den.attrs["long_name"] = "density"  # variable-length UTF-8
        den.attrs["units"] = np.bytes_("kg m-3")  # fixed-length ASCII
        den.dims[0].attach_scale(time)
        den.dims[0].label = "time"
        den.dims[1].label = "y"
        den.dims[2].label = "x"


def particles_frame(n, seed):
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.uniform(0, 10, n), "y": rng.uniform(0, 5, n),
                         "size": rng.uniform(1, 30, n)})


def write_pandas(outdir):
    """pandas to_hdf in both formats: "fixed" (one array per block of same-typed columns)
    and "table" (a PyTables Table, with index tables for the data columns)."""
    import pandas as pd

    df = particles_frame(200, SEED + 3)
    t = pd.date_range("2024-03-01", periods=100, freq="h")
    series = pd.Series(np.sin(np.arange(100) / 8.0), index=t, name="signal")
    fixed = os.path.join(outdir, "pandas_fixed.h5")
    df.to_hdf(fixed, key="particles", mode="w", format="fixed")
    series.to_hdf(fixed, key="signal", mode="a", format="fixed")
    table = os.path.join(outdir, "pandas_table.h5")
    # data_columns=True: every column its own field, and PyTables indexes each one (_i_table).
    df.to_hdf(table, key="particles", mode="w", format="table", data_columns=True)
    # No data_columns: the columns share one (n, 3) field values_block_0.
    df.to_hdf(table, key="frame", mode="a", format="table")
    series.to_hdf(table, key="signal", mode="a", format="table")



# --- Model calendars (noleap, 360_day): CMIP6-like output and series, as cftime gives them ---

def noleap_month_middles(years, start=1850):
    """CMIP6's monthly times in the noleap calendar, days since 1850-01-01: each month's middle
    (1850-01-16 12:00:00, 1850-02-15 00:00:00, ...) between its bounds."""
    lengths = np.tile([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], years)
    edges = np.concatenate([[0.0], np.cumsum(lengths)]) + 365.0 * (start - 1850)
    return (edges[:-1] + edges[1:]) / 2, np.stack([edges[:-1], edges[1:]], axis=1)


def write_calendars(outdir):
    """Model output in its own calendars: a CMIP6-like monthly tas (time, lat, lon) and its
    global mean in noleap (xarray, "days since 1850-01-01" as CMIP6 writes it), a 6-hourly
    noleap series over the end of February 2000 (netCDF4-python), a 360_day daily series
    with a (time, lat) Hovmoeller field (xarray from cftime dates), and the standard
    calendar's Julian part (netCDF4-python)."""
    import datetime

    import cftime
    import netCDF4
    import xarray as xr

    rng = np.random.default_rng(SEED + 20)
    middles, bounds = noleap_month_middles(2)
    lat2, lon2 = np.meshgrid(np.deg2rad(LAT), np.deg2rad(LON), indexing="ij")
    season = np.cos(2 * np.pi * (np.arange(24) - 6) / 12)[:, None, None]
    tas = (273.15 + 30 * np.cos(lat2) ** 2 - 10 + 8 * season * np.sin(lat2)
           + rng.normal(0, 0.5, (24,) + lat2.shape)).astype(np.float32)
    weights = np.cos(lat2) / np.cos(lat2).sum()
    time_attrs = {"long_name": "time", "standard_name": "time", "axis": "T",
                  "bounds": "time_bnds"}
    ds = xr.Dataset(
        {
            "tas": (("time", "lat", "lon"), tas, {
                "long_name": "Near-Surface Air Temperature", "units": "K",
                "standard_name": "air_temperature", "cell_methods": "area: time: mean"}),
            "tas_global": ("time", (tas * weights).sum(axis=(1, 2)).astype(np.float32), {
                "long_name": "global mean near-surface air temperature", "units": "K"}),
            "time_bnds": (("time", "bnds"), bounds),
        },
        coords={
            "time": ("time", middles, dict(time_attrs, units="days since 1850-01-01",
                                           calendar="noleap")),
            "lat": ("lat", LAT, {"long_name": "latitude", "units": "degrees_north",
                                 "standard_name": "latitude"}),
            "lon": ("lon", LON, {"long_name": "longitude", "units": "degrees_east",
                                 "standard_name": "longitude"}),
        },
        attrs={"Conventions": "CF-1.7 CMIP-6.2", "mip_era": "CMIP6", "frequency": "mon",
               "source": "tests/data/make_real_files.py"},
    )
    # Numbers with units and calendar as attributes: xarray writes them as they are.
    ds.to_netcdf(os.path.join(outdir, "cmip6_noleap.nc"), engine="netcdf4")

    path = os.path.join(outdir, "noleap_series.nc")
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", None)
        t = nc.createVariable("time", "f8", ("time",))
        t.units = "hours since 2000-01-01 00:00:00"
        t.calendar = "noleap"
        t.long_name = "time"
        t.standard_name = "time"
        start = cftime.datetime(2000, 2, 20, calendar="noleap")
        stamps = [start + datetime.timedelta(hours=6 * k) for k in range(4 * 18 + 1)]
        t[:] = cftime.date2num(stamps, t.units, calendar=t.calendar)
        v = nc.createVariable("tas", "f4", ("time",))
        v.long_name = "air temperature at the station"
        v.units = "K"
        hours = np.arange(len(stamps)) * 6.0
        v[:] = 275 + 4 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.3, len(stamps))

    days = xr.date_range("2000-01-01", periods=90, freq="D", calendar="360_day",
                         use_cftime=True)
    ds = xr.Dataset(
        {
            "pr": ("time", (2e-5 * rng.gamma(0.6, 1.0, 90)).astype(np.float32), {
                "long_name": "precipitation", "units": "kg m-2 s-1"}),
            "ua": (("time", "lat"), (10 * np.cos(np.deg2rad(LAT))[None, :] ** 2
                                     + rng.normal(0, 1, (90, LAT.size))).astype(np.float32),
                   {"long_name": "zonal mean eastward wind", "units": "m s-1"}),
        },
        coords={
            "time": ("time", days, {"long_name": "time", "standard_name": "time"}),
            "lat": ("lat", LAT, {"long_name": "latitude", "units": "degrees_north"}),
        },
    )
    encoding = {"time": {"units": "days since 2000-01-01", "calendar": "360_day",
                         "dtype": "f8"}}
    ds.to_netcdf(os.path.join(outdir, "day360_series.nc"), engine="netcdf4",
                 encoding=encoding)

    # The standard calendar, Julian before 1582-10-15: NCEP/NCAR reanalysis' "hours since
    # 1-1-1 00:00:0.0" counts from Julian 0001-01-01 (two days before the proleptic Gregorian
    # one), and days around the switch of 1582 (Julian October 4 is followed by Gregorian 15).
    path = os.path.join(outdir, "standard_calendar.nc")
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        for name, units, values in [
            ("time", "hours since 1-1-1 00:00:0.0", 17_522_904.0 + 6.0 * np.arange(4)),
            ("time_1582", "days since 1582-10-01", np.arange(6.0)),
        ]:
            nc.createDimension(name, len(values))
            t = nc.createVariable(name, "f8", (name,))
            t.units = units
            t.calendar = "standard"
            t.standard_name = "time"
            t[:] = values
        nc.createDimension("lat", 3)
        lat = nc.createVariable("lat", "f4", ("lat",))
        lat.units = "degrees_north"
        lat[:] = [-30.0, 0.0, 30.0]
        nc.createDimension("lon", 4)
        lon = nc.createVariable("lon", "f4", ("lon",))
        lon.units = "degrees_east"
        lon[:] = [0.0, 90.0, 180.0, 270.0]
        air = nc.createVariable("air", "f4", ("time", "lat", "lon"))
        air.long_name = "air temperature"
        air.units = "degK"
        air[:] = 280 + rng.normal(0, 5, (4, 3, 4))
        early = nc.createVariable("early", "f4", ("time_1582", "lat", "lon"))
        early[:] = rng.normal(0, 1, (6, 3, 4))

# --- end of model calendars ---

def write_big_frames(outdir, mb):
    """A (T, 512, 512) float32 field of more than `mb` MB, chunked one frame per chunk, for a
    memory test: written frame by frame, so writing it needs one frame of memory."""
    import h5py

    frame_bytes = 512 * 512 * 4
    frames = mb * 1024 * 1024 // frame_bytes + 1
    yy, xx = np.mgrid[0:512, 0:512].astype(np.float32) / np.float32(512)
    path = os.path.join(outdir, "big_frames.h5")
    with h5py.File(path, "w") as f:
        time = f.create_dataset("time", data=np.arange(frames, dtype=np.float64))
        time.attrs["units"] = np.bytes_("s")
        time.make_scale("time")
        d = f.create_dataset("field", shape=(frames, 512, 512), dtype="f4", chunks=(1, 512, 512))
        d.attrs["long_name"] = np.bytes_("travelling wave")
        d.attrs["units"] = np.bytes_("1")
        d.dims[0].attach_scale(time)
        for k in range(frames):
            phase = np.float32(2 * np.pi * k / frames)
            d[k] = np.sin(np.float32(12) * xx + phase) * np.cos(np.float32(8) * yy - phase)
    return path


# --- Shared and robust ranges (issue 20: --range, --robust) ---
def write_levels(outdir):
    """An ERA5-like (time, level, latitude, longitude) temperature, each level tens of kelvin
    from the next and a few cells far off (a bad sensor), as xarray writes it: each level
    should get its own colour range, and --robust should pass over the outliers."""
    import pandas as pd
    import xarray as xr

    rng = np.random.default_rng(SEED + 20)
    times = pd.date_range("2020-01-01", periods=8, freq="6h")
    levels = np.array([1000, 850, 500], dtype=np.int32)
    lat = np.linspace(60, 30, 12)
    lon = np.linspace(-10, 30, 16)
    base = np.array([288.0, 275.0, 252.0])[None, :, None, None]
    t = base + rng.normal(0, 4, (8, 3, 12, 16))
    t[2, 0, 3, 4] = 400.0
    t[5, 1, 7, 7] = 150.0
    da = xr.DataArray(
        t.astype(np.float32),
        dims=("time", "level", "latitude", "longitude"),
        coords={"time": times, "level": levels, "latitude": lat, "longitude": lon},
        name="t",
        attrs={"long_name": "Temperature", "units": "K"},
    )
    da.level.attrs.update(long_name="pressure_level", units="hPa")
    da.to_dataset().to_netcdf(os.path.join(outdir, "levels.nc"), engine="netcdf4")
# --- end of shared and robust ranges ---


# --- colours (src/render/colouring.rs): fields whose colours xarray chooses differently ---------


def write_colours(outdir):
    """xarray, engine netcdf4: a temperature anomaly crossing 0 (xarray draws it RdBu_r,
    symmetric about 0), an aerosol concentration log-normal over 6 decades (for --norm log),
    a rain rate that is 0 in dry cells (a log norm leaves those out), and a sea floor
    elevation below 0 everywhere (nothing a log norm can draw)."""
    import pandas as pd
    import xarray as xr

    rng = np.random.default_rng(SEED + 20)
    time = pd.date_range("2001-01-15", periods=3, freq=pd.DateOffset(months=1))
    lat2, lon2 = np.meshgrid(np.deg2rad(LAT), np.deg2rad(LON), indexing="ij")
    # Warm in the north-east, cold in the south-west, more so each month; not symmetric.
    anomaly = np.stack([(1.0 + 0.5 * k) * (2.0 * np.sin(lat2) + np.cos(lon2) + 0.6)
                        + rng.normal(0, 0.2, lat2.shape) for k in range(3)])
    # 10**(-3 … 3): six decades, smooth with a little noise.
    exponent = 3.0 * np.sin(lat2) * np.cos(lon2 / 2.0) + rng.normal(0, 0.05, lat2.shape)
    concentration = 10.0 ** np.clip(exponent, -3.0, 3.0)
    rain = np.where(np.cos(2 * lon2) * np.cos(lat2) > 0.2,
                    10.0 ** (1.5 * np.cos(lat2) * np.cos(2 * lon2)), 0.0)
    ds = xr.Dataset(
        {
            "anomaly": (("time", "lat", "lon"), anomaly.astype(np.float32), {
                "long_name": "temperature anomaly", "units": "K"}),
            "concentration": (("lat", "lon"), concentration, {
                "long_name": "aerosol number concentration", "units": "cm-3"}),
            "rain": (("lat", "lon"), rain.astype(np.float32), {
                "long_name": "rain rate", "units": "mm h-1"}),
            "sea_floor": (("lat", "lon"), (-4000.0 + 1500.0 * np.cos(3 * lon2) * np.cos(lat2))
                          .astype(np.float32), {"long_name": "sea floor elevation",
                                                "units": "m"}),
        },
        coords={
            "time": ("time", time, {"long_name": "time"}),
            "lat": ("lat", LAT, {"long_name": "latitude", "units": "degrees_north"}),
            "lon": ("lon", LON, {"long_name": "longitude", "units": "degrees_east"}),
        },
        attrs={"Conventions": "CF-1.8", "title": "plotrand-mpi test data (colours)"},
    )
    ds.to_netcdf(os.path.join(outdir, "xr_colours.nc"), engine="netcdf4", format="NETCDF4")

# --- end of colours ------------------------------------------------------------------------------


WRITERS = {
    "xarray": write_xarray,
    "nc4": write_nc4_timeseries,
    "h5py": write_h5py_sim,
    "pandas": write_pandas,
    "levels": write_levels,
    "calendars": write_calendars,
    "colours": write_colours,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--big", action="store_true", help="also write big_frames.h5")
    ap.add_argument("--big-mb", type=int, default=512,
                    help="big_frames.h5 is larger than this many MB (default 512)")
    ap.add_argument("--only", nargs="+", choices=sorted(WRITERS) + ["big"], default=None,
                    help="write only these groups of files (big: big_frames.h5 alone)")
    args = ap.parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    # PyTables warns about pandas' object-typed index names etc.; the files are what matters.
    import warnings
    warnings.simplefilter("ignore")
    for name in [n for n in (args.only or WRITERS) if n in WRITERS]:
        WRITERS[name](args.outdir)
    if args.big or "big" in (args.only or []):
        write_big_frames(args.outdir, args.big_mb)
    for name in sorted(os.listdir(args.outdir)):
        size = os.path.getsize(os.path.join(args.outdir, name))
        print(f"{name}\t{size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
