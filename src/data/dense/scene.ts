/**
 * One procedural dense scene: a few analytic objects (sphere, box, pyramid, cylinder) in front of
 * a slanted, textured back wall, seen orthographically. Every pixel is resolved by a z-buffer at
 * its centre, so the ground truth is exact: the label and depth of the front-most surface and
 * its analytic normal. The RGB image is rendered from the same surfaces (class colour, texture,
 * Lambertian shading from a random light) plus noise, so appearance carries the dense signals.
 *
 * Frame: x right, y down, both in [-1, 1] across the image; depth d grows away from the viewer.
 * The normal of the surface d(x, y) facing the viewer is normalize(∂d/∂x, ∂d/∂y, 1)
 * (z toward the viewer), so a surface square to the view has (0, 0, 1).
 */
import type { Rng } from '../prng';

/** Class 0 is the background wall; objects are 1 … 4. */
export const DENSE_CLASSES = ['background', 'sphere', 'box', 'pyramid', 'cylinder'] as const;
export const NUM_DENSE_CLASSES = DENSE_CLASSES.length;

export interface SceneObject {
  cls: number;
  cx: number;
  cy: number;
  /** Half size in image units. */
  r: number;
  /** Depth of the object's reference point (its centre plane). */
  z0: number;
  /** Box: plane slopes; pyramid: height; cylinder: half height. */
  a: number;
  b: number;
  angle: number;
  colour: [number, number, number];
  texture: Texture;
}

interface Texture {
  kind: 'plain' | 'stripes' | 'checker';
  period: number;
  strength: number;
  angle: number;
}

export interface Scene {
  size: number;
  /** size² × 3, row-major RGB. */
  rgb: Uint8Array;
  /** size², class index of the front-most surface. */
  label: Uint8Array;
  /** size², depth of the front-most surface. */
  depth: Float32Array;
  /** size² × 3, unit normal of the front-most surface. */
  normal: Float32Array;
  objects: SceneObject[];
}

/** A surface sample: depth and its gradient, or null when the pixel misses the object. */
interface Hit {
  d: number;
  dx: number;
  dy: number;
}

// Hue ranges per object class (sphere reddish, box bluish, pyramid greenish, cylinder yellow).
const CLASS_COLOURS: Record<number, [number, number, number]> = {
  1: [200, 70, 60],
  2: [60, 90, 200],
  3: [70, 180, 80],
  4: [210, 190, 60],
};

/** The object's surface at (x, y), in its rotated frame (u, v). */
export function objectHit(o: SceneObject, x: number, y: number): Hit | null {
  const cos = Math.cos(o.angle);
  const sin = Math.sin(o.angle);
  const u = cos * (x - o.cx) + sin * (y - o.cy);
  const v = -sin * (x - o.cx) + cos * (y - o.cy);
  // Local gradients (∂d/∂u, ∂d/∂v) rotate back to (∂d/∂x, ∂d/∂y).
  const hit = (d: number, du: number, dv: number): Hit => ({
    d,
    dx: cos * du - sin * dv,
    dy: sin * du + cos * dv,
  });
  const { r } = o;
  switch (o.cls) {
    case 1: {
      const rho2 = u * u + v * v;
      if (rho2 > r * r) return null;
      const h = Math.max(Math.sqrt(r * r - rho2), 1e-3 * r);
      return hit(o.z0 - h, u / h, v / h);
    }
    case 2:
      if (Math.abs(u) > r || Math.abs(v) > r) return null;
      return hit(o.z0 + o.a * u + o.b * v, o.a, o.b);
    case 3: {
      const l1 = Math.abs(u) + Math.abs(v);
      if (l1 > r) return null;
      const slope = o.a / r;
      return hit(o.z0 - o.a * (1 - l1 / r), slope * Math.sign(u), slope * Math.sign(v));
    }
    default: {
      if (Math.abs(u) > 0.6 * r || Math.abs(v) > o.b) return null;
      const rc = 0.6 * r;
      const h = Math.max(Math.sqrt(rc * rc - u * u), 1e-3 * rc);
      return hit(o.z0 - h, u / h, 0);
    }
  }
}

function randomTexture(rng: Rng): Texture {
  const kinds: Texture['kind'][] = ['plain', 'stripes', 'checker'];
  return {
    kind: kinds[rng.int(3)] ?? 'plain',
    period: rng.range(0.15, 0.45),
    strength: rng.range(0.1, 0.3),
    angle: rng.range(0, Math.PI),
  };
}

