/*
 * mc_yardstick.c: the same Monte Carlo batch as option-flight's, in C on one thread, as the
 * yardstick of the whole-process bench (tools/bench.ts, rows c1 and c2).
 *
 * The bench compiles it once, untimed, into its temporary folder with
 *
 *     gcc -O2 -march=x86-64-v2 -o mc_yardstick tools/mc_yardstick.c -lm
 *
 * (x86-64-v2, not -march=native, so the same binary runs on every x86-64 machine of the last
 * decade and no machine gets instructions another lacks; it has no FMA, so every product and
 * sum is rounded as JavaScript rounds it), and runs it with the scenario's resolved options as
 * key=value arguments, which tools/bench.ts reads from the scenario it times ours on:
 *
 *     mc_yardstick runs=10000 steps=1000 seed=42 atr=2.8 flip=692.5 putWall=680 callWall=700 \
 *       spot.use=mean-revert spot.key=generators.spot spot.start=694 spot.target=692.5 ...
 *
 * What it computes, per run, as a batch of the scenario does (montecarlo/_thread.ts,
 * core/run.ts, montecarlo/stats.ts), in blocks of 4,096 steps as core/run.ts fills them:
 *
 * - the random streams of core/random.ts: seedrandom's alea keyed by "seed/run/key" (Baagoe's
 *   Mash over the key, three passes), its recurrence in doubles, and normal draws by the
 *   ziggurat of Marsaglia and Tsang, 128 layers, with the same tables, the same wedge lines and
 *   the same tail, so each run draws the same numbers as ours (the tables come from this C
 *   library's exp and log, which may differ from V8's in a last bit, and so a rare draw);
 * - the spot path of plugins/mean_revert.ts or plugins/breakout.ts, the IV of
 *   plugins/vol_path.ts (shock and floor included) and a fixed HV (plugins/hv.ts, "value");
 * - the check core/run.ts makes of every sample (finite spot, IV and HV > 0) and of every
 *   evaluation (finite X, Y, Z; regime and flags in range), stopping with an error as ours does;
 * - the envelope of plugins/envelope.ts (SPEC §1): X, Y, Z, the regime and the flag mask of
 *   every step, with static levels;
 * - the statistics of montecarlo/stats.ts: frames by regime and flag mask, each run's largest
 *   Y, first BREACH step (counted exactly) and last spot, and at each of 200 timeline steps the
 *   spot, X, Y and Z of every run, held for 1,024 runs and then added to the timeline's
 *   quantile sketches (montecarlo/sketch.ts: the same fixed-grid log buckets read from the
 *   IEEE 754 bits, 12 bits for prices, 7 for the per-run maximum load, 6 with zero below 2^-10
 *   for the fan's X, Y and Z);
 * - the summary: breach rate and its Wilson interval, the percentiles of the maximum load, the
 *   first breach and the final spot, regime shares, flag counts, and the 5, 25, 50, 75 and 95th
 *   percentiles of each timeline sketch that the report's fan charts draw. It prints them as
 *   one JSON object on stdout, which the bench compares with ours' summary.json.
 *
 * What it leaves out: reading and validating the JSONC scenario and the plugins' options
 * (tools/bench.ts hands it options already checked), any other generator, realised HV, moving
 * levels, levels from a chain, timestamps, kept runs' files, shards, worker threads, and the
 * files ours writes: summary.json (it prints the same figures instead) and report.html. Its
 * output is therefore not written atomically and not byte-identical to ours.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 4096
#define TIMELINE_POINTS 200
#define PENDING_RUNS 1024
#define FIRST_FLUSH_RUNS 16
#define SERIES 4
#define CELLS 32
#define BREACH 1
#define OVERSPEED 2
#define STALL 4

/* 2^-32: alea's draws are multiples of it. */
static const double UNIT = 2.3283064365386963e-10;

/* ----- alea and Mash (core/random.ts) ----------------------------------------------------- */

/* ToUint32 of a non-negative double, as JavaScript's `x >>> 0`. */
static inline double u32(double x) { return (double)(uint32_t)(uint64_t)x; }

