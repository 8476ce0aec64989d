/**
 * Six procedural domains, each a pure function of (rng, label, clean). `clean` draws the
 * pretraining style of a concept (plain background, no clutter, little noise); the task's own
 * images (clean = false) add clutter, jitter and noise — so zero-shot transfer from
 * pretraining is partial and a fine-tune has something to learn.
 */
import type { RgbImage } from '../../../src/data/images/index';
import type { Rng } from '../../../src/data/prng';
import {
  Canvas,
  contrastingColour,
  digitGlyph,
  insidePolygon,
  mixColour,
  polygonPoints,
  randomColour,
  segmentDistance,
  valueNoise,
  type Rgb,
} from './canvas';

export type Draw = (rng: Rng, label: number, clean: boolean, size: number) => RgbImage;

export interface ProceduralDomain {
  name: string;
  /** What captions call an image of this domain ("a photo of a {c}, a kind of {noun}."). */
  noun: string;
  classNames: readonly string[];
  draw: Draw;
}

const RED: Rgb = [0.85, 0.1, 0.1];
const WHITE: Rgb = [0.95, 0.95, 0.95];
const BLUE: Rgb = [0.1, 0.3, 0.8];
const YELLOW: Rgb = [0.95, 0.8, 0.1];
const BLACK: Rgb = [0.05, 0.05, 0.05];

// ---- textures (DTD-like) -------------------------------------------------------------------

const TEXTURES = [
  'dotted',
  'checkered',
  'striped',
  'zigzagged',
  'gridded',
  'wavy',
  'speckled',
  'crosshatched',
] as const;

function texturePattern(kind: number, rng: Rng, period: number): (u: number, v: number) => boolean {
  const w = (2 * Math.PI) / period;
  const tri = (t: number) => Math.abs(((t / period) % 2) - 1) * period;
  switch (TEXTURES[kind]) {
    case 'dotted':
      return (u, v) =>
        Math.hypot(
          (((u % period) + period) % period) - period / 2,
          (((v % period) + period) % period) - period / 2,
        ) <
        period * 0.28;
    case 'checkered':
      return (u, v) => Math.sin(u * w) * Math.sin(v * w) > 0;
    case 'striped':
      return (u) => Math.sin(u * w) > 0.1;
    case 'zigzagged':
      return (u, v) => Math.sin((u + tri(v * 2)) * w) > 0.1;
    case 'gridded':
      return (u, v) => Math.cos(u * w) > 0.8 || Math.cos(v * w) > 0.8;
    case 'wavy':
      return (u, v) => Math.sin((u + 2.5 * Math.sin(v * w * 0.5)) * w) > 0.1;
    case 'speckled': {
      const dots = Array.from(
        { length: 40 },
        () => [rng.range(-24, 24), rng.range(-24, 24)] as const,
      );
      return (u, v) => dots.some(([a, b]) => Math.hypot(u - a, v - b) < 1.1);
    }
    case 'crosshatched':
      return (u, v) => Math.cos((u + v) * w * 0.7) > 0.85 || Math.cos((u - v) * w * 0.7) > 0.85;
    default:
      throw new Error(`texture ${kind}`);
  }
}

const drawTexture: Draw = (rng, label, clean, size) => {
  const bg = randomColour(rng);
  const canvas = new Canvas(size, bg);
  const fg = contrastingColour(rng, bg, clean ? 0.6 : 0.35);
  const angle = rng.range(0, Math.PI);
  const period = rng.range(5, 8);
  const pattern = texturePattern(label, rng, period);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const half = size / 2;
  canvas.paint(
    (x, y) => pattern((x - half) * c + (y - half) * s, -(x - half) * s + (y - half) * c),
    fg,
  );
  if (!clean) {
    const shade = valueNoise(rng, 3, size);
    canvas.paint((x, y) => shade(x, y) > 0.6, BLACK, 0.35);
  }
  canvas.noise(rng, clean ? 0.02 : 0.08);
  return canvas.toImage();
};

