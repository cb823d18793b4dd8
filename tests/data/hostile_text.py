"""Writes an HDF5 file whose object names and string attributes hold what text can hold and
XML cannot: every C0 control, U+FFFE, U+FFFF, a bidi override, markup, CDATA's end, a lone
0xFF byte. Plotted objects are under /plots; coordinates, some named in bytes that are not
UTF-8, under /coords. Usage: hostile_text.py OUT.h5"""
import sys

import h5py
import numpy as np

# NUL cannot be in an HDF5 name nor a variable-length string; '/' separates names.
CONTROLS = "".join(chr(i) for i in range(1, 32))
HOSTILE = CONTROLS + "\x7f\x85\ufffe\uffff\ufff9\u202e<b>&amp; ]]> \"'"
LATIN1 = np.bytes_(b"caf\xff")  # fixed-length "ASCII" holding a lone 0xFF
BAD_UTF8 = h5py.string_dtype("utf-8")  # variable-length UTF-8, given bytes that are not

with h5py.File(sys.argv[1], "w") as f:
    plots, coords = f.create_group("plots"), f.create_group("coords")

    def scale(name, values, **attrs):
        c = coords.create_dataset(name, data=values)
        c.make_scale()
        for k, v in attrs.items():
            c.attrs[k] = v
        return c

    line = plots.create_dataset("line " + HOSTILE, data=np.arange(5.0) ** 2)
    line.attrs["long_name"] = HOSTILE
    line.attrs["units"] = HOSTILE
    line.dims[0].attach_scale(scale(b"\xff", np.arange(5.0)))

    grid = plots.create_dataset("grid " + HOSTILE, data=np.arange(12.0).reshape(3, 4))
    grid.attrs["long_name"] = LATIN1
    grid.attrs.create("units", b"\xff\xfe", dtype=BAD_UTF8)
    grid.dims[0].attach_scale(scale("lat " + HOSTILE, np.arange(3.0), long_name=HOSTILE))
    grid.dims[1].attach_scale(scale(b"lon\xff\x1b", np.arange(4.0), units=LATIN1))

    frames = plots.create_dataset("frames " + HOSTILE, data=np.arange(24.0).reshape(2, 3, 4))
    frames.attrs["standard_name"] = HOSTILE
    frames.dims[0].attach_scale(scale(b"t\xff" + HOSTILE.encode(), [0.0, 1.0], units=HOSTILE))

    xy = plots.create_group("xy " + HOSTILE)
    xy["x"] = np.arange(4.0)
    xy["y"] = np.arange(4.0)
    xy.attrs["x_label"] = HOSTILE
    xy.attrs.create("y_label", b"\xff", dtype=BAD_UTF8)
