// Frames for the flight view's tests, built directly (no run loop): a seeded, breakout-like
// spot path with an IV cycle, evaluated by SPEC §1 against the example envelope.
import type { Flag, Frame, Regime } from "../../core/frame.ts";
import { EXAMPLE_LEVELS } from "../../testing.ts";

export { EXAMPLE_LEVELS };

/** Settings of {@linkcode exampleFrames}. */
export interface ExampleFrameOptions {
  /** Seed of the noise. @default {1} */
  seed?: number;
  /** Spot at step 0. @default {694} */
  start?: number;
  /** IV at step 0. @default {0.15} */
  iv?: number;
  /** Constant HV. @default {0.12} */
  hv?: number;
}

/** Levels an envelope may move (SPEC §7). */
export type MovedLevels = { atr: number; flip: number; putWall: number; callWall: number };

/** A frame of a run whose levels move: it carries the levels in force after `flags`. */
export type MovingFrame = Frame & MovedLevels;

/**
 * Evaluates one state by SPEC §1 with the example envelope (or these levels in its place) and
 * default thresholds.
 */
export function evaluate(
  spot: number,
  iv: number,
  hv: number,
  levels: MovedLevels = EXAMPLE_LEVELS,
): Pick<Frame, "x" | "y" | "z" | "regime" | "flags"> {
  const { riskProxyBase, thresholds: t } = EXAMPLE_LEVELS;
  const { atr, flip, putWall, callWall } = levels;
  const x = Math.abs(spot - flip) / atr;
  const y = iv / hv / riskProxyBase;
  const z = spot >= flip
    ? (callWall - spot) / (callWall - flip)
    : (spot - putWall) / (flip - putWall);
  const regime: Regime = x > t.ruptureX || y > t.ruptureY
    ? "RUPTURE"
    : x >= t.maneuverX || y >= t.maneuverY
    ? "MANEUVER"
    : x < t.taxiX
    ? "TAXI"
    : "CRUISE";
  const flags: Flag[] = [];
  if (z < 0) flags.push("BREACH");
  if (x > t.overspeedX) flags.push("OVERSPEED");
  if (y < t.stallY) flags.push("STALL");
  return { x, y, z, regime, flags };
}

/**
 * A deterministic run of `n` frames: spot cruises near the flip, climbs through the call wall
 * around 60% of the run (BREACH, OVERSPEED, RUPTURE) and falls back; IV dips below HV early
 * (STALL) and spikes late (MANEUVER, RUPTURE by load).
 */
export function exampleFrames(n: number, options: ExampleFrameOptions = {}): Frame[] {
  let state = (options.seed ?? 1) >>> 0 || 1;
  const noise = () => {
    // xorshift32, uniform in [-0.5, 0.5)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  const hv = options.hv ?? 0.12;
  let spot = options.start ?? 694;
  let iv = options.iv ?? 0.15;
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const phase = i / Math.max(1, n - 1);
      const target = 692.5 + 14 * Math.exp(-(((phase - 0.62) / 0.12) ** 2)) + 1.5;
      spot += 0.08 * (target - spot) + 1.2 * noise();
      const ivTarget = phase < 0.25 ? 0.085 : phase > 0.8 ? 0.32 : 0.16;
      iv = Math.max(0.02, iv + 0.1 * (ivTarget - iv) + 0.006 * noise());
    }
    frames.push({ timestamp: i, spot, iv, hv, ...evaluate(spot, iv, hv) });
  }
  return frames;
}

/**
 * {@linkcode exampleFrames} replayed on real days with moving levels (SPEC §7): day `i` is
 * `2022-12-01` plus `i` days, the ATR widens and the flip drifts down a little every day, and
 * the call wall moves in from 700 to 698 on day 15. Each frame carries its levels after
 * `flags`, in SPEC §2 order, and is evaluated with them.
 */
export function movingFrames(n: number, options: ExampleFrameOptions = {}): MovingFrame[] {
  return exampleFrames(n, options).map((f, i) => {
    const levels = {
      atr: 2.8 + i / 100,
      flip: 692.5 - i / 10,
      putWall: 680,
      callWall: i < 15 ? 700 : 698,
    };
    return {
      timestamp: new Date(Date.UTC(2022, 11, 1 + i)).toISOString().slice(0, 10),
      spot: f.spot,
      iv: f.iv,
      hv: f.hv,
      ...evaluate(f.spot, f.iv, f.hv, levels),
      ...levels,
    };
  });
}
