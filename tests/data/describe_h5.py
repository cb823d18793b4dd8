#!/usr/bin/env python3
"""Prints every object of HDF5 files in one line each, with its attributes and their exact
HDF5 types (fixed/variable-length strings, ASCII/UTF-8, padding), the way a reader in another
language sees them: what h5dump -H -A says, shorter. For the notes on real files.

    describe_h5.py FILE...         (needs h5py: the venv of scripts/pyenv.sh)
"""
import sys

import h5py
import numpy as np

PAD = {h5py.h5t.STR_NULLTERM: "NULLTERM", h5py.h5t.STR_NULLPAD: "NULLPAD",
       h5py.h5t.STR_SPACEPAD: "SPACEPAD"}
CSET = {h5py.h5t.CSET_ASCII: "ASCII", h5py.h5t.CSET_UTF8: "UTF-8"}


def type_name(tid):
    """A short name of an HDF5 datatype, strings in full detail."""
    cls = tid.get_class()
    if cls == h5py.h5t.STRING:
        kind = "vlen" if tid.is_variable_str() else f"fixed[{tid.get_size()}]"
        return f"str({kind},{CSET[tid.get_cset()]},{PAD[tid.get_strpad()]})"
    if cls == h5py.h5t.COMPOUND:
        fields = ", ".join(f"{tid.get_member_name(i).decode()}: {type_name(tid.get_member_type(i))}"
                           for i in range(tid.get_nmembers()))
        return "{" + fields + "}"
    if cls == h5py.h5t.VLEN:
        return f"vlen<{type_name(tid.get_super())}>"
    if cls == h5py.h5t.REFERENCE:
        return "objref" if tid.get_size() == 8 else f"ref{tid.get_size()}"
    if cls == h5py.h5t.ARRAY:
        return f"{type_name(tid.get_super())}{list(tid.get_array_dims())}"
    if cls == h5py.h5t.ENUM:
        return "enum"
    if cls == h5py.h5t.OPAQUE:
        return f"opaque[{tid.get_size()}]"
    try:
        return np.dtype(tid.dtype).str.replace("<", "")
    except (TypeError, ValueError):
        return f"class{cls}"


def value_text(f, v):
    if isinstance(v, bytes):
        return repr(v.decode("utf-8", "replace"))
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, h5py.Reference):
        return f[v].name if v else "null"
    a = np.asarray(v)
    if a.dtype.kind == "O":
        return "[" + ", ".join(value_text(f, x) for x in a.ravel()[:4]) + (
            ", ..." if a.size > 4 else "") + "]"
    if a.dtype.names:
        return "[" + ", ".join("(" + ", ".join(value_text(f, r[n]) for n in a.dtype.names) + ")"
                               for r in a.ravel()[:4]) + (", ..." if a.size > 4 else "") + "]"
    if a.size > 6:
        return np.array2string(a.ravel()[:6], precision=6)[:-1] + " ...]"
    return np.array2string(a, precision=6) if a.ndim else repr(a.item())


def attrs_text(f, obj):
    out = []
    for name in obj.attrs:
        aid = h5py.h5a.open(obj.id, name.encode())
        shape = aid.shape
        try:
            v = obj.attrs[name]
            text = value_text(f, v)
        except Exception as e:  # noqa: BLE001 (an attribute h5py cannot read is a finding too)
            text = f"<unreadable: {e}>"
        # H5S_NULL (no value at all: PyTables writes these) has no shape.
        dims = "(null dataspace)" if shape is None else "" if shape == () else f"{list(shape)}"
        out.append(f"      @{name}: {type_name(aid.get_type())}{dims} = {text}")
    return out


def describe(path):
    print(f"== {path}")
    with h5py.File(path, "r") as f:
        lines = ["  / (group)"] + attrs_text(f, f)

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                chunks = f" chunks={obj.chunks}" if obj.chunks else ""
                lines.append(f"  /{name}: dataset {list(obj.shape)} "
                             f"{type_name(obj.id.get_type())}{chunks}")
            else:
                lines.append(f"  /{name}/ (group)")
            lines.extend(attrs_text(f, obj))

        f.visititems(visit)
        print("\n".join(lines))


if __name__ == "__main__":
    for p in sys.argv[1:]:
        describe(p)
