/**
 * The WebGL2 renderer of the 3D scene: raw WebGL2, a few hundred lines with no library, since
 * the scene is only flat fills, lines and markers (three.js would add about 600 kB to every page
 * for a scene graph, materials and lights it would not use). The run's trail is uploaded once,
 * as typed arrays: every frame's world position and regime, and the decimated trail of the run's
 * level of detail. Each draw then costs a bounded number of vertices whatever the run's length
 * ({@linkcode frameVertexBound}): the decimated trail up to {@linkcode DETAIL_WINDOW} frames
 * before the cursor, every frame from there to the cursor, the decimated path ahead and its
 * coarse shadow, the flag markers, and the static scene (walls, zones, grid, box, thresholds)
 * described by the same painter calls as the Canvas 2D path (viewer/scene.ts).
 *
 * Lines are screen-space quads, one instance per segment, with round ends; within one pass a
 * pixel is drawn once (a depth test on a per-pass depth), so a translucent trail of many short
 * segments looks as one Canvas 2D stroke does. The renderer draws into its own canvas, which the
 * view copies onto the page's canvas under the Canvas 2D labels and the craft.
 *
 * @module
 */
/// <reference lib="dom" />
import { type Point3, proj } from "./camera.ts";
import { DETAIL_WINDOW, frameVertexBound, QUAD, STATIC_VERTEX_BUDGET } from "./gl_budget.ts";
import { BOX, mapX, mapY, mapZ, type Run, upperBound } from "./model.ts";
import { FLAG_COLORS } from "./palette.ts";
import {
  FLAGS_AHEAD,
  type LineStyle,
  type Painter,
  PATH_AHEAD,
  regimeRgba,
  type Rgba,
  TRAIL_SHADOW,
} from "./scene.ts";
import type { ViewTransform } from "./state.ts";

/** What one draw of the WebGL2 path drew. */
export interface GlDrawStats {
  /** Vertices submitted. */
  vertices: number;
  /** Draw calls made. */
  drawCalls: number;
  /** The most vertices a draw of this run may take, {@linkcode frameVertexBound}. */
  bound: number;
}

/** Floats per trail point: world X, Y, Z and the regime code. */
const POINT_FLOATS = 4;
/** Floats per static segment: two ends (4 each), colour (4), width and dash (3). */
const SEG_FLOATS = 15;
/** Floats per fill vertex: position (3), colour (4). */
const FILL_FLOATS = 7;
/** Floats per marker: position (3), flag, radius. */
const MARKER_FLOATS = 5;

const PROJECT = `
uniform vec3 u_C, u_f, u_r, u_u;
uniform float u_F;
uniform vec2 u_c, u_size;
// screen position in CSS pixels, and the depth along the view (behind the camera below 0.05)
vec3 project(vec3 p) {
  vec3 d = p - u_C;
  float z = dot(d, u_f);
  return vec3(u_c.x + u_F * dot(d, u_r) / z, u_c.y - u_F * dot(d, u_u) / z, z);
}
vec4 clip(vec2 px, float depth) {
  return vec4(px.x / u_size.x * 2.0 - 1.0, 1.0 - px.y / u_size.y * 2.0, depth, 1.0);
}
const vec4 HIDDEN = vec4(2.0, 2.0, 2.0, 1.0);
`;

const SEG_VS = `#version 300 es
in vec4 a_a;
in vec4 a_b;
in vec4 a_color;
in vec3 a_style;
uniform vec3 u_palette[4];
uniform float u_usePalette, u_flat, u_floorY, u_depth;
${PROJECT}
out vec4 v_color;
out vec2 v_along;
out vec3 v_style;
void main() {
  float t = float(gl_VertexID >> 1);
  float s = float(gl_VertexID & 1) * 2.0 - 1.0;
  vec3 A = a_a.xyz, B = a_b.xyz;
  if (u_flat > 0.5) { A.y = u_floorY; B.y = u_floorY; }
  vec3 pa = project(A), pb = project(B);
  if (!(pa.z >= 0.05) || !(pb.z >= 0.05)) { gl_Position = HIDDEN; return; }
  vec2 d = pb.xy - pa.xy;
  float len = length(d);
  vec2 dir = len > 1e-4 ? d / len : vec2(1.0, 0.0);
  vec2 n = vec2(-dir.y, dir.x);
  float hw = a_style.x * 0.5;
  float e = t * 2.0 - 1.0;
  gl_Position = clip(mix(pa.xy, pb.xy, t) + dir * e * hw + n * s * hw, u_depth);
  // along the segment from its start, and across from its axis, in CSS pixels
  v_along = vec2(t * len + e * hw, s * hw);
  // the segment's length, half width and dash, for the round ends and the dashes
  v_style = vec3(len, hw, a_style.y);
  v_color = u_usePalette > 0.5 ? vec4(u_palette[int(a_b.w + 0.5)], a_color.a) : a_color;
  v_color.rgb *= v_color.a;
  v_gap = a_style.z;
}
`.replace("out vec3 v_style;", "out vec3 v_style;\nout float v_gap;");

