// The market-model generators garch, heston and jumps: their documented recursions, the
// statistics a user relies on (over long seeded runs, with tolerances of a few standard errors
// of the sample size), refusals, warnings, block-size independence and fromState.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import { main } from "../../cli.ts";
import { ScenarioError } from "../../core/errors.ts";
import type { GeneratorDefinition, MarketState } from "../../core/plugin.ts";
import { createStream } from "../../core/random.ts";
import { readOptions, runGenerator } from "../../testing.ts";
import garch, { type GarchOptions } from "../../plugins/garch.ts";
import heston, { type HestonOptions } from "../../plugins/heston.ts";
import jumps, { type JumpsOptions } from "../../plugins/jumps.ts";
import { loadScenario, parseScenario, simulate } from "../../mod.ts";

const root = new URL("../../", import.meta.url).pathname;

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample variance (divisor n - 1). */
function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return sum / (values.length - 1);
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a), mb = mean(b);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    ab += da * db, aa += da * da, bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Log returns of a path, scaled. */
function logReturns(spot: Float64Array, scale = 1): Float64Array {
  const out = new Float64Array(spot.length - 1);
  for (let t = 1; t < spot.length; t++) out[t - 1] = scale * Math.log(spot[t]! / spot[t - 1]!);
  return out;
}

/** Runs `paths` independent runs (run indices 0 to paths - 1) of one generator. */
async function runs(
  definition: GeneratorDefinition,
  options: Record<string, unknown>,
  settings: { paths: number; steps: number },
): Promise<{ spot: Float64Array; iv: Float64Array; hv: Float64Array }[]> {
  const out = [];
  for (let run = 0; run < settings.paths; run++) {
    out.push(await runGenerator(definition, { options, run, seed: 11, steps: settings.steps }));
  }
  return out;
}

function factorial(k: number): number {
  return k <= 1 ? 1 : k * factorial(k - 1);
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) out.set(a, at), at += a.length;
  return out;
}

const STATE: MarketState = { date: "2022-12-12", spot: 3990.56, atr: 62.99, iv: 0.2283, hv: 0.21 };

// garch

Deno.test("garch follows its documented recursion on the generator's normals", async () => {
  const options = { start: 100, mu: 0.02, omega: 0.05, alpha: 0.12, beta: 0.8, variance0: 2 };
  const { spot, hv } = await runGenerator(garch, { options, steps: 300, seed: 3 });
  const random = createStream(3, { run: 0, key: "generators.garch" });
  let s = 100, h = 2;
  assertEquals([spot[0], hv[0]], [100, Math.sqrt(2 * 252) / 100]);
  for (let t = 1; t < 300; t++) {
    const shock = Math.sqrt(h) * random.normal();
    s *= Math.exp((0.02 + shock) / 100);
    assertAlmostEquals(spot[t]!, s, 1e-9 * s, `spot at step ${t}`);
    assertAlmostEquals(hv[t]!, Math.sqrt(h * 252) / 100, 1e-12, `hv at step ${t}`);
    h = 0.05 + 0.12 * shock * shock + 0.8 * h;
  }
});

Deno.test("garch returns have the unconditional variance omega / (1 - alpha - beta)", async () => {
  const [omega, alpha, beta] = [0.02, 0.1, 0.88];
  const paths = await runs(garch, { start: 100, omega, alpha, beta }, { paths: 50, steps: 20_000 });
  const returns = concat(paths.map((p) => logReturns(p.spot, 100)));
  const n = returns.length;
  const h = omega / (1 - alpha - beta);
  // Normal GARCH(1,1): kurtosis of r, and the lag-1 autocorrelation of r^2 that decays by
  // alpha + beta a lag; together they give the standard error of the mean of r^2.
  const p = alpha + beta;
  const kurtosis = 3 * (1 - p * p) / (1 - p * p - 2 * alpha * alpha);
  const rho1 = alpha * (1 - alpha * beta - beta * beta) / (1 - 2 * alpha * beta - beta * beta);
  const se = h * Math.sqrt((kurtosis - 1) * (1 + 2 * rho1 / (1 - p)) / n);
  assertAlmostEquals(variance(returns), h, 4 * se, `sample variance, standard error ${se}`);
});