/* Baagoe's Mash: folds `text` into the running state `n`. */
static double mash(double n, const char *text) {
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    n += *c;
    double h = 0.02519603282416938 * n;
    n = u32(h);
    h -= n;
    h *= n;
    n = u32(h);
    h -= n;
    n += h * 4294967296.0;
  }
  return n;
}

typedef struct {
  double s0, s1, s2, c;
} Alea;

/* Seeds a stream as seedrandom.alea(key) does. */
static void alea_seed(Alea *a, const char *key) {
  double n = 0xefc8249d, s[3];
  for (int k = 0; k < 3; k++) s[k] = u32(n = mash(n, " ")) * UNIT;
  for (int pass = 0; pass < 3; pass++) {
    n = mash(n, key);
    double v = s[pass] - u32(n) * UNIT;
    s[pass] = v < 0 ? v + 1 : v;
  }
  a->s0 = s[0], a->s1 = s[1], a->s2 = s[2], a->c = 1;
}

static inline double alea_next(Alea *a) {
  double x = 2091639 * a->s0;
  double t = x + a->c * UNIT;
  double f = floor(x);
  double c = t >= f + 1 ? f + 1 : f;
  a->c = c;
  a->s0 = a->s1;
  a->s1 = a->s2;
  return a->s2 = t - c;
}

/* ----- the ziggurat (core/random.ts) ------------------------------------------------------ */

static const double R = 3.442619855899;
static double KN[128], WN[128], FN[128], BELOW[256], ABOVE[256];

