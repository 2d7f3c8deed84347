"""What one certificate's files cost to make, file by file, in one process.

    python -m bench.files            # 200 certificates
    python -m bench.files --n 1000

A cold build makes, per certificate, a QR code (SVG and PNG) and a label (SVG,
PDF and PNG) in worker processes; this times each step on its own, with no
cache, as the workers run them. Five statements come round in turn, as the
bench's records' 78 do in random order; a worker keeps the logo tiles of 16
(logos.LABEL_LOGO_TILES), so here the label PNG always finds its tile, where a
build finds it for about 83 % of the bench's certificates. Not part of
``make bench``: a tool for seeing where a cold build's worker time goes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

STATEMENTS = [["OCPP 1.6 Core"], ["OCPP 1.6 Core, Firmware Management", "Smart Charging"],
              ["OCPP 2.0.1 Core", "Advanced Security"], ["OCPP 2.0.1 Core"], ["OCPP 2.0.1 Core", "ISO 15118 support"]]
HOST = "bench.example.org/verify/"


def main() -> None:
    from ocpp_directory.engine.cache import ContentCache
    from ocpp_directory.outputs import logos
    from ocpp_directory.outputs import qr

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    renderer = logos.Renderer(ContentCache(None), "2026-11-24")
    steps = {"QR matrix": 0.0, "QR SVG": 0.0, "QR PNG": 0.0, "label SVG": 0.0, "label PDF": 0.0, "label PNG": 0.0}
    sizes = dict.fromkeys(steps, 0)
    for i in range(-len(STATEMENTS), n):  # the first round draws fonts and shared parts: not timed
        cert_id = f"OCA-201-2026-{abs(i):05d}"
        lines = STATEMENTS[i % len(STATEMENTS)]
        url = f"https://bench.example.org/certificates/{cert_id}/"
        times = [time.perf_counter()]
        modules = qr.matrix(url)
        times.append(time.perf_counter())
        made = {"QR matrix": b""}
        made["QR SVG"] = qr.svg(modules, url)
        times.append(time.perf_counter())
        made["QR PNG"] = qr.png(modules)
        times.append(time.perf_counter())
        made["label SVG"] = logos.label_svg(cert_id, lines, modules, url, HOST).encode()
        times.append(time.perf_counter())
        for kind in ("PDF", "PNG"):
            made[f"label {kind}"] = renderer.label(cert_id, lines, modules, HOST, kind.lower(), "2026-01-02")
            times.append(time.perf_counter())
        if i >= 0:
            for step, start, end in zip(steps, times, times[1:]):
                steps[step] += end - start
                sizes[step] += len(made[step])
    print(f"per certificate, mean of {n}, one process:")
    for step, seconds in steps.items():
        size = f"{sizes[step] / n / 1024:7.1f} KB" if sizes[step] else ""
        print(f"  {step:10} {seconds / n * 1000:6.2f} ms {size}")
    print(f"  {'total':10} {sum(steps.values()) / n * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