// ---- house numbers (SVHN-like) ---------------------------------------------------------------

export const DIGIT_NAMES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
] as const;

const drawHouseNumber: Draw = (rng, label, clean, size) => {
  const bg = randomColour(rng);
  const canvas = new Canvas(size, bg);
  if (!clean) {
    for (let k = 0; k < 4; k++) {
      const x0 = rng.range(0, size);
      const y0 = rng.range(0, size);
      const w = rng.range(4, 14);
      const h = rng.range(4, 14);
      canvas.paint((x, y) => x > x0 && x < x0 + w && y > y0 && y < y0 + h, randomColour(rng), 0.5);
    }
  }
  const fg = contrastingColour(rng, bg, clean ? 0.7 : 0.45);
  const h = clean ? 18 : rng.range(13, 21);
  const w = (h * 5) / 7;
  const slant = clean ? 0 : rng.range(-0.25, 0.25);
  const x0 = (size - w) / 2 + (clean ? 0 : rng.range(-2, 2));
  const y0 = (size - h) / 2 + (clean ? 0 : rng.range(-2, 2));
  canvas.paint(digitGlyph(label, x0, y0, h, slant), fg);
  if (!clean) {
    // Neighbouring digits of the house number, cut by the frame as in SVHN's crops.
    canvas.paint(digitGlyph(rng.int(10), x0 - w - 2, y0, h, slant), fg);
    canvas.paint(digitGlyph(rng.int(10), x0 + w + 2, y0, h, slant), fg);
  }
  canvas.noise(rng, clean ? 0.02 : 0.07);
  return canvas.toImage();
};

// ---- traffic signs (GTSRB-like) -------------------------------------------------------------

const SIGNS = [
  'stop',
  'yield',
  'no entry',
  'speed limit',
  'turn left',
  'turn right',
  'priority road',
  'warning',
] as const;

function arrow(cx: number, cy: number, r: number, dir: 1 | -1) {
  return (x: number, y: number) => {
    const shaft = segmentDistance(x, y, cx - dir * r * 0.5, cy, cx + dir * r * 0.2, cy) < r * 0.13;
    const head = insidePolygon(x, y, [
      [cx + dir * r * 0.6, cy],
      [cx + dir * r * 0.1, cy - r * 0.4],
      [cx + dir * r * 0.1, cy + r * 0.4],
    ]);
    return shaft || head;
  };
}

function drawSign(canvas: Canvas, kind: number, cx: number, cy: number, r: number): void {
  const disc = (rad: number) => (x: number, y: number) => Math.hypot(x - cx, y - cy) < rad;
  switch (SIGNS[kind]) {
    case 'stop':
      canvas.paint((x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r, 8, Math.PI / 8)), RED);
      canvas.paint((x, y) => Math.abs(y - cy) < r * 0.15 && Math.abs(x - cx) < r * 0.6, WHITE);
      break;
    case 'yield':
      canvas.paint((x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r, 3, Math.PI / 2)), RED);
      canvas.paint(
        (x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r * 0.55, 3, Math.PI / 2)),
        WHITE,
      );
      break;
    case 'no entry':
      canvas.paint(disc(r), RED);
      canvas.paint((x, y) => Math.abs(y - cy) < r * 0.2 && Math.abs(x - cx) < r * 0.7, WHITE);
      break;
    case 'speed limit':
      canvas.paint(disc(r), RED);
      canvas.paint(disc(r * 0.72), WHITE);
      canvas.paint(digitGlyph(5, cx - r * 0.55, cy - r * 0.35, r * 0.7, 0), BLACK);
      canvas.paint(digitGlyph(0, cx + r * 0.05, cy - r * 0.35, r * 0.7, 0), BLACK);
      break;
    case 'turn left':
    case 'turn right':
      canvas.paint(disc(r), BLUE);
      canvas.paint(arrow(cx, cy, r, SIGNS[kind] === 'turn left' ? -1 : 1), WHITE);
      break;
    case 'priority road':
      canvas.paint((x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r, 4, 0)), WHITE);
      canvas.paint((x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r * 0.7, 4, 0)), YELLOW);
      break;
    case 'warning':
      canvas.paint((x, y) => insidePolygon(x, y, polygonPoints(cx, cy, r, 3, -Math.PI / 2)), RED);
      canvas.paint(
        (x, y) => insidePolygon(x, y, polygonPoints(cx, cy + r * 0.1, r * 0.6, 3, -Math.PI / 2)),
        WHITE,
      );
      canvas.paint(
        (x, y) => Math.abs(x - cx) < r * 0.08 && y > cy - r * 0.3 && y < cy + r * 0.2,
        BLACK,
      );
      break;
    default:
      throw new Error(`sign ${kind}`);
  }
}

