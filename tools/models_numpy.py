#!/usr/bin/env python3
"""A numpy yardstick for Monte Carlo batches of the garch and heston scenarios.

Used only for whole-process timings against `deno task run <scenario> --runs RUNS --steps
STEPS`, never by tests. Standalone: python3 with numpy.

    python3 tools/models_numpy.py garch|heston RUNS STEPS [--scenario FILE] [--seed N]

It reads the scenario (default scenarios/garch.jsonc or scenarios/heston.jsonc beside this
folder): the envelope's levels (atr, flip, putWall, callWall, riskProxyBase) and the options of
its generators, with the plugins' defaults for those it leaves out, and simulates RUNS paths of
STEPS steps vectorised over runs, a few numpy array operations per step:

- garch: the plugin's GARCH(1,1) recursion in percent (plugins/garch.ts), hv its conditional
  volatility sqrt(h * periodsPerYear) / 100, iv `ivMarkup` times it or the scenario's vol-path
  (v = max(v * (1 - reversion + volOfVol * e) + reversion * target, floor), the shock at
  shockAt);
- heston: the plugin's full-truncation Euler scheme (plugins/heston.ts), iv = max(sqrt(v+),
  floor), hv fixed or realised (sample standard deviation of the last `window` log returns times
  sqrt(periodsPerYear), `initial` during the warm-up, never below `floor`);

then, for every step, the envelope of SPEC §1: x = |spot - flip| / atr, y = (iv / hv) /
riskProxyBase, z on the spot's side of the flip, and BREACH where z < 0. It prints one JSON line:
the model, runs, steps, the runs with a BREACH and the breach rate.

Its draws come from numpy's default generator, so its paths match option-flight's in
distribution, not draw for draw. What it does not compute, and a batch does: regimes, the
OVERSPEED and STALL flags, per-run maximum load, first-breach steps, final-spot quantiles, the
fan charts' percentiles over time, the Wilson interval, and the summary and report files. It is
therefore a lower bound on the work of the same batch.
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def strip_jsonc(text):
    """JSON text from JSONC: comments and trailing commas removed, strings kept as they are."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "}]":
            # A comma before a closing bracket (JSONC allows it) is dropped.
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
            out.append(c)
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_scenario(path):
    with open(path, encoding="utf-8-sig") as f:
        scenario = json.loads(strip_jsonc(f.read()))
    ev = scenario["evaluator"]
    levels = {k: float(ev[k]) for k in ("atr", "flip", "putWall", "callWall")}
    levels["riskProxyBase"] = float(ev.get("riskProxyBase", 1))
    generators = {g["use"]: g for g in scenario["generators"].values()}
    return scenario, levels, generators


class Envelope:
    """SPEC §1 for a vector of runs: x, y, z each step, and which runs have breached."""

    def __init__(self, levels, runs):
        self.atr, self.flip = levels["atr"], levels["flip"]
        self.put, self.call = levels["putWall"], levels["callWall"]
        self.base = levels["riskProxyBase"]
        self.breached = np.zeros(runs, dtype=bool)

    def step(self, spot, iv, hv):
        x = np.abs(spot - self.flip) / self.atr
        y = iv / hv / self.base
        z = np.where(spot >= self.flip, (self.call - spot) / (self.call - self.flip),
                     (spot - self.put) / (self.flip - self.put))
        self.breached |= z < 0
        return x, y, z


