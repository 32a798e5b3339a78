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

/** Evaluates one state by SPEC §1 with the example envelope and default thresholds. */
export function evaluate(
  spot: number,
  iv: number,
  hv: number,
): Pick<Frame, "x" | "y" | "z" | "regime" | "flags"> {
  const { atr, flip, putWall, callWall, riskProxyBase, thresholds: t } = EXAMPLE_LEVELS;
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