const drawSignImage: Draw = (rng, label, clean, size) => {
  const sky: Rgb = clean ? [0.8, 0.85, 0.9] : randomColour(rng);
  const ground: Rgb = clean ? sky : randomColour(rng);
  const canvas = new Canvas(size);
  canvas.fill((_x, y) => mixColour(sky, ground, y / size));
  if (!clean) {
    const foliage = valueNoise(rng, 4, size);
    canvas.paint((x, y) => foliage(x, y) > 0.55, [0.15, 0.4, 0.15], 0.6);
  }
  const r = clean ? 12 : rng.range(8, 14);
  const jitter = clean ? 0 : 4;
  drawSign(
    canvas,
    label,
    size / 2 + rng.range(-jitter, jitter),
    size / 2 + rng.range(-jitter, jitter),
    r,
  );
  if (!clean) {
    const light = rng.range(0.4, 1.1);
    for (let i = 0; i < canvas.data.length; i++) canvas.data[i]! *= light;
  }
  canvas.noise(rng, clean ? 0.02 : 0.06);
  return canvas.toImage();
};

// ---- terrain tiles (EuroSAT-like) -----------------------------------------------------------

const TERRAIN = [
  'forest',
  'river',
  'highway',
  'farmland',
  'residential area',
  'sea',
  'pasture',
  'industrial area',
] as const;

const jitterColour = (rng: Rng, c: Rgb, amount: number): Rgb => [
  c[0] + rng.range(-amount, amount),
  c[1] + rng.range(-amount, amount),
  c[2] + rng.range(-amount, amount),
];

