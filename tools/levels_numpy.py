#!/usr/bin/env python3
"""A numpy yardstick for markets/levels.ts: the same GEX profile, flip and walls (SPEC §6).

Used only by the levels bench, never by tests. Standalone: python3 with numpy.

    python3 tools/levels_numpy.py <chain.csv> [--repeat N] [--method block|loop] [--exclude-nearest]

Prints spot, net GEX at spot, the flip, the walls (unrestricted, restricted to the flip and to
spot), the largest open-interest strikes, and the time of the levels in process (best of N);
--method picks the profile's numpy formulation (block, the default, is the faster; loop is
the per-spot loop of public GEX scripts); --exclude-nearest also prints the flip without the
first expiry listed. For whole-process timings, OPENBLAS_NUM_THREADS=1 avoids the BLAS
thread start-up, which costs more than the one matrix-vector product per block it speeds.

Conventions, as in markets/levels.ts: GEX = gamma * OI * 100 * S^2 * 0.01 (dollars per 1% move),
dealers long calls (+) and short puts (-); walls from per-strike sums of Cboe's gammas at spot
over all expirations, by size; the flip from Black-Scholes gamma re-priced with each row's IV at
801 spots from 0.8 S to 1.2 S, r = q = 0, T = numpy.busday_count(header date, expiry) / 262 with
a floor of 1/262, options with OI 0 or IV 0 left out, zero crossing nearest spot by linear
interpolation.
"""

import csv
import datetime
import re
import sys
import time

