/** Messages between the Node CPU-worker backend and its worker thread. */
import type { RawTensor, TaskArithmeticJob, TensorJob, TensorResult } from '../backend';

export type WorkerRequest =
  | { id: number; op: 'merge'; job: TensorJob }
  | { id: number; op: 'signSum'; job: TaskArithmeticJob }
  | {
      id: number;
      op: 'selectorCreate';
      selector: number;
      densities: number[];
      total: number;
      candidateBytes?: number;
    }
  | {
      id: number;
      op: 'selectorAdd';
      selector: number;
      model: number;
      base: RawTensor;
      tuned: RawTensor;
    }
  | { id: number; op: 'selectorAddAll'; selector: number; base: RawTensor; models: RawTensor[] }
  | { id: number; op: 'selectorNext'; selector: number }
  | { id: number; op: 'selectorThresholds'; selector: number };

export type WorkerResponse =
  | {
      id: number;
      ok: true;
      result?: TensorResult;
      value?: number | boolean | number[];
      /** The merge went into the job's (shared) output array; result.merged is left empty. */
      inPlace?: boolean;
    }
  | { id: number; ok: false; error: string };
