/**
 * The scale bench (issue 19): an LLM-sized merge through the CLI. Generates (once) a
 * Llama-shaped BF16 pool — a base and two fine-tunes of ≈ 6.7 GB each (hidden 3072, MLP 8192,
 * 28 layers, vocabulary 32 000: ≈ 3.4 B parameters), each a sharded Hugging Face folder
 * (2 GB shards + model.safetensors.index.json) — then runs TIES and DARE-TIES with
 * `npm run --silent cli -- merge --out <folder>` and reports wall time, the ratio to reading
 * the pool's bytes once, and the merge process's peak RSS against the bound
 * 4 × the largest tensor + 256 MB.
 *
 * NOT run on shared machines: it writes ≈ 20 GB of inputs plus ≈ 7 GB per merge. Run it alone:
 *   npx tsx bench/llm-scale.ts --pool /big/disk/llm-pool [--device cpu|webgpu] [--cases ties,dare_ties]
 *     [--compute f32|bf16]
 * The Chromium half of the bench (output streamed to disk from the tab) is not here.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSharded, type TensorSpec } from '../src/io';
import { nodeSinkFolder } from '../src/io/node';

export interface LlmShape {
  hidden: number;
  intermediate: number;
  layers: number;
  vocab: number;
}

export const LLAMA_3B: LlmShape = { hidden: 3072, intermediate: 8192, layers: 28, vocab: 32000 };

/** Tensor names and shapes in Hugging Face Llama order (all BF16). */
export function llamaSpecs(s: LlmShape): TensorSpec[] {
  const t = (name: string, shape: number[]): TensorSpec => ({ name, dtype: 'BF16', shape });
  const specs = [t('model.embed_tokens.weight', [s.vocab, s.hidden])];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    specs.push(
      t(`${p}input_layernorm.weight`, [s.hidden]),
      t(`${p}self_attn.q_proj.weight`, [s.hidden, s.hidden]),
      t(`${p}self_attn.k_proj.weight`, [s.hidden, s.hidden]),
      t(`${p}self_attn.v_proj.weight`, [s.hidden, s.hidden]),
      t(`${p}self_attn.o_proj.weight`, [s.hidden, s.hidden]),
      t(`${p}post_attention_layernorm.weight`, [s.hidden]),
      t(`${p}mlp.gate_proj.weight`, [s.intermediate, s.hidden]),
      t(`${p}mlp.up_proj.weight`, [s.intermediate, s.hidden]),
      t(`${p}mlp.down_proj.weight`, [s.hidden, s.intermediate]),
    );
  }
  specs.push(t('model.norm.weight', [s.hidden]), t('lm_head.weight', [s.vocab, s.hidden]));
  return specs;
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * BF16 values: the base ~ U(−0.05, 0.05), a fine-tune the base plus U(−0.002, 0.002), both
 * rounded to bf16 — so task vectors have the many equal magnitudes real BF16 fine-tunes have.
 */
function fillBf16(out: Uint16Array, seed: number, base?: Uint16Array): void {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = ((x >>> 0) / 4294967296) * 2 - 1;
    if (base) {
      u[0] = base[i]! << 16;
      f[0] = f[0]! + 0.002 * r;
    } else f[0] = 0.05 * r;
    out[i] = (u[0]! + 0x7fff + ((u[0]! >>> 16) & 1)) >>> 16; // round to nearest even
  }
}

const MODELS = ['base', 'ft1', 'ft2'];
const CHUNK = 1 << 22;

async function writeModel(dir: string, specs: TensorSpec[], m: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const writer = writeSharded(nodeSinkFolder(dir), specs, { maxShardBytes: 2e9 });
  for (const [ti, spec] of specs.entries()) {
    const n = numel(spec.shape);
    for (let at = 0; at < n; at += CHUNK) {
      const len = Math.min(CHUNK, n - at);
      const base = new Uint16Array(len);
      fillBf16(base, 1 + ti * 7919 + at);
      let values = base;
      if (m > 0) {
        values = new Uint16Array(len);
        fillBf16(values, 1 + ti * 7919 + at + m * 104729, base);
      }
      await writer.writeTensorPart(spec.name, new Uint8Array(values.buffer), at + len >= n);
    }
  }
  await writer.finish();
}

export async function ensureLlmPool(dir: string, shape = LLAMA_3B): Promise<void> {
  const stamp = join(dir, 'layout.json');
  const wanted = JSON.stringify(shape);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  const specs = llamaSpecs(shape);
  for (const [m, name] of MODELS.entries()) {
    rmSync(join(dir, name), { recursive: true, force: true });
    await writeModel(join(dir, name), specs, m);
  }
  writeFileSync(stamp, wanted);
}