import numpy as np

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def read_chain(path):
    """Spot, header date, and the columns the levels need, as numpy arrays."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    head = next(i for i, row in enumerate(lines[:10]) if "Strike" in [c.strip() for c in row])
    preamble = " ".join(",".join(row) for row in lines[:head])
    spot = float(re.search(r"Last:\s*([0-9.]+)", preamble).group(1))
    m = re.search(r"Date:\s*([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})", preamble)
    date = datetime.date(int(m.group(3)), MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    header = [c.strip() for c in lines[head]]
    k = header.index("Strike")

    def col(name, side):
        lo, hi = (0, k) if side == "call" else (k + 1, len(header))
        return header.index(name, lo, hi)

    rows = [r for r in lines[head + 1:] if r]
    expiry_text = [r[0] for r in rows]
    order = list(dict.fromkeys(expiry_text))
    iso = {}
    for e in order:
        _, mon, day, year = e.split()
        iso[e] = np.datetime64(datetime.date(int(year), MONTHS[mon.lower()], int(day)), "D")
    data = np.array([[r[i] for i in (
        k,
        col("IV", "call"), col("Gamma", "call"), col("Open Interest", "call"),
        col("IV", "put"), col("Gamma", "put"), col("Open Interest", "put"),
    )] for r in rows], dtype=float)
    index = {e: i for i, e in enumerate(order)}
    return {
        "spot": spot,
        "date": np.datetime64(date, "D"),
        "expiry": np.array([index[e] for e in expiry_text]),
        "expiries": np.array([iso[e] for e in order]),
        "strike": data[:, 0],
        "call": (data[:, 1], data[:, 2], data[:, 3]),
        "put": (data[:, 4], data[:, 5], data[:, 6]),
    }


def profile(chain, low=0.8, high=1.2, points=801, days_per_year=262, keep=None, method="block"):
    """Total GEX at each hypothetical spot (Black-Scholes gammas), and the spots.

    method "block" works on blocks of 64 spots x all options with the per-option constants
    precomputed (the fast way); "loop" re-prices every option at one spot at a time, as public
    GEX scripts usually do.
    """
    spot = chain["spot"]
    spots = np.linspace(low * spot, high * spot, points)
    days = np.busday_count(chain["date"], chain["expiries"])
    years = np.maximum(days, 1) / days_per_year
    if keep is None:
        keep = np.ones(len(chain["expiries"]), dtype=bool)
    strikes, ivs, weights, ts = [], [], [], []
    for side, sign in (("call", 1.0), ("put", -1.0)):
        iv, _, oi = chain[side]
        use = keep[chain["expiry"]] & (oi > 0) & (iv > 0)
        strikes.append(chain["strike"][use])
        ivs.append(iv[use])
        weights.append(sign * oi[use])
        ts.append(years[chain["expiry"][use]])
    strike = np.concatenate(strikes)
    iv = np.concatenate(ivs)
    weight = np.concatenate(weights)
    t = np.concatenate(ts)
    if method == "loop":
        total = np.empty(points)
        for j, s in enumerate(spots):
            d1 = (np.log(s / strike) + 0.5 * iv * iv * t) / (iv * np.sqrt(t))
            gamma = np.exp(-0.5 * d1 * d1) / (np.sqrt(2 * np.pi) * s * iv * np.sqrt(t))
            total[j] = np.sum(gamma * weight * 100 * s * s * 0.01)
        return spots, total
    # Per row, what does not depend on the spot: d1 = (ln s - shift) / sd and
    # GEX(s) = s * coef * exp(-d1^2 / 2), which is gamma * OI * 100 * s^2 * 0.01.
    sd = iv * np.sqrt(t)
    shift = np.log(strike) - 0.5 * sd * sd
    inv = 1.0 / sd
    coef = weight * 100 * 0.01 * inv / np.sqrt(2 * np.pi)
    log_spots = np.log(spots)
    total = np.empty(points)
    chunk = 64  # spots per block, to bound the temporaries (64 x rows doubles)
    for a in range(0, points, chunk):
        d = np.subtract.outer(log_spots[a:a + chunk], shift)
        d *= inv
        d *= d
        d *= -0.5
        np.exp(d, out=d)
        total[a:a + chunk] = spots[a:a + chunk] * (d @ coef)
    return spots, total


def flip_of(spots, total, spot):
    """The zero crossing of the total nearest spot, linearly interpolated, or None."""
    a, b = total[:-1], total[1:]
    j = np.nonzero((np.sign(a) * np.sign(b) < 0) | (a == 0))[0]
    if len(j) == 0:
        return None
    x = np.where(a[j] == 0, spots[j],
                 spots[j] - a[j] * (spots[j + 1] - spots[j]) / (b[j] - a[j]))
    return float(x[np.argmin(np.abs(x - spot))])


def walls(chain, flip):
    """Per-strike sums of Cboe's gamma * OI, and the walls under each restriction."""
    strikes, where = np.unique(chain["strike"], return_inverse=True)
    call = np.bincount(where, chain["call"][1] * chain["call"][2], len(strikes))
    put = np.bincount(where, chain["put"][1] * chain["put"][2], len(strikes))
    call_oi = np.bincount(where, chain["call"][2], len(strikes))
    put_oi = np.bincount(where, chain["put"][2], len(strikes))
    spot = chain["spot"]

    def best(values, mask):
        v = np.where(mask & (values > 0), values, -1.0)
        return float(strikes[np.argmax(v)]) if v.max() > 0 else None

    everywhere = np.ones(len(strikes), dtype=bool)
    scale = 100 * spot * spot * 0.01
    return {
        "netGexAtSpot": float(scale * (call.sum() - put.sum())),
        "none": (best(call, everywhere), best(put, everywhere)),
        "flip": (best(call, strikes > flip), best(put, strikes < flip)) if flip else (None, None),
        "spot": (best(call, strikes >= spot), best(put, strikes <= spot)),
        "oi": (best(call_oi, everywhere), best(put_oi, everywhere)),
    }


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    path = argv[0]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    method = argv[argv.index("--method") + 1] if "--method" in argv else "block"
    if method not in ("block", "loop"):
        print(f'--method: expected "block" or "loop", got "{method}"', file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    chain = read_chain(path)
    t1 = time.perf_counter()
    times = []
    for _ in range(repeat):
        a = time.perf_counter()
        spots, total = profile(chain, method=method)
        flip = flip_of(spots, total, chain["spot"])
        w = walls(chain, flip)
        times.append(time.perf_counter() - a)
    flip_ex = None
    if "--exclude-nearest" in argv:
        keep = np.ones(len(chain["expiries"]), dtype=bool)
        keep[0] = False
        flip_ex = flip_of(*profile(chain, keep=keep, method=method), chain["spot"])
    print(f"spot {chain['spot']}")
    print(f"net GEX at spot {w['netGexAtSpot']:.6e} dollars per 1% move")
    print(f"flip {flip}" + (f" (excluding the nearest expiry: {flip_ex})" if flip_ex else ""))
    print(f"walls unrestricted: call {w['none'][0]}, put {w['none'][1]}")
    print(f"walls restricted to the flip: call {w['flip'][0]}, put {w['flip'][1]}")
    print(f"walls restricted to spot: call {w['spot'][0]}, put {w['spot'][1]}")
    print(f"largest open interest: call {w['oi'][0]}, put {w['oi'][1]}")
    print(f"read {1000 * (t1 - t0):.1f} ms, levels (profile, flip, walls) "
          f"{1000 * min(times):.1f} ms (best of {repeat}, method {method})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
