/** Messages between the Node CPU-worker backend and its worker thread. */
import type { RawTensor, TaskArithmeticJob, TensorJob, TensorResult } from '../backend';
import type { HistogramPart } from '../radix-threshold';

export type WorkerRequest =
  | { id: number; op: 'merge'; job: TensorJob }
  | { id: number; op: 'signSum'; job: TaskArithmeticJob }
  | {
      id: number;
      op: 'shareCreate';
      selector: number;
      densities: number[];
      total: number;
      candidateBytes?: number;
    }
  | {
      id: number;
      op: 'shareAdd';
      selector: number;
      model: number;
      base: RawTensor;
      tuned: RawTensor;
    }
  | { id: number; op: 'shareAddAll'; selector: number; base: RawTensor; models: RawTensor[] }
  | { id: number; op: 'shareTake'; selector: number }
  | { id: number; op: 'shareSettle'; selector: number; highs: number[] }
  | { id: number; op: 'shareDecide'; selector: number; thresholds: (number | null)[] }
  | { id: number; op: 'shareDrop'; selector: number };

export type WorkerResponse =
  | {
      id: number;
      ok: true;
      result?: TensorResult;
      value?: number | boolean | number[];
      /** A share's histograms (shareTake, shareSettle; null: its band misses the bin). */
      counts?: (HistogramPart | null)[];
      /** The merge went into the job's (shared) output array; result.merged is left empty. */
      inPlace?: boolean;
    }
  | { id: number; ok: false; error: string };