Deno.test("garch squared returns cluster: lag-1 autocorrelation near its theoretical value", async () => {
  const acf1 = (r: Float64Array) => {
    const squares = r.map((x) => x * x);
    return correlation(squares.subarray(0, -1), squares.subarray(1));
  };
  const [alpha, beta] = [0.1, 0.8];
  const options = { start: 100, omega: 0.1, alpha, beta };
  const perPath = (await runs(garch, options, { paths: 40, steps: 20_000 }))
    .map((p) => acf1(logReturns(p.spot, 100)));
  const n = perPath.length * 19_999;
  const theory = alpha * (1 - alpha * beta - beta * beta) / (1 - 2 * alpha * beta - beta * beta);
  const se = Math.sqrt(variance(perPath) / perPath.length);
  assertAlmostEquals(mean(perPath), theory, 4 * se, `lag-1 autocorrelation, standard error ${se}`);
  // Far above what independent returns give, 1 / sqrt(n).
  assertGreater(mean(perPath), 10 / Math.sqrt(n));
  // Without the ARCH term the variance stays put, and the squares do not cluster.
  const flat = (await runs(garch, { ...options, alpha: 0 }, { paths: 5, steps: 20_000 }))
    .map((p) => acf1(logReturns(p.spot, 100)));
  assertLess(Math.abs(mean(flat)), 4 / Math.sqrt(5 * 19_999));
});

Deno.test("garch with ivMarkup fills iv as the markup times hv; without it leaves iv alone", async () => {
  const options = { omega: 0.02, alpha: 0.1, beta: 0.88 };
  const marked = await runGenerator(garch, { options: { ...options, ivMarkup: 1.25 } });
  for (let t = 0; t < 200; t++) assertEquals(marked.iv[t], 1.25 * marked.hv[t]!);
  const plain = await runGenerator(garch, { options });
  assert(plain.iv.every((v) => v === 0), "iv written without ivMarkup");
  const read = (raw: Record<string, unknown>) => readOptions<GarchOptions>(garch, raw);
  assertEquals(garch.channels!(read(options), { file: "x.jsonc" }), ["spot", "hv"]);
  const withIv = read({ ...options, ivMarkup: 1.25 });
  assertEquals(garch.channels!(withIv, { file: "x.jsonc" }), ["spot", "iv", "hv"]);
  // The start defaults to the flip of the envelope.
  assertEquals(plain.spot[0], 692.5);
});

Deno.test("garch refuses alpha + beta >= 1 and negative parameters, naming the field", () => {
  const refused = (raw: Record<string, unknown>) =>
    assertThrows(() => readOptions(garch, raw), ScenarioError).message;
  assertEquals(
    refused({ omega: 0.02, alpha: 0.1, beta: 0.9 }),
    'Cannot read "garch.beta": expected alpha + beta < 1 for a variance that reverts, got 0.1 + 0.9 = 1',
  );
  assertEquals(
    refused({ omega: -0.02, alpha: -0.1, beta: 0.5 }),
    [
      'Cannot read "garch.omega": expected a number > 0, got -0.02',
      'Cannot read "garch.alpha": expected a number >= 0, got -0.1',
    ].join("\n"),
  );
  assertEquals(
    refused({ alpha: 0.1, beta: 0.8, variance0: 0, ivMarkup: -1 }),
    [
      'Cannot read "garch.omega": expected a number > 0, got nothing (the field is required)',
      'Cannot read "garch.variance0": expected a number > 0, got 0',
      'Cannot read "garch.ivMarkup": expected a number > 0, got -1',
    ].join("\n"),
  );
});