class Normals:
    """Standard normals for (step, run), drawn in chunks of steps to keep Python calls few."""

    def __init__(self, rng, runs, steps):
        self.rng, self.runs = rng, runs
        self.chunk = max(1, min(256, steps, (1 << 22) // max(runs, 1)))
        self.block, self.row = None, self.chunk

    def next(self):
        if self.row == self.chunk:
            self.block = self.rng.standard_normal((self.chunk, self.runs))
            self.row = 0
        self.row += 1
        return self.block[self.row - 1]


class VolPath:
    """The vol-path plugin's IV, vectorised."""

    def __init__(self, o, rng, runs, steps):
        start = float(o["start"])
        target = float(o.get("target", start))
        reversion = float(o.get("reversion", 0.05))
        self.keep, self.pull = 1 - reversion, reversion * target
        self.vov = float(o.get("volOfVol", 0.02))
        self.shock_at = o.get("shockAt")
        self.shock = 1 + float(o.get("shockSize", 0.5))
        self.floor = float(o.get("floor", 0.01))
        self.v = np.full(runs, start)
        self.normals = Normals(rng, runs, steps)

    def step(self, t):
        v = self.v
        v *= self.keep + self.vov * self.normals.next()
        v += self.pull
        if t == self.shock_at:
            v *= self.shock
        np.maximum(v, self.floor, out=v)
        return v


class RealisedHv:
    """The hv plugin, fixed or realised over a rolling window of log returns, vectorised."""

    def __init__(self, o, runs):
        self.value = o.get("value")
        if self.value is None:
            self.window = int(o["window"])
            self.initial = float(o["initial"])
            self.annualise = math.sqrt(float(o.get("periodsPerYear", 252)))
            self.floor = float(o.get("floor", 0.01))
            self.returns = np.zeros((self.window, runs))
        self.fixed = None if self.value is None else np.full(runs, float(self.value))
        self.seen = 0

    def step(self, log_return):
        if self.fixed is not None:
            return self.fixed
        if log_return is not None:
            self.returns[self.seen % self.window] = log_return
            self.seen += 1
        if self.seen < self.window:
            return np.full(self.returns.shape[1], self.initial)
        realised = self.returns.std(axis=0, ddof=1) * self.annualise
        return np.maximum(realised, self.floor)


def run_garch(generators, levels, runs, steps, rng):
    o = generators["garch"]
    mu, omega = float(o.get("mu", 0)), float(o["omega"])
    alpha, beta = float(o["alpha"]), float(o["beta"])
    ppy = float(o.get("periodsPerYear", 252))
    markup = o.get("ivMarkup")
    s = np.full(runs, float(o.get("start", levels["flip"])))
    h = np.full(runs, float(o.get("variance0", omega / (1 - alpha - beta))))
    vol_path = None if markup is not None else VolPath(generators["vol-path"], rng, runs, steps)
    normals = Normals(rng, runs, steps)
    env = Envelope(levels, runs)
    hv = np.sqrt(h * ppy) / 100
    env.step(s, markup * hv if markup is not None else vol_path.v, hv)
    for t in range(1, steps):
        shock = np.sqrt(h) * normals.next()
        hv = np.sqrt(h * ppy) / 100
        s *= np.exp((mu + shock) / 100)
        h = omega + alpha * shock * shock + beta * h
        iv = markup * hv if markup is not None else vol_path.step(t)
        env.step(s, iv, hv)
    return env


def run_heston(generators, levels, runs, steps, rng):
    o = generators["heston"]
    mu, kappa = float(o.get("mu", 0)), float(o["kappa"])
    theta, xi = float(o["theta"]), float(o["xi"])
    rho = float(o.get("rho", -0.7))
    dt = 1 / float(o.get("periodsPerYear", 252))
    floor = float(o.get("floor", 0.01))
    rho_bar = math.sqrt(1 - rho * rho)
    s = np.full(runs, float(o.get("start", levels["flip"])))
    v = np.full(runs, float(o.get("v0", theta)))
    hv_gen = RealisedHv(generators["hv"], runs)
    normals = Normals(rng, runs, 2 * steps)
    env = Envelope(levels, runs)
    env.step(s, np.maximum(np.sqrt(np.maximum(v, 0)), floor), hv_gen.step(None))
    for _ in range(1, steps):
        z1, z2 = normals.next(), normals.next()
        p = np.maximum(v, 0)
        sd = np.sqrt(p * dt)
        dx = mu * dt + sd * z1
        s *= np.exp(dx)
        v += kappa * (theta - p) * dt + xi * sd * (rho * z1 + rho_bar * z2)
        iv = np.maximum(np.sqrt(np.maximum(v, 0)), floor)
        env.step(s, iv, hv_gen.step(dx))
    return env


def main(argv):
    args, flags, i = [], {}, 0
    while i < len(argv):
        if argv[i] in ("--scenario", "--seed") and i + 1 < len(argv):
            flags[argv[i]] = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) < 3 or args[0] not in ("garch", "heston"):
        print(__doc__.split("\n\n")[2].strip(), file=sys.stderr)
        return 2
    model, runs, steps = args[0], int(args[1]), int(args[2])
    default = os.path.join(HERE, "..", "scenarios", f"{model}.jsonc")
    scenario, levels, generators = read_scenario(flags.get("--scenario", default))
    seed = int(flags.get("--seed", scenario.get("seed", 0)))
    rng = np.random.default_rng(seed)
    env = (run_garch if model == "garch" else run_heston)(generators, levels, runs, steps, rng)
    breaches = int(env.breached.sum())
    print(json.dumps({"model": model, "runs": runs, "steps": steps, "breachRuns": breaches,
                      "breachRate": breaches / runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