const drawTerrain: Draw = (rng, label, clean, size) => {
  const j = clean ? 0.03 : 0.1;
  const grass = jitterColour(rng, [0.35, 0.55, 0.25], j);
  const canvas = new Canvas(size, grass);
  const field = valueNoise(rng, clean ? 3 : 5, size);
  const fine = valueNoise(rng, 10, size);
  const kind = TERRAIN[label];
  if (kind === 'forest') {
    const dark = jitterColour(rng, [0.08, 0.3, 0.1], j);
    canvas.fill((x, y) => mixColour(dark, grass, 0.4 * fine(x, y)));
  } else if (kind === 'sea') {
    const water = jitterColour(rng, [0.1, 0.25, 0.55], j);
    canvas.fill((x, y) => mixColour(water, [0.2, 0.4, 0.7], 0.3 * field(x, y)));
  } else if (kind === 'pasture') {
    const light = jitterColour(rng, [0.55, 0.7, 0.35], j);
    canvas.fill((x, y) => mixColour(light, grass, 0.3 * field(x, y)));
  } else if (kind === 'river' || kind === 'highway') {
    const colour =
      kind === 'river'
        ? jitterColour(rng, [0.15, 0.3, 0.6], j)
        : jitterColour(rng, [0.45, 0.45, 0.45], j);
    const a = rng.range(0, Math.PI);
    const off = rng.range(-4, 4);
    const width = kind === 'river' ? rng.range(2.5, 4.5) : rng.range(1.5, 2.5);
    const bend = kind === 'river' ? rng.range(2, 4) : 0;
    canvas.fill((x, y) => mixColour(grass, [0.5, 0.5, 0.3], 0.4 * field(x, y)));
    canvas.paint((x, y) => {
      const u = (x - size / 2) * Math.cos(a) + (y - size / 2) * Math.sin(a);
      const v = -(x - size / 2) * Math.sin(a) + (y - size / 2) * Math.cos(a);
      return Math.abs(v - off - bend * Math.sin(u / 5)) < width;
    }, colour);
  } else if (kind === 'farmland') {
    const cols: Rgb[] = [
      [0.75, 0.65, 0.3],
      [0.45, 0.6, 0.2],
      [0.6, 0.45, 0.25],
    ];
    const cell = rng.range(6, 11);
    const tint = cols.map((c) => jitterColour(rng, c, j));
    const ids = Array.from({ length: 36 }, () => rng.int(3));
    canvas.fill((x, y) => tint[ids[(Math.floor(x / cell) % 6) * 6 + (Math.floor(y / cell) % 6)]!]!);
  } else {
    // residential: small red/grey roofs on a street grid; industrial: large grey blocks.
    const residential = kind === 'residential area';
    const cell = residential ? rng.range(5, 7) : rng.range(10, 14);
    canvas.fill(() => mixColour(grass, [0.6, 0.6, 0.55], residential ? 0.3 : 0.6));
    const roofs = Array.from(
      { length: 64 },
      () =>
        (residential
          ? rng.uniform() < 0.5
            ? RED
            : [0.5, 0.4, 0.35]
          : jitterColour(rng, [0.7, 0.7, 0.72], 0.1)) as Rgb,
    );
    for (let k = 0; k < roofs.length; k++) {
      const i = k % 8;
      const jj = Math.floor(k / 8);
      const fill = residential ? 0.55 : 0.8;
      canvas.paint(
        (x, y) =>
          Math.floor(x / cell) === i &&
          Math.floor(y / cell) === jj &&
          x % cell < cell * fill &&
          y % cell < cell * fill,
        roofs[k]!,
      );
    }
  }
  if (!clean) canvas.paint((x, y) => fine(x, y) > 0.8, [0.9, 0.9, 0.9], 0.3); // haze, clouds
  canvas.noise(rng, clean ? 0.02 : 0.05);
  return canvas.toImage();
};

// ---- shapes in scenes ------------------------------------------------------------------------

const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross', 'ring'] as const;

function shapeTest(kind: number, cx: number, cy: number, r: number, angle: number) {
  switch (SHAPES[kind]) {
    case 'circle':
      return (x: number, y: number) => Math.hypot(x - cx, y - cy) < r;
    case 'square': {
      const p = polygonPoints(cx, cy, r * 1.15, 4, angle);
      return (x: number, y: number) => insidePolygon(x, y, p);
    }
    case 'triangle': {
      const p = polygonPoints(cx, cy, r * 1.2, 3, angle);
      return (x: number, y: number) => insidePolygon(x, y, p);
    }
    case 'star': {
      const p = polygonPoints(cx, cy, r * 1.3, 5, angle, r * 0.5);
      return (x: number, y: number) => insidePolygon(x, y, p);
    }
    case 'cross': {
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      return (x: number, y: number) => {
        const u = Math.abs((x - cx) * c + (y - cy) * s);
        const v = Math.abs(-(x - cx) * s + (y - cy) * c);
        return (u < r && v < r * 0.33) || (v < r && u < r * 0.33);
      };
    }
    case 'ring':
      return (x: number, y: number) => {
        const d = Math.hypot(x - cx, y - cy);
        return d < r && d > r * 0.55;
      };
    default:
      throw new Error(`shape ${kind}`);
  }
}