Deno.test("a scenario with garch's alpha + beta >= 1 is refused with the file and field path", async () => {
  const text = JSON.stringify({
    steps: 10,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "garch", omega: 0.02, alpha: 0.3, beta: 0.75 },
      iv: { use: "vol-path", start: 0.15 },
    },
  });
  const error = await parseScenario(text, { path: "x.jsonc" }).catch((e) => e);
  assert(error instanceof ScenarioError);
  assertEquals(
    error.message,
    'x.jsonc: Cannot read "generators.spot.beta": expected alpha + beta < 1 for a variance that reverts, got 0.3 + 0.75 = 1.05',
  );
});

// heston

Deno.test("heston follows its documented full-truncation recursion", async () => {
  const options = { start: 100, mu: 0.03, v0: 0.05, kappa: 2, theta: 0.04, xi: 0.9, rho: -0.6 };
  const { spot, iv } = await runGenerator(heston, { options, steps: 400, seed: 5 });
  const random = createStream(5, { run: 0, key: "generators.heston" });
  const dt = 1 / 252;
  let s = 100, v = 0.05, truncated = 0;
  assertEquals([spot[0], iv[0]], [100, Math.sqrt(0.05)]);
  for (let t = 1; t < 400; t++) {
    const z1 = random.normal(), z2 = random.normal();
    const p = Math.max(v, 0);
    if (v < 0) truncated++;
    s *= Math.exp(0.03 * dt + Math.sqrt(p * dt) * z1);
    v += 2 * (0.04 - p) * dt + 0.9 * Math.sqrt(p * dt) * (-0.6 * z1 + Math.sqrt(1 - 0.36) * z2);
    assertAlmostEquals(spot[t]!, s, 1e-9 * s, `spot at step ${t}`);
    assertAlmostEquals(iv[t]!, Math.max(Math.sqrt(Math.max(v, 0)), 0.01), 1e-12, `iv at ${t}`);
  }
  // xi 0.9 breaks the Feller condition: the path does reach the truncation.
  assertGreater(truncated, 0);
  assert(iv.every((x) => x >= 0.01));
});

/** Many Heston paths started at theta: pooled increments and per-path mean variances. */
async function hestonSample(options: Record<string, unknown>, paths: number, steps: number) {
  const dLogS: Float64Array[] = [], dV: Float64Array[] = [], pathMeans: number[] = [];
  const v: Float64Array[] = [];
  for (const path of await runs(heston, options, { paths, steps })) {
    const variances = path.iv.map((x) => x * x);
    v.push(variances);
    pathMeans.push(mean(variances));
    dLogS.push(logReturns(path.spot));
    dV.push(variances.subarray(1).map((x, i) => x - variances[i]!));
  }
  return { dLogS: concat(dLogS), dV: concat(dV), v: concat(v), pathMeans };
}

const HESTON = { start: 100, kappa: 3, theta: 0.04, xi: 0.45, rho: -0.7 };

Deno.test("heston started at theta keeps a mean variance near theta", async () => {
  const { kappa, theta, xi } = HESTON;
  const paths = 200, steps = 2520;
  const { pathMeans } = await hestonSample(HESTON, paths, steps);
  // The variance's autocovariance is Var(v) exp(-kappa |s - t|), Var(v) = theta xi^2 / (2 kappa),
  // so a path's time average over T years has variance at most 2 Var(v) / (kappa T).
  const years = steps / 252;
  const se = Math.sqrt(2 * (theta * xi * xi / (2 * kappa)) / (kappa * years) / paths);
  assertAlmostEquals(mean(pathMeans), theta, 4 * se, `mean variance, standard error ${se}`);
});