const RECIPES: Record<string, string> = {
  ties: 'merge_method: ties\nparameters: {density: 0.5, normalize: true}\n',
  dare_ties: 'merge_method: dare_ties\nparameters: {density: 0.5}\nrandom_seed: 1\n',
};

/**
 * `compute`: f32 (merge_studio.compute_dtype: float32) or bf16 (mergekit's arithmetic, on
 * the CPU reference; streamed too, its trims selected over the chunks' bf16 deltas —
 * docs/merge.md "mergekit's compute dtype").
 */
export function recipe(method: string, compute: 'f32' | 'bf16' = 'f32'): string {
  const models = MODELS.slice(1)
    .map((m) => `  - model: ${m}\n    parameters: {weight: 0.5}\n`)
    .join('');
  const f32 = compute === 'f32' ? 'merge_studio: {compute_dtype: float32}\n' : '';
  return `${RECIPES[method]}base_model: base\nmodels:\n${models}dtype: bfloat16\n${f32}`;
}

export function parseShape(text: string): LlmShape {
  const [hidden, intermediate, layers, vocab] = text.split(',').map(Number);
  if (![hidden, intermediate, layers, vocab].every((x) => Number.isSafeInteger(x) && x! > 0))
    throw new Error(`--shape ${text}: want hidden,intermediate,layers,vocab (positive integers)`);
  return { hidden: hidden!, intermediate: intermediate!, layers: layers!, vocab: vocab! };
}

/** Reads every input byte once (the throughput the merge is compared with). */
async function readSeconds(dir: string): Promise<number> {
  const start = performance.now();
  const buffer = new Uint8Array(1 << 24);
  for (const m of MODELS) {
    // A small shape fits one shard: a plain model.safetensors, no index.
    const indexFile = join(dir, m, 'model.safetensors.index.json');
    const shards = existsSync(indexFile)
      ? new Set(
          Object.values(
            JSON.parse(readFileSync(indexFile, 'utf8')).weight_map as Record<string, string>,
          ),
        )
      : ['model.safetensors'];
    for (const shard of shards) {
      const h = await open(join(dir, m, shard), 'r');
      while ((await h.read(buffer, 0, buffer.length)).bytesRead > 0);
      await h.close();
    }
  }
  return (performance.now() - start) / 1000;
}

/** Peak RSS of a process tree (Linux /proc), polled while `done` is pending. */
function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
    return kb * 1024 + children.reduce((n, c) => n + rssOf(c), 0);
  } catch {
    return 0;
  }
}

async function runCase(pool: string, method: string, device: string, compute: 'f32' | 'bf16') {
  const config = join(pool, `${method}.yml`);
  writeFileSync(config, recipe(method, compute));
  const out = join(pool, `out-${method}`);
  rmSync(out, { recursive: true, force: true });
  const start = performance.now();
  const child = spawn(
    'npm',
    ['run', '--silent', 'cli', '--', 'merge', '--config', config, '--out', out, '--device', device],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 200);
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  clearInterval(poll);
  // The merged model (≈ 7 GB) is not kept: the next case needs the disk.
  rmSync(out, { recursive: true, force: true });
  return { method, device, code, seconds: (performance.now() - start) / 1000, peakRss: peak };
}

/** The command-line options of both halves of the scale bench (CLI and Chromium). */
export const LLM_BENCH_OPTIONS = {
  pool: { type: 'string' },
  device: { type: 'string', default: 'cpu' },
  cases: { type: 'string', default: 'ties,dare_ties' },
  compute: { type: 'string', default: 'f32' },
  /** hidden,intermediate,layers,vocab: a smaller Llama shape (a smoke run, not the row). */
  shape: { type: 'string' },
} as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: LLM_BENCH_OPTIONS });
  const shape = values.shape ? parseShape(values.shape) : LLAMA_3B;
  if (!values.pool) throw new Error('--pool <folder on a disk with ≈ 35 GB free> is required');
  await ensureLlmPool(values.pool, shape);
  const read = await readSeconds(values.pool);
  const largest = Math.max(...llamaSpecs(shape).map((s) => 2 * numel(s.shape)));
  const bound = 4 * largest + 256e6;
  console.log(
    `read the pool once: ${read.toFixed(1)} s; memory bound ${(bound / 1e6).toFixed(0)} MB`,
  );
  for (const method of values.cases!.split(',')) {
    const r = await runCase(values.pool, method, values.device!, values.compute as 'f32' | 'bf16');
    console.log(
      `${r.method} (${r.device}): exit ${r.code}, ${r.seconds.toFixed(1)} s = ${(r.seconds / read).toFixed(2)}× read, peak RSS ${(r.peakRss / 1e6).toFixed(0)} MB (${r.peakRss <= bound ? 'within' : 'OVER'} the bound)`,
    );
  }
}