const SEG_FS = `#version 300 es
precision highp float;
in vec4 v_color;
in vec2 v_along;
in vec3 v_style;
in float v_gap;
out vec4 o;
void main() {
  float len = v_style.x, hw = v_style.y, dash = v_style.z;
  // round ends: outside the capsule around the segment is not drawn
  float beyond = v_along.x < 0.0 ? -v_along.x : max(0.0, v_along.x - len);
  if (beyond * beyond + v_along.y * v_along.y > hw * hw) discard;
  if (dash > 0.0 && mod(max(v_along.x, 0.0), dash + v_gap) > dash) discard;
  o = v_color;
}
`;

const FILL_VS = `#version 300 es
in vec3 a_pos;
in vec4 a_color;
${PROJECT}
out vec4 v_color;
void main() {
  vec3 p = project(a_pos);
  gl_Position = p.z >= 0.05 ? clip(p.xy, 0.0) : HIDDEN;
  v_color = vec4(a_color.rgb * a_color.a, a_color.a);
}
`;

const FILL_FS = `#version 300 es
precision highp float;
in vec4 v_color;
out vec4 o;
void main() { o = v_color; }
`;

const MARKER_VS = `#version 300 es
in vec3 a_pos;
in vec2 a_kind;
uniform vec3 u_flagColors[3];
uniform float u_alpha, u_radius;
${PROJECT}
out vec2 v_at;
out float v_r;
flat out int v_flag;
out vec4 v_color;
void main() {
  vec3 p = project(a_pos);
  if (!(p.z >= 0.05)) { gl_Position = HIDDEN; return; }
  float r = u_radius > 0.0 ? u_radius : a_kind.y;
  vec2 corner = vec2(float(gl_VertexID >> 1), float(gl_VertexID & 1)) * 2.0 - 1.0;
  v_at = corner * (r + 1.5);
  v_r = r;
  v_flag = int(a_kind.x + 0.5);
  v_color = vec4(u_flagColors[v_flag] * u_alpha, u_alpha);
  gl_Position = clip(p.xy + v_at, 0.0);
}
`;

const MARKER_FS = `#version 300 es
precision highp float;
in vec2 v_at;
in float v_r;
flat in int v_flag;
in vec4 v_color;
out vec4 o;
void main() {
  // signed distance in pixels to the marker's edge: a diamond, a triangle, a ring
  vec2 q = v_at;
  float d;
  if (v_flag == 0) {
    d = (abs(q.x) + abs(q.y) - v_r) * 0.7071;
  } else if (v_flag == 1) {
    float up = -q.y - v_r;
    float down = q.y - v_r * 0.8;
    float side = (abs(q.x) * 1.8 + q.y * 1.0 - v_r * 0.8) / 2.06;
    d = max(max(up, down), side);
  } else {
    d = abs(length(q) - v_r * 0.8) - 0.8;
  }
  float a = clamp(0.5 - d, 0.0, 1.0);
  if (a <= 0.0) discard;
  o = v_color * a;
}
`;