function textureAt(t: Texture, x: number, y: number): number {
  if (t.kind === 'plain') return 1;
  const s = Math.cos(t.angle) * x + Math.sin(t.angle) * y;
  if (t.kind === 'stripes') return 1 + t.strength * Math.sin((2 * Math.PI * s) / t.period);
  const w = -Math.sin(t.angle) * x + Math.cos(t.angle) * y;
  const parity = (Math.floor(s / t.period) + Math.floor(w / t.period)) & 1;
  return 1 + t.strength * (parity ? 1 : -1);
}

function randomObject(rng: Rng): SceneObject {
  const cls = 1 + rng.int(NUM_DENSE_CLASSES - 1);
  const base = CLASS_COLOURS[cls] ?? [128, 128, 128];
  // Depth cues a single image can show: nearer objects look larger (r ∝ 1/z0) and clearer (fog).
  const z0 = rng.range(2.5, 5.5);
  const r = rng.range(0.7, 1.4) / z0;
  return {
    cls,
    cx: rng.range(-0.75, 0.75),
    cy: rng.range(-0.75, 0.75),
    r,
    z0,
    // Box: slopes; pyramid: height (a); cylinder: half height (b).
    a: cls === 3 ? rng.range(0.2, 0.5) : rng.range(-0.8, 0.8),
    b: cls === 4 ? rng.range(0.5 * r, 1.3 * r) : rng.range(-0.8, 0.8),
    angle: cls === 4 ? 0 : rng.range(-Math.PI / 4, Math.PI / 4),
    colour: base.map((c) => c + rng.range(-35, 35)) as [number, number, number],
    texture: randomTexture(rng),
  };
}

/** Atmospheric fog: colours fade towards FOG_GREY with depth (1 − e^{−(d−2)/FOG_DEPTH}). */
const FOG_DEPTH = 8;
const FOG_GREY = 200;

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** A scene of 2–4 objects at `size` × `size`, a pure function of the Rng state. */
export function renderScene(rng: Rng, size: number): Scene {
  const wall = {
    d0: rng.range(7, 8.5),
    gx: rng.range(-0.5, 0.5),
    // The top of the image is farther away (y grows downwards).
    gy: -rng.range(0.3, 1.2),
    colour: [rng.range(90, 170), rng.range(80, 150), rng.range(70, 140)],
    texture: randomTexture(rng),
  };
  const objects = Array.from({ length: 2 + rng.int(3) }, () => randomObject(rng));
  const light = normalise3(rng.range(-0.6, 0.6), rng.range(-0.6, 0.6), 1);
  const n = size * size;
  const scene: Scene = {
    size,
    rgb: new Uint8Array(3 * n),
    label: new Uint8Array(n),
    depth: new Float32Array(n),
    normal: new Float32Array(3 * n),
    objects,
  };
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) / size) * 2 - 1;
      const y = ((py + 0.5) / size) * 2 - 1;
      // The z-buffer: the wall, then every object nearer than the best so far.
      let best: Hit = { d: wall.d0 + wall.gx * x + wall.gy * y, dx: wall.gx, dy: wall.gy };
      let owner = -1;
      objects.forEach((o, k) => {
        const h = objectHit(o, x, y);
        if (h && h.d < best.d) {
          best = h;
          owner = k;
        }
      });
      const i = py * size + px;
      const [nx, ny, nz] = normalise3(best.dx, best.dy, 1);
      scene.label[i] = owner < 0 ? 0 : (objects[owner]?.cls ?? 0);
      scene.depth[i] = best.d;
      scene.normal.set([nx, ny, nz], 3 * i);
      const o = owner < 0 ? null : objects[owner];
      const colour = o ? o.colour : wall.colour;
      const tex = textureAt(o ? o.texture : wall.texture, x, y);
      const shade = 0.35 + 0.65 * Math.max(0, nx * light[0] + ny * light[1] + nz * light[2]);
      const fog = 1 - Math.exp(-(best.d - 2) / FOG_DEPTH);
      for (let c = 0; c < 3; c++) {
        const lit = (colour[c] ?? 0) * tex * shade;
        scene.rgb[3 * i + c] = clampByte(lit + fog * (FOG_GREY - lit) + 6 * rng.normal());
      }
    }
  }
  return scene;
}

export function normalise3(x: number, y: number, z: number): [number, number, number] {
  const len = Math.sqrt(x * x + y * y + z * z);
  return [x / len, y / len, z / len];
}