Deno.test("heston spot and variance increments are correlated by rho (leverage)", async () => {
  for (const rho of [-0.7, 0.3]) {
    const { dLogS, dV, v } = await hestonSample({ ...HESTON, rho }, 100, 2520);
    const n = dLogS.length;
    // Given v, each step's increments correlate by rho; the drift of dv adds variance
    // kappa^2 dt^2 Var(v), which lowers the correlation by sqrt(1 + kappa dt / 2).
    const expected = rho / Math.sqrt(1 + HESTON.kappa / 252 / 2);
    // Sampling error of a correlation of normal scale mixtures: (1 - rho^2) / sqrt(n), times
    // sqrt(E[v^2]) / E[v].
    const mixing = Math.sqrt(mean(v.map((x) => x * x))) / mean(v);
    const se = mixing * (1 - rho * rho) / Math.sqrt(n);
    assertAlmostEquals(
      correlation(dLogS, dV),
      expected,
      4 * se,
      `rho ${rho}, standard error ${se}`,
    );
  }
});

Deno.test("heston warns when the Feller condition fails, in the scenario and the run summary", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "feller.jsonc");
    const scenario = (xi: number) =>
      JSON.stringify({
        steps: 20,
        evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
        generators: {
          model: { use: "heston", kappa: 2, theta: 0.04, xi },
          hv: { use: "hv", value: 0.15 },
        },
      });
    const warning =
      `${file}: "generators.model.xi": the Feller condition 2 kappa theta >= xi^2 fails (0.16 < 0.25): the variance reaches 0 often, and IV then sits at its floor`;
    assertEquals((await parseScenario(scenario(0.5), { path: file })).warnings, [warning]);
    assertEquals((await parseScenario(scenario(0.3), { path: file })).warnings, undefined);
    await Deno.writeTextFile(file, scenario(0.5));
    const lines: string[] = [];
    const code = await main([file, "--out", join(dir, "out")], {
      stdout: (line) => lines.push(line),
      stderr: (line) => lines.push(line),
    });
    assertEquals(code, 0);
    assertEquals(lines.filter((line) => line.includes("warning")), [`  warning  ${warning}`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("heston refuses negative or out-of-range parameters, naming the field", () => {
  const error = assertThrows(
    () => readOptions(heston, { kappa: -1, theta: 0, xi: 0.3, rho: -1.5, v0: -0.01 }),
    ScenarioError,
  );
  assertEquals(
    error.message,
    [
      'Cannot read "heston.v0": expected a number >= 0, got -0.01',
      'Cannot read "heston.kappa": expected a number > 0, got -1',
      'Cannot read "heston.theta": expected a number > 0, got 0',
      'Cannot read "heston.rho": expected a number in [-1, 1], got -1.5',
    ].join("\n"),
  );
});

// jumps

Deno.test("jumps follows its documented recursion: z, then u, then a jump normal when it jumps", async () => {
  const options = { start: 100, mu: 0.05, sigma: 0.2, lambda: 60, jumpMean: -0.04, jumpSd: 0.02 };
  const { spot } = await runGenerator(jumps, { options, steps: 2000, seed: 9 });
  const random = createStream(9, { run: 0, key: "generators.jumps" });
  const dt = 1 / 252, lam = 60 * dt;
  let s = 100, jumped = 0;
  assertEquals(spot[0], 100);
  for (let t = 1; t < 2000; t++) {
    let x = 0.05 * dt + 0.2 * Math.sqrt(dt) * random.normal();
    const u = random.next();
    // P(K <= k), summed term by term as the doc comment says.
    let k = 0, p = Math.exp(-lam), below = p;
    while (u >= below) k++, p *= lam / k, below += p;
    if (k > 0) x += k * -0.04 + 0.02 * Math.sqrt(k) * random.normal(), jumped++;
    s *= Math.exp(x);
    assertAlmostEquals(spot[t]!, s, 1e-9 * s, `spot at step ${t}`);
  }
  assertGreater(jumped, 300);
});

Deno.test("jumps counts: mean and variance of jumps per path near lambda T, Poisson per step", async () => {
  // Fixed 5% gaps down and a negligible diffusion, so a step's log return is -0.05 k.
  const lambda = 25.2, steps = 253, paths = 2000;
  const options = { start: 100, sigma: 1e-6, lambda, jumpMean: -0.05, jumpSd: 0 };
  const counts: number[] = [];
  const perStep = [0, 0, 0, 0];
  for (const path of await runs(jumps, options, { paths, steps })) {
    let count = 0;
    for (const r of logReturns(path.spot)) {
      const k = Math.round(r / -0.05);
      assertLess(Math.abs(r + 0.05 * k), 1e-5);
      count += k;
      if (k < perStep.length) perStep[k]!++;
    }
    counts.push(count);
  }
  const expected = lambda * (steps - 1) / 252;
  // Poisson(m): the mean's standard error sqrt(m / paths); the sample variance's
  // sqrt((mu4 - m^2) / paths), with fourth central moment mu4 = m (1 + 3 m).
  assertAlmostEquals(mean(counts), expected, 4 * Math.sqrt(expected / paths));
  const varianceSe = Math.sqrt((expected * (1 + 3 * expected) - expected ** 2) / paths);
  assertAlmostEquals(variance(counts), expected, 4 * varianceSe);
  // Each step's count is Poisson(lambda / 252): frequencies of 0 to 3 within binomial errors.
  const lam = lambda / 252, n = paths * (steps - 1);
  for (const [k, seen] of perStep.entries()) {
    const p = Math.exp(-lam) * lam ** k / [1, 1, 2, 6][k]!;
    const se = Math.sqrt(p * (1 - p) / n);
    assertAlmostEquals(seen / n, p, 4 * se + 1 / n, `share of steps with ${k} jumps`);
  }
});

Deno.test("jumps sizes: a step's log return has the compound-Poisson mean and variance", async () => {
  const lambda = 25.2, jumpMean = -0.03, jumpSd = 0.02, sigma = 1e-6;
  const options = { start: 100, sigma, lambda, jumpMean, jumpSd };
  const r = concat(
    (await runs(jumps, options, { paths: 500, steps: 1009 })).map((p) => logReturns(p.spot)),
  );
  const n = r.length, lam = lambda / 252;
  // Cumulants of a compound Poisson sum of N(m, s^2) jumps: kappa_j = lam E[J^j].
  const m = jumpMean, s = jumpSd;
  const k2 = lam * (m * m + s * s) + sigma * sigma / 252;
  const k4 = lam * (m ** 4 + 6 * m * m * s * s + 3 * s ** 4);
  assertAlmostEquals(mean(r), lam * m, 4 * Math.sqrt(k2 / n), "mean log return");
  // The sample variance's standard error: sqrt((mu4 - k2^2) / n), mu4 = k4 + 3 k2^2.
  assertAlmostEquals(variance(r), k2, 4 * Math.sqrt((k4 + 2 * k2 * k2) / n), "variance");
  // Steps that jump (the diffusion is 16 of its standard deviations below 1e-6): given k >= 1
  // jumps, the return is N(k m, k s^2), k with Poisson weights; a step rarely holds two.
  const jumped = r.filter((x) => Math.abs(x) > 1e-6);
  const weights = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => [k, lam ** k / factorial(k)] as const);
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  const mu = weights.reduce((sum, [k, w]) => sum + w * k * m, 0) / total;
  const central = (power: 2 | 4) =>
    weights.reduce((sum, [k, w]) => {
      const a = k * m - mu, b2 = k * s * s;
      return sum + w * (power === 2 ? a * a + b2 : a ** 4 + 6 * a * a * b2 + 3 * b2 * b2);
    }, 0) / total;
  const [c2, c4] = [central(2), central(4)];
  assertAlmostEquals(mean(jumped), mu, 4 * Math.sqrt(c2 / jumped.length), "mean of jump steps");
  const spread = 4 * Math.sqrt((c4 - c2 * c2) / jumped.length);
  assertAlmostEquals(variance(jumped), c2, spread, "variance of jump steps");
});

Deno.test("jumps refuses negative parameters and too many jumps a step, naming the field", () => {
  const refused = (raw: Record<string, unknown>) =>
    assertThrows(() => readOptions(jumps, raw), ScenarioError).message;
  assertEquals(
    refused({ sigma: 0, lambda: -1, jumpSd: -0.01 }),
    [
      'Cannot read "jumps.sigma": expected a number > 0, got 0',
      'Cannot read "jumps.lambda": expected a number >= 0, got -1',
      'Cannot read "jumps.jumpSd": expected a number >= 0, got -0.01',
    ].join("\n"),
  );
  assertEquals(
    refused({ sigma: 0.1, lambda: 5000, periodsPerYear: 252 }),
    'Cannot read "jumps.lambda": expected at most 10 jumps a step on average (lambda / periodsPerYear), got 19.841269841269842; a path jumping this often is a diffusion: raise sigma instead',
  );
});

Deno.test("scenarios/jumps.jsonc gaps through the put wall in one step", async () => {
  const frames = await simulate(await loadScenario(join(root, "scenarios/jumps.jsonc")));
  const first = frames.findIndex((f) => f.flags.includes("BREACH"));
  assertEquals(first, 106);
  assert(frames[first - 1]!.z > 0.5, "the step before is well inside the walls");
  assertLess(frames[first]!.spot, 680);
  assertLess(Math.log(frames[first]!.spot / frames[first - 1]!.spot), -0.02);
});

// All three

const MODELS: [GeneratorDefinition, Record<string, unknown>][] = [
  [garch, { omega: 0.02, alpha: 0.1, beta: 0.88, ivMarkup: 1.2 }],
  [heston, { kappa: 1, theta: 0.04, xi: 0.6 }],
  [jumps, { sigma: 0.15, lambda: 30, jumpMean: -0.03 }],
];

for (const [definition, options] of MODELS) {
  Deno.test(`${definition.name} gives the same values whatever the block size, and others for another seed`, async () => {
    const run = (blockSize: number, seed = 1) =>
      runGenerator(definition, { options, steps: 1000, seed, blockSize });
    const whole = await run(4096);
    for (const blockSize of [1, 7, 250]) assertEquals(await run(blockSize), whole, `${blockSize}`);
    assertNotEquals((await run(4096, 2)).spot, whole.spot);
  });
}

Deno.test("fromState starts each model at the day's close, with its volatility state", async () => {
  const g = garch.fromState!(readOptions<GarchOptions>(garch, MODELS[0]![1]), STATE);
  assertEquals([g.start, g.omega, g.ivMarkup], [STATE.spot, 0.02, 1.2]);
  const gRun = await runGenerator(garch, { options: { ...g } });
  assertEquals(gRun.spot[0], STATE.spot);
  assertAlmostEquals(gRun.hv[0]!, STATE.hv, 1e-12);

  const h = heston.fromState!(readOptions<HestonOptions>(heston, MODELS[1]![1]), STATE);
  const hRun = await runGenerator(heston, { options: { ...h } });
  assertEquals([hRun.spot[0], h.theta], [STATE.spot, 0.04]);
  assertAlmostEquals(hRun.iv[0]!, STATE.iv, 1e-12);

  const raw = readOptions<JumpsOptions>(jumps, MODELS[2]![1]);
  const j = jumps.fromState!(raw, STATE);
  assertEquals(j, { ...raw, start: STATE.spot });
  assertEquals((await runGenerator(jumps, { options: { ...j } })).spot[0], STATE.spot);

  const noVol = { ...STATE, iv: 0, hv: 0 };
  assertThrows(
    () => garch.fromState!(g, noVol),
    ScenarioError,
    "garch cannot start from 2022-12-12: its HV is 0, expected a number > 0",
  );
  assertThrows(
    () => heston.fromState!(h, noVol),
    ScenarioError,
    "heston cannot start from 2022-12-12: its IV is 0, expected a number > 0",
  );
});