static void ziggurat_tables(void) {
  const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
  double dn = R, tn = dn;
  double q = vn / exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = exp(-0.5 * dn * dn);
  for (int i = 126; i >= 1; i--) {
    dn = sqrt(-2 * log(vn / dn + exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
  /* Chord and tangent of exp(-x^2/2) across each wedge, moved 2^-40 outward. */
  const double margin = ldexp(1, -40);
  for (int i = 1; i < 128; i++) {
    double a = i == 1 ? 0 : WN[i - 1] * m1, b = WN[i] * m1;
    double fa = FN[i - 1], fb = FN[i];
    double chord_slope = (fb - fa) / (b - a);
    double chord[2] = {fa - chord_slope * a, chord_slope};
    double m = (a + b) / 2, fm = exp(-0.5 * m * m);
    double tangent[2] = {fm + m * fm * m, -m * fm};
    const double *below, *above;
    double flat_below[2] = {fb, 0}, flat_above[2] = {fa, 0};
    if (b <= 1) below = chord, above = tangent;
    else if (a >= 1) below = tangent, above = chord;
    else below = flat_below, above = flat_above;
    BELOW[2 * i] = below[0] - margin, BELOW[2 * i + 1] = below[1];
    ABOVE[2 * i] = above[0] + margin, ABOVE[2 * i + 1] = above[1];
  }
}

/* The slow path: a candidate outside its layer's rectangle, or the base strip. */
static double ziggurat_tail(Alea *a, double hz, int iz) {
  for (;;) {
    double x = hz * WN[iz];
    if (iz == 0) {
      double t, y;
      do {
        t = -log(1 - alea_next(a)) / R;
        y = -log(1 - alea_next(a));
      } while (y + y < t * t);
      return hz > 0 ? R + t : -R - t;
    }
    double y = FN[iz] + alea_next(a) * (FN[iz - 1] - FN[iz]);
    double ax = fabs(x);
    if (y < BELOW[2 * iz] + BELOW[2 * iz + 1] * ax) return x;
    if (y <= ABOVE[2 * iz] + ABOVE[2 * iz + 1] * ax && y < exp(-0.5 * x * x)) return x;
    hz = alea_next(a) * 4294967296.0 - 2147483648.0;
    iz = (int32_t)hz & 127;
    if (fabs(hz) < KN[iz]) return hz * WN[iz];
  }
}

/* Normal draws into out[from..to), as RandomStream.fillNormal. */
static void fill_normal(Alea *a, double *out, int from, int to) {
  for (int i = from; i < to; i++) {
    double hz = alea_next(a) * 4294967296.0 - 2147483648.0;
    int iz = (int32_t)hz & 127;
    out[i] = fabs(hz) < KN[iz] ? hz * WN[iz] : ziggurat_tail(a, hz, iz);
  }
}

/* ----- the quantile sketch (montecarlo/sketch.ts) ----------------------------------------- */

typedef struct {
  int offset, length;
  double *counts;
} Buckets;

typedef struct {
  int shift;
  uint32_t zero_keys;
  double count, min, max, zero;
  Buckets positive, negative;
} Sketch;

static void *checked(void *p) {
  if (!p) {
    fprintf(stderr, "mc_yardstick: out of memory\n");
    exit(1);
  }
  return p;
}

static void sketch_init(Sketch *s, int bits, double zero_below) {
  uint64_t w;
  memcpy(&w, &zero_below, 8);
  s->shift = 20 - bits;
  s->zero_keys = (uint32_t)(w >> 32) >> s->shift;
  s->count = s->zero = 0;
  s->min = INFINITY, s->max = -INFINITY;
  s->positive = (Buckets){0, 0, NULL};
  s->negative = (Buckets){0, 0, NULL};
}

/* Widens the window to hold `key`, at least doubling it on the side it grows. */
static void buckets_grow(Buckets *b, int key) {
  int from = b->offset, to = b->offset + b->length;
  if (b->length == 0) {
    from = key - 32 > 0 ? key - 32 : 0;
    to = key + 33 > from + 64 ? key + 33 : from + 64;
  } else {
    if (key < from) from = key < from - b->length ? key : (from - b->length > 0 ? from - b->length : 0);
    if (key >= to) to = key + 1 > to + b->length ? key + 1 : to + b->length;
  }
  double *counts = checked(calloc((size_t)(to - from), sizeof(double)));
  if (b->length) memcpy(counts + (b->offset - from), b->counts, (size_t)b->length * sizeof(double));
  free(b->counts);
  b->counts = counts, b->offset = from, b->length = to - from;
}

static inline void buckets_add(Buckets *b, int key) {
  int i = key - b->offset;
  if (i < 0 || i >= b->length) {
    buckets_grow(b, key);
    i = key - b->offset;
  }
  b->counts[i]++;
}

static inline void sketch_add(Sketch *s, double v) {
  uint64_t w;
  memcpy(&w, &v, 8);
  uint32_t high = (uint32_t)(w >> 32);
  uint32_t key = (high & 0x7fffffffu) >> s->shift;
  if ((high & 0x7fffffffu) >= 0x7ff00000u) {
    fprintf(stderr, "mc_yardstick: cannot add %g to a sketch\n", v);
    exit(1);
  }
  if (key < s->zero_keys) s->zero++;
  else if (high < 0x7ff00000u) buckets_add(&s->positive, (int)key);
  else buckets_add(&s->negative, (int)key);
  s->count++;
  if (v < s->min) s->min = v;
  if (v > s->max) s->max = v;
}

/* The lower edge of bucket `key`: the double whose high word is key << shift. */
static double edge(uint32_t key, int shift) {
  uint64_t w = (uint64_t)(key << shift) << 32;
  double v;
  memcpy(&v, &w, 8);
  return v;
}

static double middle(const Sketch *s, int key) {
  double lo = edge((uint32_t)key, s->shift);
  return lo + (edge((uint32_t)key + 1, s->shift) - lo) / 2;
}

static double clamp(const Sketch *s, double v) { return v < s->min ? s->min : v > s->max ? s->max : v; }

/* The nearest-rank percentile p of the sketch's values, as QuantileSketch.quantile. */
static double sketch_quantile(const Sketch *s, double p) {
  double n = s->count;
  double rank = ceil(p * n / 100);
  if (rank < 1) rank = 1;
  if (rank == 1) return s->min;
  if (rank == n) return s->max;
  double seen = 0;
  for (int i = s->negative.length - 1; i >= 0; i--) {
    seen += s->negative.counts[i];
    if (seen >= rank) return clamp(s, -middle(s, s->negative.offset + i));
  }
  seen += s->zero;
  if (seen >= rank) return clamp(s, 0);
  for (int i = 0; i < s->positive.length; i++) {
    seen += s->positive.counts[i];
    if (seen >= rank) return clamp(s, middle(s, s->positive.offset + i));
  }
  return s->max;
}

/* ----- options ---------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
} Arg;

static Arg args[64];
static int n_args;
static const char *program_used[64];

static const char *arg_text(const char *name) {
  for (int i = 0; i < n_args; i++) {
    if (strcmp(args[i].name, name) == 0) {
      program_used[i] = name;
      return args[i].text;
    }
  }
  return NULL;
}

static double number(const char *name, int required, double fallback) {
  const char *text = arg_text(name);
  if (!text) {
    if (!required) return fallback;
    fprintf(stderr, "mc_yardstick: missing argument %s=<number>\n", name);
    exit(2);
  }
  char *end;
  double v = strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !isfinite(v)) {
    fprintf(stderr, "mc_yardstick: argument %s: expected a finite number, got \"%s\"\n", name, text);
    exit(2);
  }
  return v;
}

/* ----- the batch -------------------------------------------------------------------------- */

enum { MEAN_REVERT, BREAKOUT };

typedef struct {
  int model;
  double start, keep, pull, drift, sd, onset;
  double last;
  Alea random;
  char key[128];
} SpotPath;

typedef struct {
  double keep, pull, vol_of_vol, shock_at, shock, floor;
  double last;
  Alea random;
  char key[128];
} VolPath;

static double spot[BLOCK_SIZE], iv[BLOCK_SIZE], hv[BLOCK_SIZE];
static double xs[BLOCK_SIZE], ys[BLOCK_SIZE], zs[BLOCK_SIZE];
static uint8_t regime[BLOCK_SIZE], flags[BLOCK_SIZE];

static void fail_sample(int run, int step, const char *what, double value) {
  fprintf(stderr, "mc_yardstick: run %d, step %d: %s is %g, expected a finite number%s\n", run, step,
          what, value, strcmp(what, "spot") == 0 ? "" : " > 0");
  exit(1);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq || n_args == 64) {
      fprintf(stderr, "mc_yardstick: argument %d: expected name=value, got \"%s\"\n", i, argv[i]);
      return 2;
    }
    *eq = '\0';
    args[n_args++] = (Arg){argv[i], eq + 1};
  }
  const int runs = (int)number("runs", 1, 0), steps = (int)number("steps", 1, 0);
  const double seed = number("seed", 1, 0);
  const double atr = number("atr", 1, 0), flip = number("flip", 1, 0);
  const double put_wall = number("putWall", 1, 0), call_wall = number("callWall", 1, 0);
  const double base = number("riskProxyBase", 0, 1);
  const double taxi_x = number("taxiX", 0, 0.3), maneuver_x = number("maneuverX", 0, 2.5);
  const double maneuver_y = number("maneuverY", 0, 1.5), rupture_x = number("ruptureX", 0, 4.5);
  const double rupture_y = number("ruptureY", 0, 2.5), overspeed_x = number("overspeedX", 0, 3.5);
  const double stall_y = number("stallY", 0, 0.8);
  if (runs < 1 || steps < 1) {
    fprintf(stderr, "mc_yardstick: expected runs >= 1 and steps >= 1, got %d and %d\n", runs, steps);
    return 2;
  }

  SpotPath sp = {0};
  const char *use = arg_text("spot.use");
  if (use && strcmp(use, "mean-revert") == 0) {
    sp.model = MEAN_REVERT;
    double intensity = number("spot.intensity", 1, 0);
    sp.keep = 1 - intensity;
    sp.pull = intensity * number("spot.target", 0, flip);
    sp.sd = number("spot.noise", 1, 0) * atr;
  } else if (use && strcmp(use, "breakout") == 0) {
    sp.model = BREAKOUT;
    sp.drift = number("spot.direction", 0, 1) * number("spot.speed", 1, 0) * atr;
    sp.sd = number("spot.noise", 1, 0) * atr;
    sp.onset = number("spot.onset", 0, 0);
  } else {
    fprintf(stderr, "mc_yardstick: spot.use: expected \"mean-revert\" or \"breakout\", got \"%s\"\n",
            use ? use : "");
    return 2;
  }
  sp.start = number("spot.start", 0, flip);
  VolPath vp = {0};
  const double iv_start = number("iv.start", 1, 0);
  const double reversion = number("iv.reversion", 0, 0.05);
  vp.keep = 1 - reversion;
  vp.pull = reversion * number("iv.target", 0, iv_start);
  vp.vol_of_vol = number("iv.volOfVol", 0, 0.02);
  vp.shock_at = number("iv.shockAt", 0, -1);
  vp.shock = 1 + number("iv.shockSize", 0, 0.5);
  vp.floor = number("iv.floor", 0, 0.01);
  const double hv_value = number("hv.value", 1, 0);
  const char *spot_key = arg_text("spot.key"), *iv_key = arg_text("iv.key");
  if (!spot_key || !iv_key) {
    fprintf(stderr, "mc_yardstick: missing argument spot.key or iv.key (the generators' keys)\n");
    return 2;
  }
  for (int i = 0; i < n_args; i++) {
    if (!program_used[i]) {
      fprintf(stderr, "mc_yardstick: unknown argument %s\n", args[i].name);
      return 2;
    }
  }

  ziggurat_tables();
  /* Wall proximity as one line per side of the flip, indexed by spot >= flip. */
  const double slope[2] = {1, -1}, offset[2] = {-put_wall, call_wall};
  const double span[2] = {flip - put_wall, call_wall - flip};
  const int unit = base == 1;

  /* The timeline steps and their sketches: spot, X, Y, Z. */
  int points = steps <= TIMELINE_POINTS ? steps : TIMELINE_POINTS;
  int *timeline = checked(malloc(sizeof(int) * (size_t)points));
  for (int j = 0; j < points; j++) {
    timeline[j] = steps <= TIMELINE_POINTS ? j : (int)floor((double)j * (steps - 1) / (points - 1));
  }
  Sketch *fan = checked(malloc(sizeof(Sketch) * (size_t)points * SERIES));
  for (int j = 0; j < points; j++) {
    sketch_init(&fan[j * SERIES], 12, ldexp(1, -1022));
    for (int k = 1; k < SERIES; k++) sketch_init(&fan[j * SERIES + k], 6, ldexp(1, -10));
  }
  double *pending = checked(malloc(sizeof(double) * PENDING_RUNS * (size_t)points * SERIES));
  double *row = checked(malloc(sizeof(double) * PENDING_RUNS));
  int pending_runs = 0, flush_at = FIRST_FLUSH_RUNS;
  Sketch max_load, final_spot;
  sketch_init(&max_load, 7, ldexp(1, -1022));
  sketch_init(&final_spot, 12, ldexp(1, -1022));
  double frame_counts[CELLS] = {0};
  uint32_t tally[2 * CELLS] = {0};
  double *first_breach = checked(calloc((size_t)steps, sizeof(double)));
  int breach_runs = 0;
  char text[160];

  for (int run = 0; run < runs; run++) {
    snprintf(text, sizeof text, "%.17g/%d/%s", seed, run, spot_key);
    alea_seed(&sp.random, text);
    snprintf(text, sizeof text, "%.17g/%d/%s", seed, run, iv_key);
    alea_seed(&vp.random, text);
    sp.last = sp.start, vp.last = iv_start;
    double *held = pending + (size_t)pending_runs * points * SERIES;
    int p = 0, first = -1;
    double max_y = -INFINITY, last_spot = 0;
    for (int at = 0; at < steps; at += BLOCK_SIZE) {
      const int length = steps - at < BLOCK_SIZE ? steps - at : BLOCK_SIZE;
      const int from = at == 0 ? 1 : 0;
      /* Generators, in the scenario's order: spot, iv, hv. */
      fill_normal(&sp.random, spot, from, length);
      if (from) spot[0] = sp.last;
      double s = sp.last;
      if (sp.model == MEAN_REVERT) {
        for (int i = from; i < length; i++) spot[i] = s = sp.keep * s + (sp.pull + sp.sd * spot[i]);
      } else {
        for (int i = from; i < length; i++) {
          s += (at + i >= sp.onset ? sp.drift : 0) + sp.sd * spot[i];
          spot[i] = s;
        }
      }
      sp.last = s;
      fill_normal(&vp.random, iv, from, length);
      if (from) iv[0] = vp.last;
      double v = vp.last;
      for (int i = from; i < length; i++) {
        v = v * (vp.keep + vp.vol_of_vol * iv[i]) + vp.pull;
        if (at + i == vp.shock_at) v *= vp.shock;
        v = v > vp.floor ? v : vp.floor;
        iv[i] = v;
      }
      vp.last = v;
      for (int i = 0; i < length; i++) hv[i] = hv_value;
      /* The run loop's check of every sample. */
      for (int i = 0; i < length; i++) {
        double a = spot[i], b = iv[i], c = hv[i];
        if (!(a - a + (b - b) + (c - c) == 0 && b > 0 && c > 0)) {
          if (!isfinite(a)) fail_sample(run, at + i, "spot", a);
          if (!(b > 0 && isfinite(b))) fail_sample(run, at + i, "iv", b);
          fail_sample(run, at + i, "hv", c);
        }
      }
      /* The envelope, SPEC §1. */
      for (int i = 0; i < length; i++) {
        double si = spot[i];
        double x = fabs(si - flip) / atr;
        double y = unit ? iv[i] / hv[i] : iv[i] / hv[i] / base;
        int k = si >= flip;
        double z = (slope[k] * si + offset[k]) / span[k];
        xs[i] = x, ys[i] = y, zs[i] = z;
        int rupture = (x > rupture_x) | (y > rupture_y);
        int maneuver = (x >= maneuver_x) | (y >= maneuver_y);
        int r = 3 * rupture, m = 2 * maneuver, t = 1 - (x < taxi_x);
        regime[i] = (uint8_t)(r > m ? (r > t ? r : t) : (m > t ? m : t));
        flags[i] = (uint8_t)(((z < 0) * BREACH) | ((x > overspeed_x) * OVERSPEED) | ((y < stall_y) * STALL));
      }
      /* The run loop's check of every evaluation. */
      for (int i = 0; i < length; i++) {
        double a = xs[i], b = ys[i], c = zs[i];
        if (!(a - a + (b - b) + (c - c) == 0 && ((regime[i] >> 2) | (flags[i] >> 3)) == 0)) {
          fprintf(stderr, "mc_yardstick: run %d, step %d: the envelope gave x %g, y %g, z %g\n", run,
                  at + i, a, b, c);
          return 1;
        }
      }
      /* The statistics of the block. */
      for (int i = 0; i < length; i++) {
        if (ys[i] > max_y) max_y = ys[i];
        tally[(i & 1) * CELLS + ((regime[i] << 3) | flags[i])]++;
      }
      if (first < 0) {
        for (int i = 0; i < length; i++) {
          if (flags[i] & BREACH) {
            first = at + i;
            break;
          }
        }
      }
      for (; p < points && timeline[p] < at + length; p++) {
        int i = timeline[p] - at;
        double *h = held + p * SERIES;
        h[0] = spot[i], h[1] = xs[i], h[2] = ys[i], h[3] = zs[i];
      }
      last_spot = spot[length - 1];
    }
    for (int k = 0; k < CELLS; k++) {
      frame_counts[k] += tally[k] + tally[k + CELLS];
      tally[k] = tally[k + CELLS] = 0;
    }
    sketch_add(&max_load, max_y);
    sketch_add(&final_spot, last_spot);
    if (first >= 0) breach_runs++, first_breach[first]++;
    /* Held timeline values go to the sketches together, a timeline step at a time. */
    if (++pending_runs == flush_at || run == runs - 1) {
      for (int j = 0; j < points; j++) {
        for (int k = 0; k < SERIES; k++) {
          for (int r = 0; r < pending_runs; r++) row[r] = pending[((size_t)r * points + j) * SERIES + k];
          Sketch *sk = &fan[j * SERIES + k];
          for (int r = 0; r < pending_runs; r++) sketch_add(sk, row[r]);
        }
      }
      pending_runs = 0;
      flush_at = PENDING_RUNS;
    }
  }

  /* The summary. */
  double frames = (double)runs * steps;
  const double z95 = 1.959963984540054;
  double pr = (double)breach_runs / runs, z2 = z95 * z95, den = 1 + z2 / runs;
  double centre = (pr + z2 / (2.0 * runs)) / den;
  double half = (z95 / den) * sqrt(pr * (1 - pr) / runs + z2 / (4.0 * runs * runs));
  double low = breach_runs == 0 ? 0 : fmax(0, centre - half);
  double high = breach_runs == runs ? 1 : fmin(1, centre + half);
  printf("{\"runs\":%d,\"steps\":%d,\"seed\":%.17g,\"breachRuns\":%d,\"breachRate\":%.17g,", runs, steps,
         seed, breach_runs, pr);
  printf("\"breachRateCI95\":[%.17g,%.17g],\"maxLoad\":%.17g,", low, high, max_load.max);
  printf("\"maxLoadQuantiles\":{\"p5\":%.17g,\"p50\":%.17g,\"p95\":%.17g},", sketch_quantile(&max_load, 5),
         sketch_quantile(&max_load, 50), sketch_quantile(&max_load, 95));
  static const char *regimes[4] = {"TAXI", "CRUISE", "MANEUVER", "RUPTURE"};
  printf("\"regimeShare\":{");
  for (int r = 0; r < 4; r++) {
    double n = 0;
    for (int m = 0; m < 8; m++) n += frame_counts[(r << 3) | m];
    printf("%s\"%s\":%.17g", r ? "," : "", regimes[r], n / frames);
  }
  static const char *flag_names[3] = {"BREACH", "OVERSPEED", "STALL"};
  printf("},\"flagCounts\":{");
  for (int bit = 0; bit < 3; bit++) {
    double n = 0;
    for (int i = 0; i < CELLS; i++) if (i & (1 << bit)) n += frame_counts[i];
    printf("%s\"%s\":%.17g", bit ? "," : "", flag_names[bit], n);
  }
  printf("},\"firstBreachStep\":");
  if (breach_runs == 0) printf("null");
  else {
    const double ps[3] = {5, 50, 95};
    printf("{");
    for (int j = 0; j < 3; j++) {
      double rank = fmax(1, ceil(ps[j] * breach_runs / 100)), seen = 0;
      int step = 0;
      while (step < steps && (seen += first_breach[step]) < rank) step++;
      printf("%s\"p%g\":%d", j ? "," : "", ps[j], step);
    }
    printf("}");
  }
  printf(",\"finalSpotQuantiles\":{\"p5\":%.17g,\"p50\":%.17g,\"p95\":%.17g},",
         sketch_quantile(&final_spot, 5), sketch_quantile(&final_spot, 50), sketch_quantile(&final_spot, 95));
  /* The fan charts' percentiles, series by series, as the report draws them. */
  static const char *series[SERIES] = {"spot", "x", "y", "z"};
  static const double fan_ps[5] = {5, 25, 50, 75, 95};
  printf("\"fan\":{");
  for (int k = 0; k < SERIES; k++) {
    printf("%s\"%s\":[", k ? "," : "", series[k]);
    for (int j = 0; j < points; j++) {
      printf("%s[", j ? "," : "");
      for (int q = 0; q < 5; q++) printf("%s%.17g", q ? "," : "", sketch_quantile(&fan[j * SERIES + k], fan_ps[q]));
      printf("]");
    }
    printf("]");
  }
  printf("}}\n");
  return 0;
}