const BG_VS = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2)) * 2.0 - 1.0;
  gl_Position = vec4(p, 0.999, 1.0);
}
`;

const BG_FS = `#version 300 es
precision highp float;
uniform vec2 u_size;
uniform float u_dpr;
out vec4 o;
void main() {
  // the Canvas 2D path's radial gradient, from #0d1726 at the centre to #05080d
  vec2 px = vec2(gl_FragCoord.x, u_size.y * u_dpr - gl_FragCoord.y) / u_dpr;
  float t = clamp(distance(px, u_size * vec2(0.55, 0.45)) / (max(u_size.x, u_size.y) * 0.75), 0.0, 1.0);
  o = vec4(mix(vec3(13.0, 23.0, 38.0), vec3(5.0, 8.0, 13.0), t) / 255.0, 1.0);
}
`;

/** A compiled program and where its uniforms are. */
interface Program {
  program: WebGLProgram;
  uniforms: Map<string, WebGLUniformLocation>;
  attribs: Map<string, number>;
}

function compile(gl: WebGL2RenderingContext, vs: string, fs: string): Program {
  const program = gl.createProgram()!;
  for (const [type, source] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      throw new Error("WebGL2 shader: " + gl.getShaderInfoLog(shader));
    }
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error("WebGL2 program: " + gl.getProgramInfoLog(program));
  }
  const uniforms = new Map<string, WebGLUniformLocation>();
  const count = gl.getProgramParameter(program, gl.ACTIVE_UNIFORMS) as number;
  for (let i = 0; i < count; i++) {
    const name = gl.getActiveUniform(program, i)!.name.replace(/\[0\]$/, "");
    uniforms.set(name, gl.getUniformLocation(program, name)!);
  }
  const attribs = new Map<string, number>();
  const na = gl.getProgramParameter(program, gl.ACTIVE_ATTRIBUTES) as number;
  for (let i = 0; i < na; i++) {
    const name = gl.getActiveAttrib(program, i)!.name;
    attribs.set(name, gl.getAttribLocation(program, name));
  }
  return { program, uniforms, attribs };
}

/** Whether a context runs on a software rasteriser (SwiftShader, llvmpipe), not a GPU. */
function isSoftware(gl: WebGL2RenderingContext): boolean {
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

/** A colour as 0 to 1 floats. */
function unit(c: Rgba): [number, number, number, number] {
  return [c[0] / 255, c[1] / 255, c[2] / 255, c[3]];
}

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16 & 255) / 255, (v >> 8 & 255) / 255, (v & 255) / 255];
}

/** One batch of the static scene: consecutive fills or consecutive lines, in painter order. */
interface Batch {
  kind: "fill" | "line";
  first: number;
  count: number;
}

/**
 * A painter that records the static scene as WebGL2 geometry in world units: fills as triangles,
 * lines as segment instances, batched in the order they come, skipping any with a point behind
 * the camera as the Canvas 2D path does.
 */
class GlPainter implements Painter {
  fills: number[] = [];
  segs: number[] = [];
  batches: Batch[] = [];
  constructor(readonly run: Run) {}
  world(p: Point3): [number, number, number] | null {
    const x = mapX(this.run, p[0]), y = mapY(this.run, p[1]), z = mapZ(this.run, p[2]);
    return proj(x, y, z) ? [x, y, z] : null;
  }
  batch(kind: Batch["kind"], first: number, count: number): void {
    const last = this.batches[this.batches.length - 1];
    if (last && last.kind === kind) last.count += count;
    else this.batches.push({ kind, first, count });
  }
  fill(corners: readonly Point3[], color: Rgba): void {
    const pts: [number, number, number][] = [];
    for (const c of corners) {
      const w = this.world(c);
      if (!w) return;
      pts.push(w);
    }
    const [r, g, b, a] = unit(color);
    const first = this.fills.length / FILL_FLOATS;
    for (let k = 1; k + 1 < pts.length; k++) {
      for (const p of [pts[0]!, pts[k]!, pts[k + 1]!]) {
        this.fills.push(p[0], p[1], p[2], r, g, b, a);
      }
    }
    this.batch("fill", first, this.fills.length / FILL_FLOATS - first);
  }
  line(a: Point3, b: Point3, style: LineStyle): void {
    const wa = this.world(a), wb = this.world(b);
    if (!wa || !wb) return;
    const dash = style.dash ?? [0, 0];
    const first = this.segs.length / SEG_FLOATS;
    this.segs.push(...wa, 0, ...wb, 0, ...unit(style.color), style.width, dash[0], dash[1]);
    this.batch("line", first, 1);
  }
  /** Vertices the recorded scene draws. */
  get vertices(): number {
    return this.fills.length / FILL_FLOATS + QUAD * (this.segs.length / SEG_FLOATS);
  }
}

/** The WebGL2 renderer: its canvas, programs and the buffers of the run on screen. */
export class GlView {
  /** The canvas it draws into, not on the page: the view copies it onto the page's canvas. */
  readonly canvas: HTMLCanvasElement;
  /** Whether the context was lost; the view then falls back to Canvas 2D. */
  lost = false;
  private gl: WebGL2RenderingContext;
  private seg: Program;
  private fill: Program;
  private marker: Program;
  private bg: Program;
  private buffers: WebGLBuffer[] = [];
  private run: Run | null = null;
  private full: WebGLBuffer | null = null;
  private level: WebGLBuffer | null = null;
  private coarse: WebGLBuffer | null = null;
  private markers: WebGLBuffer | null = null;
  private markerCounts: number[] = [0, 0, 0];
  private bridge: WebGLBuffer;
  private sceneFills: WebGLBuffer;
  private sceneSegs: WebGLBuffer;
  private batches: Batch[] = [];
  private sceneVertices = 0;
  private vao: WebGLVertexArrayObject;
  private empty: WebGLBuffer;

  private constructor(canvas: HTMLCanvasElement, gl: WebGL2RenderingContext) {
    this.canvas = canvas;
    this.gl = gl;
    this.seg = compile(gl, SEG_VS, SEG_FS);
    this.fill = compile(gl, FILL_VS, FILL_FS);
    this.marker = compile(gl, MARKER_VS, MARKER_FS);
    this.bg = compile(gl, BG_VS, BG_FS);
    this.bridge = gl.createBuffer()!;
    this.sceneFills = gl.createBuffer()!;
    this.sceneSegs = gl.createBuffer()!;
    this.empty = gl.createBuffer()!;
    this.vao = gl.createVertexArray()!;
    canvas.addEventListener("webglcontextlost", (e) => {
      e.preventDefault();
      this.lost = true;
    });
  }

  /**
   * A renderer on a new canvas, or `null` where WebGL2 is unavailable (or its shaders fail),
   * so that the view keeps its Canvas 2D path. Unless `softwareToo`, a WebGL2 that runs on a
   * software rasteriser (SwiftShader, llvmpipe; the browser's own caveat flag, or the renderer's
   * name) counts as unavailable: there the Canvas 2D path, with its cached layers, draws faster.
   *
   * @param options Whether to take a software WebGL2 as well.
   * @returns The renderer, or `null`.
   */
  static create(options: { softwareToo: boolean }): GlView | null {
    const canvas = document.createElement("canvas");
    let gl: WebGL2RenderingContext | null = null;
    try {
      gl = canvas.getContext("webgl2", {
        antialias: true,
        alpha: false,
        depth: true,
        premultipliedAlpha: true,
        preserveDrawingBuffer: false,
        failIfMajorPerformanceCaveat: !options.softwareToo,
      });
    } catch {
      gl = null;
    }
    if (!gl) return null;
    if (!options.softwareToo && isSoftware(gl)) {
      gl.getExtension("WEBGL_lose_context")?.loseContext();
      return null;
    }
    try {
      return new GlView(canvas, gl);
    } catch (error) {
      console.warn(String(error) + "; drawing with Canvas 2D");
      return null;
    }
  }

  /** Fits the drawing buffer to the view's size in device pixels. */
  resize(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
  }

  private upload(data: Float32Array, target?: WebGLBuffer): WebGLBuffer {
    const gl = this.gl;
    const buffer = target ?? gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    if (!target) this.buffers.push(buffer);
    return buffer;
  }

  /** Uploads a run's trail and markers, once per run. */
  setRun(run: Run): void {
    if (this.run === run) return;
    const gl = this.gl;
    for (const b of this.buffers) gl.deleteBuffer(b);
    this.buffers = [];
    this.run = run;
    const n = run.n, reg = run.c.regime;
    const all = new Float32Array(n * POINT_FLOATS);
    for (let i = 0; i < n; i++) {
      all[i * 4] = run.wx[i]!;
      all[i * 4 + 1] = run.wy[i]!;
      all[i * 4 + 2] = run.wz[i]!;
      all[i * 4 + 3] = reg[i]!;
    }
    this.full = this.upload(all);
    const levelOf = (dec: Int32Array): Float32Array => {
      const out = new Float32Array(dec.length * POINT_FLOATS);
      for (let k = 0; k < dec.length; k++) {
        out.set(all.subarray(dec[k]! * 4, dec[k]! * 4 + 4), k * 4);
      }
      return out;
    };
    this.level = this.upload(levelOf(run.full.dec));
    this.coarse = run.coarse === run.full ? this.level : this.upload(levelOf(run.coarse.dec));
    const marks: number[] = [];
    for (let f = 0; f < 3; f++) {
      const list = run.onsets[f]!.list;
      this.markerCounts[f] = list.length;
      for (const m of list) {
        const first = f === 0 && m === run.firstBreach;
        marks.push(run.wx[m]!, run.wy[m]!, run.wz[m]!, f, first ? 6.5 : 4.5);
      }
    }
    this.markers = this.upload(new Float32Array(marks.length ? marks : [0, 0, 0, 0, 0]));
  }

  /**
   * Records the static scene for the current camera through a painter, and uploads it.
   *
   * @param describe Draws the scene with the painter it is given (viewer/scene.ts).
   * @throws Error when the scene would take more than {@linkcode STATIC_VERTEX_BUDGET}.
   */
  setScene(describe: (p: Painter) => void): void {
    const painter = new GlPainter(this.run!);
    describe(painter);
    if (painter.vertices > STATIC_VERTEX_BUDGET) {
      throw new Error(`The static scene takes ${painter.vertices} vertices, over its budget`);
    }
    this.upload(new Float32Array(painter.fills), this.sceneFills);
    this.upload(new Float32Array(painter.segs), this.sceneSegs);
    this.batches = painter.batches;
    this.sceneVertices = painter.vertices;
  }

  private useProgram(p: Program, V: ViewTransform, W: number, H: number): void {
    const gl = this.gl, u = p.uniforms;
    gl.useProgram(p.program);
    const set3 = (name: string, x: number, y: number, z: number) => {
      const at = u.get(name);
      if (at) gl.uniform3f(at, x, y, z);
    };
    set3("u_C", V.Cx, V.Cy, V.Cz);
    set3("u_f", V.fx, V.fy, V.fz);
    set3("u_r", V.rx, V.ry, V.rz);
    set3("u_u", V.ux, V.uy, V.uz);
    const F = u.get("u_F");
    if (F) gl.uniform1f(F, V.F);
    const c = u.get("u_c");
    if (c) gl.uniform2f(c, V.cx, V.cy);
    const size = u.get("u_size");
    if (size) gl.uniform2f(size, W, H);
  }

  /** Points attribute `name` of a program into a buffer of records, per instance or vertex. */
  private attrib(
    p: Program,
    name: string,
    buffer: WebGLBuffer,
    floats: { size: number; stride: number; offset: number },
    divisor: number,
  ): void {
    const gl = this.gl, at = p.attribs.get(name);
    if (at === undefined || at < 0) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, floats.size, gl.FLOAT, false, floats.stride * 4, floats.offset * 4);
    gl.vertexAttribDivisor(at, divisor);
  }

  private constant(p: Program, name: string, v: readonly number[]): void {
    const gl = this.gl, at = p.attribs.get(name);
    if (at === undefined || at < 0) return;
    gl.disableVertexAttribArray(at);
    gl.vertexAttribDivisor(at, 0);
    gl.vertexAttrib4f(at, v[0] ?? 0, v[1] ?? 0, v[2] ?? 0, v[3] ?? 0);
  }

  /**
   * Draws the scene at a frame: background, static scene, path ahead and shadow, flags ahead,
   * the flown trail (glow and core) and the flags that fired.
   *
   * @param frame The current frame.
   * @param at The camera's projection, the size in CSS pixels, the device pixel ratio and the
   *   floor's world Y.
   * @returns What the draw took.
   */
  render(
    frame: number,
    at: { V: ViewTransform; W: number; H: number; DPR: number; floorY: number },
  ): GlDrawStats {
    const gl = this.gl, run = this.run!;
    const { V, W, H, DPR } = at;
    const stats: GlDrawStats = {
      vertices: 0,
      drawCalls: 0,
      bound: frameVertexBound(run.full.dec.length, run.coarse.dec.length),
    };
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.bindVertexArray(this.vao);
    gl.disable(gl.DEPTH_TEST);
    gl.depthMask(true);
    gl.clearDepth(1);
    gl.clear(gl.DEPTH_BUFFER_BIT);
    // background
    gl.disable(gl.BLEND);
    gl.useProgram(this.bg.program);
    gl.uniform2f(this.bg.uniforms.get("u_size")!, W, H);
    gl.uniform1f(this.bg.uniforms.get("u_dpr")!, DPR);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    stats.vertices += 3;
    stats.drawCalls++;
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);

    // static scene, in painter order
    const seg = this.seg, fill = this.fill;
    for (const b of this.batches) {
      if (b.kind === "fill") {
        this.useProgram(fill, V, W, H);
        this.attrib(fill, "a_pos", this.sceneFills, { size: 3, stride: FILL_FLOATS, offset: 0 }, 0);
        this.attrib(
          fill,
          "a_color",
          this.sceneFills,
          { size: 4, stride: FILL_FLOATS, offset: 3 },
          0,
        );
        gl.drawArrays(gl.TRIANGLES, b.first, b.count);
        stats.vertices += b.count;
      } else {
        this.useProgram(seg, V, W, H);
        gl.uniform1f(seg.uniforms.get("u_usePalette")!, 0);
        gl.uniform1f(seg.uniforms.get("u_flat")!, 0);
        gl.uniform1f(seg.uniforms.get("u_depth")!, 0);
        const rec = (size: number, offset: number) => ({ size, stride: SEG_FLOATS, offset });
        this.attrib(seg, "a_a", this.sceneSegs, rec(4, b.first * SEG_FLOATS), 1);
        this.attrib(seg, "a_b", this.sceneSegs, rec(4, b.first * SEG_FLOATS + 4), 1);
        this.attrib(seg, "a_color", this.sceneSegs, rec(4, b.first * SEG_FLOATS + 8), 1);
        this.attrib(seg, "a_style", this.sceneSegs, rec(3, b.first * SEG_FLOATS + 12), 1);
        gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, QUAD, b.count);
        stats.vertices += QUAD * b.count;
      }
      stats.drawCalls++;
    }

    // the trail: each pass draws a pixel once, at its own depth, over the passes before
    this.useProgram(seg, V, W, H);
    const palette: number[] = [];
    for (let r = 0; r < 4; r++) palette.push(...unit(regimeRgba(r, 1)).slice(0, 3));
    gl.uniform3fv(seg.uniforms.get("u_palette")!, palette);
    gl.uniform1f(seg.uniforms.get("u_floorY")!, at.floorY);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LESS);
    let depth = 0.9;
    const strip = (
      buffer: WebGLBuffer,
      from: number,
      segments: number,
      look: { color: Rgba | null; alpha: number; width: number; flat: boolean },
    ): void => {
      if (segments <= 0) return;
      gl.useProgram(seg.program);
      gl.uniform1f(seg.uniforms.get("u_depth")!, depth);
      gl.uniform1f(seg.uniforms.get("u_usePalette")!, look.color ? 0 : 1);
      gl.uniform1f(seg.uniforms.get("u_flat")!, look.flat ? 1 : 0);
      const rec = (offset: number) => ({ size: 4, stride: POINT_FLOATS, offset });
      this.attrib(seg, "a_a", buffer, rec(from * POINT_FLOATS), 1);
      this.attrib(seg, "a_b", buffer, rec((from + 1) * POINT_FLOATS), 1);
      this.constant(seg, "a_color", look.color ? unit(look.color) : [0, 0, 0, look.alpha]);
      this.constant(seg, "a_style", [look.width, 0, 0]);
      gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, QUAD, segments);
      stats.vertices += QUAD * segments;
      stats.drawCalls++;
    };
    const level = run.full.dec, coarse = run.coarse.dec;
    strip(this.coarse!, 0, coarse.length - 1, { ...shadow(), flat: true });
    depth -= 0.1;
    strip(this.level!, 0, level.length - 1, { ...ahead(), flat: false });
    depth -= 0.1;
    gl.disable(gl.DEPTH_TEST);
    stats.vertices += this.drawMarkers(V, W, H, -1, stats);
    gl.enable(gl.DEPTH_TEST);
    // the flown trail: decimated up to DETAIL_WINDOW frames back, then every frame
    const start = Math.max(0, frame - DETAIL_WINDOW);
    const kd = Math.max(0, upperBound(level, start) - 1);
    const from = level[kd] ?? 0;
    const bridge = new Float32Array(8);
    bridge.set(
      new Float32Array([run.wx[from]!, run.wy[from]!, run.wz[from]!, run.c.regime[from]!]),
    );
    bridge.set(
      new Float32Array([run.wx[start]!, run.wy[start]!, run.wz[start]!, run.c.regime[start]!]),
      4,
    );
    this.upload(bridge, this.bridge);
    for (const look of [{ alpha: 0.2, width: 5 }, { alpha: 1, width: 1.8 }]) {
      const style = { color: null, ...look, flat: false };
      strip(this.level!, 0, kd, style);
      if (from < start) strip(this.bridge, 0, 1, style);
      strip(this.full!, start, frame - start, style);
      depth -= 0.1;
    }
    gl.disable(gl.DEPTH_TEST);
    stats.vertices += this.drawMarkers(V, W, H, frame, stats);
    gl.bindVertexArray(null);
    return stats;
  }

  /** Vertices of the static scene recorded for the current camera. */
  get staticVertices(): number {
    return this.sceneVertices;
  }

  /**
   * Draws the flag markers: all of them faint (`upTo` -1), or the onsets up to a frame bright.
   * Returns the vertices drawn.
   */
  private drawMarkers(
    V: ViewTransform,
    W: number,
    H: number,
    upTo: number,
    stats: GlDrawStats,
  ): number {
    const gl = this.gl, p = this.marker, run = this.run!;
    this.useProgram(p, V, W, H);
    const colors: number[] = [];
    for (const c of FLAG_COLORS) colors.push(...hexRgb(c));
    gl.uniform3fv(p.uniforms.get("u_flagColors")!, colors);
    gl.uniform1f(p.uniforms.get("u_alpha")!, upTo < 0 ? FLAGS_AHEAD.alpha : 1);
    gl.uniform1f(p.uniforms.get("u_radius")!, upTo < 0 ? FLAGS_AHEAD.radius : 0);
    let base = 0, vertices = 0;
    for (let f = 0; f < 3; f++) {
      const list = run.onsets[f]!.list;
      const count = upTo < 0 ? list.length : upperBound(list, upTo);
      if (count > 0) {
        const rec = (size: number, offset: number) => ({ size, stride: MARKER_FLOATS, offset });
        this.attrib(p, "a_pos", this.markers!, rec(3, base * MARKER_FLOATS), 1);
        this.attrib(p, "a_kind", this.markers!, rec(2, base * MARKER_FLOATS + 3), 1);
        gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, QUAD, count);
        vertices += QUAD * count;
        stats.drawCalls++;
      }
      base += this.markerCounts[f]!;
    }
    return vertices;
  }

  /** Waits for the GPU to finish the last draw, by reading one pixel back. */
  sync(): void {
    const gl = this.gl;
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }
}

function shadow(): { color: Rgba; alpha: number; width: number } {
  return { color: TRAIL_SHADOW.color, alpha: TRAIL_SHADOW.color[3], width: TRAIL_SHADOW.width };
}

function ahead(): { color: Rgba; alpha: number; width: number } {
  return { color: PATH_AHEAD.color, alpha: PATH_AHEAD.color[3], width: PATH_AHEAD.width };
}

/** The world Y of the floor the camera sees: the box's bottom seen from above, else its top. */
export function floorWorldY(V: ViewTransform): number {
  return V.Cy > 0 ? -BOX.h / 2 : BOX.h / 2;
}
