/**
 * PCB over the whole model (`pcb_scope: model`, the official PCB_merge on the flattened
 * model): the per-task quantiles of |τ| and of the balancing score over every merged element,
 * found exactly while streaming — each stage reads the model twice (StreamRanks), and the
 * score's stage needs the |τ| bounds of the first: four reads before the merge.
 */
import type { PcbTaskStats, TensorMethodJob } from '../backend';
import { pcbRanks, pcbScores, pcbSettings, tauSum } from './pcb';
import { methodInputs } from './tensor-methods';

const BIN_BITS = 20;
const BINS = 1 << BIN_BITS;

const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
/** Top BIN_BITS bits of an order-preserving u32 key of a float64's high word. */
function binOf(v: number): number {
  word[0] = v;
  const hi = words[1]!;
  const key = hi & 0x80000000 ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
  return key >>> (32 - BIN_BITS);
}

/**
 * Exact order statistics (0-based ascending ranks) of values streamed twice: pass 1 counts the
 * values per bin of their top key bits, pass 2 keeps the values of the bins the ranks fall in
 * (value → count, so repeated values such as zeros cost one entry).
 */
export class StreamRanks {
  private hist: Float64Array | undefined = new Float64Array(BINS);
  private readonly targets: { bin: number; remaining: number }[] = [];
  private readonly kept = new Map<number, Map<number, number>>();

  constructor(private readonly ranks: number[]) {}

  add(values: ArrayLike<number>): void {
    if (this.hist) {
      const hist = this.hist;
      for (let i = 0; i < values.length; i++) hist[binOf(values[i]!)]!++;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const bin = this.kept.get(binOf(values[i]!));
      if (bin) bin.set(values[i]!, (bin.get(values[i]!) ?? 0) + 1);
    }
  }

  /** Ends pass 1: the bin of every rank. */
  closeCounting(): void {
    const hist = this.hist!;
    for (const rank of this.ranks) {
      let before = 0;
      let bin = 0;
      while (bin < BINS - 1 && before + hist[bin]! <= rank) before += hist[bin++]!;
      this.targets.push({ bin, remaining: rank - before });
      if (!this.kept.has(bin)) this.kept.set(bin, new Map());
    }
    this.hist = undefined;
  }

  /** After pass 2: the value at every rank. */
  values(): number[] {
    return this.targets.map(({ bin, remaining }) => {
      const entries = [...this.kept.get(bin)!].sort((a, b) => a[0] - b[0]);
      for (const [value, count] of entries) {
        if (remaining < count) return value;
        remaining -= count;
      }
      throw new Error('pcb_scope: model: the second read differs from the first');
    });
  }
}

/** The merged tensors' PCB jobs of one read of the model, with their inputs. */
export type JobReader = () => AsyncIterable<TensorMethodJob>;

/**
 * Every task's whole-model PcbTaskStats. All jobs must share pcb_ratio and clamp_ratio (the
 * official code has one of each); `d` is the merged element count.
 */
export async function pcbModelStats(read: JobReader, d: number): Promise<PcbTaskStats[]> {
  let settings: ReturnType<typeof pcbSettings> | undefined;
  const check = (job: TensorMethodJob) => {
    const s = pcbSettings(job.global);
    settings ??= s;
    if (s.q !== settings.q || s.ratio !== settings.ratio)
      throw new Error(
        `${job.tensorName}: pcb_scope: model takes one pcb_ratio and clamp_ratio for the whole model (this tensor has ${s.ratio} / ${s.q}, an earlier one ${settings.ratio} / ${settings.q})`,
      );
  };
  // Stage 1: |τ| bounds.
  let ranks: StreamRanks[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for await (const job of read()) {
      check(job);
      const { taus } = methodInputs(job);
      if (ranks.length === 0) {
        const [lo, hi] = pcbRanks(d, settings!.q, settings!.ratio);
        ranks = taus.map(() => new StreamRanks([lo, hi]));
      }
      taus.forEach((tau, t) => ranks[t]!.add(Float64Array.from(tau, Math.abs)));
    }
    if (pass === 0) for (const r of ranks) r.closeCounting();
  }
  const abs = ranks.map((r) => r.values());
  // Stage 2: score bounds, the score taken with the whole model's |τ| bounds.
  const [, , sLo, sHi] = pcbRanks(d, settings!.q, settings!.ratio);
  ranks = abs.map(() => new StreamRanks([sLo, sHi]));
  for (let pass = 0; pass < 2; pass++) {
    for await (const job of read()) {
      const { taus } = methodInputs(job);
      const total = tauSum(taus);
      taus.forEach((_, t) => ranks[t]!.add(pcbScores(taus, total, t, abs[t]![0]!, abs[t]![1]!)));
    }
    if (pass === 0) for (const r of ranks) r.closeCounting();
  }
  return ranks.map((r, t) => {
    const [scoreLo, scoreHi] = r.values();
    return { absLo: abs[t]![0]!, absHi: abs[t]![1]!, scoreLo: scoreLo!, scoreHi: scoreHi! };
  });
}
