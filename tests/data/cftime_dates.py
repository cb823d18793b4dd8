#!/usr/bin/env python3
"""What cftime makes of days and times in each CF calendar: the expectations of the calendar
unit tests of src/calendar/, regenerated from cftime itself.

Run it with the venv scripts/pyenv.sh makes, from the repository's root:

    python=$(scripts/pyenv.sh)
    "$python" tests/data/cftime_dates.py > tests/data/cftime_dates.json

The unit tests read tests/data/cftime_dates.json (include_str!); tests/integration/calendars.rs
runs this script and fails when the checked-in file is not what it prints.

For every calendar:
- "days": [n, "Y-M-D"]: the date `num2date(n, "days since 1970-01-01")` gives, over ±2000
  years, across the standard calendar's switch of 1582 and around leap days;
- "times": [units, value, text]: cftime's `str` of `num2date(value, units)`, which is what
  xarray titles a plot of a time slice with;
- "missing": dates cftime refuses in that calendar.
Numbers are Python's `repr`s, as text, so that the tests parse them exactly.
"""

import json
import sys
import warnings

import cftime

CALENDARS = ["standard", "proleptic_gregorian", "noleap", "all_leap", "360_day", "julian"]

# Day counts since 1970-01-01: a spread over ±2000 years, and the days around what differs
# between calendars (the switch of 1582, February's ends, year 0 and 1 BC).
SPREAD = list(range(-730_000, 730_001, 7_919))
AROUND = [
    -141_428, -141_427, -141_426, -141_417,  # 1582-10-04/15 in the standard calendar
    -719_893, -719_528, -719_162, -718_797,  # years 0 and 1 in proleptic Gregorian
    -1, 0, 1, 58, 59, 60, 364, 365, 366, 10_957, 11_015, 11_016, 11_017,
]

TIMES = [
    ("days since 1850-01-01", [0.0, 14.0, 15.5, 45.0, 45.25, 59.0, 15.500001, 0.1, 364.75]),
    ("days since 1850-01-01 00:00:00", [1.0 / 86400 / 1000, 730.5, -0.5]),
    ("hours since 0001-01-01 00:00:00", [0.0, 8_760.0, 17_522_904.0, 6.0]),
    ("seconds since 2000-02-28 12:00:00", [0.0, 43_200.0, 129_600.0, 1.5]),
    ("minutes since 1582-10-01", [0.0, 4 * 1440.0, 10 * 1440.0]),
    ("days since -0100-01-01", [0.0, 400.0]),
]

MISSING = [
    (1850, 2, 29), (2000, 2, 29), (2000, 2, 30), (1850, 1, 31), (1582, 10, 10), (0, 1, 1),
    (1900, 2, 29), (1851, 2, 29), (1850, 4, 31),
]


def days(calendar):
    out = []
    for n in sorted(set(SPREAD + AROUND)):
        d = cftime.num2date(n, "days since 1970-01-01", calendar=calendar)
        out.append([n, f"{d.year}-{d.month}-{d.day}"])
    return out


def times(calendar):
    out = []
    for units, values in TIMES:
        for v in values:
            try:
                text = str(cftime.num2date(v, units, calendar=calendar))
            except ValueError:
                continue  # a reference date the calendar lacks (year 0 in julian)
            out.append([units, repr(v), text])
    return out


def missing(calendar):
    out = []
    for ymd in MISSING:
        try:
            # date2num too: with warnings off, cftime.datetime alone lets a year 0 through.
            d = cftime.datetime(*ymd, calendar=calendar)
            cftime.date2num(d, "days since 1970-01-01", calendar=calendar)
        except ValueError:
            out.append(list(ymd))
    return out


def main():
    warnings.simplefilter("ignore")
    result = {
        "cftime": cftime.__version__,
        "calendars": {
            c: {"days": days(c), "times": times(c), "missing": missing(c)} for c in CALENDARS
        },
    }
    json.dump(result, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