const drawShapes: Draw = (rng, label, clean, size) => {
  const wall = randomColour(rng);
  const floor = clean ? wall : randomColour(rng);
  const horizon = rng.range(10, 22);
  const canvas = new Canvas(size);
  canvas.fill((_x, y) => (y < horizon ? wall : floor));
  const count = clean ? 1 : 1 + rng.int(3);
  for (let k = 0; k < count; k++) {
    const r = clean ? 9 : rng.range(4, 8);
    const cx = clean ? size / 2 : rng.range(r + 1, size - r - 1);
    const cy = clean ? size / 2 : rng.range(r + 1, size - r - 1);
    canvas.paint(
      shapeTest(label, cx, cy, r, rng.range(0, 2 * Math.PI)),
      contrastingColour(rng, wall, 0.4),
    );
  }
  canvas.noise(rng, clean ? 0.02 : 0.06);
  return canvas.toImage();
};

// ---- compass needles (orientation) -----------------------------------------------------------

const DIRECTIONS = [
  'east',
  'southeast',
  'south',
  'southwest',
  'west',
  'northwest',
  'north',
  'northeast',
] as const;

const drawCompass: Draw = (rng, label, clean, size) => {
  const bg = randomColour(rng);
  const canvas = new Canvas(size, bg);
  const face = contrastingColour(rng, bg, 0.3);
  const c = size / 2 + (clean ? 0 : rng.range(-2, 2));
  const cy = size / 2 + (clean ? 0 : rng.range(-2, 2));
  const r = clean ? 14 : rng.range(10, 15);
  canvas.paint((x, y) => Math.hypot(x - c, y - cy) < r, face);
  const ink = contrastingColour(rng, face, 0.6);
  // Image y grows downwards: label k points at angle k·45° clockwise from east.
  const a = (label * Math.PI) / 4 + (clean ? 0 : rng.range(-0.25, 0.25));
  const tip: [number, number] = [c + r * 0.85 * Math.cos(a), cy + r * 0.85 * Math.sin(a)];
  const base = (da: number): [number, number] => [
    c + r * 0.25 * Math.cos(a + da),
    cy + r * 0.25 * Math.sin(a + da),
  ];
  canvas.paint((x, y) => insidePolygon(x, y, [tip, base(Math.PI / 2), base(-Math.PI / 2)]), ink);
  if (!clean) {
    // A short tail opposite the tip, and a distractor tick mark on the dial.
    const tail: [number, number] = [c - r * 0.35 * Math.cos(a), cy - r * 0.35 * Math.sin(a)];
    canvas.paint((x, y) => segmentDistance(x, y, c, cy, tail[0], tail[1]) < 1, ink);
    const t = rng.range(0, 2 * Math.PI);
    canvas.paint(
      (x, y) =>
        segmentDistance(
          x,
          y,
          c + r * 0.8 * Math.cos(t),
          cy + r * 0.8 * Math.sin(t),
          c + r * Math.cos(t),
          cy + r * Math.sin(t),
        ) < 0.8,
      ink,
    );
  }
  canvas.noise(rng, clean ? 0.02 : 0.07);
  return canvas.toImage();
};

export const PROCEDURAL_DOMAINS: readonly ProceduralDomain[] = [
  { name: 'textures', noun: 'texture', classNames: TEXTURES, draw: drawTexture },
  { name: 'house-numbers', noun: 'house number', classNames: DIGIT_NAMES, draw: drawHouseNumber },
  { name: 'traffic-signs', noun: 'traffic sign', classNames: SIGNS, draw: drawSignImage },
  { name: 'terrain', noun: 'satellite photo', classNames: TERRAIN, draw: drawTerrain },
  { name: 'shapes', noun: 'shape', classNames: SHAPES, draw: drawShapes },
  { name: 'compass', noun: 'compass needle', classNames: DIRECTIONS, draw: drawCompass },
];
