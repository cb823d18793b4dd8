#!/usr/bin/env python3
"""The lesson's per-plot work (plot_rand_mp.py's plotData), one process, PNG output: the
baseline plotrand-mpi is measured against. Prints one line: plots, seconds, ms/plot, KB/plot.
    python3 scripts/lesson_baseline.py OUTDIR [N]      (needs: pip install matplotlib numpy)
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_data(output_dir, plot_num):
    # The lesson's function, with .png for .pdf (plotrand-mpi's default format).
    out = os.path.join(output_dir, "plot_%d.png" % plot_num)
    n = 500
    np.random.seed(int(time.time()) + plot_num)
    x = np.random.rand(n)
    y = np.random.rand(n)
    area = np.pi * (15 * np.random.rand(n)) ** 2
    plt.scatter(x, y, s=area, alpha=0.5)
    plt.savefig(out)
    plt.clf()
    return out


def main():
    output_dir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    os.makedirs(output_dir, exist_ok=True)
    start = time.perf_counter()
    size = sum(os.path.getsize(plot_data(output_dir, k)) for k in range(1, n + 1))
    took = time.perf_counter() - start
    print(f"matplotlib: {n} plots in {took:.2f} s: {1e3 * took / n:.2f} ms/plot, "
          f"{size / n / 1e3:.1f} KB/plot")


if __name__ == "__main__":
    main()
