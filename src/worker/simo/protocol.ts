/**
 * The protocol entries of the "Dense multi-task (SIMO)" panel: load a SIMO pool (the served
 * demo or the user's folder), run the ΔMTL table with the fixes (progress + loss events,
 * pause, cancel), the pictures' raw maps for a few test images, the task-relationship matrix,
 * and the export of the re-aligned model. Merged into the worker's `Methods`.
 */
import type { Progress } from '../../core';
import type { SimoFix } from '../../adapt';
import type { TaskMetrics } from '../../eval';
import type { DenseTaskKind } from '../../models';
import type { CheckpointInput, ComputeDevice } from '../protocol';

export type SimoPoolSource = { kind: 'demo' } | { kind: 'files'; input: CheckpointInput };

/** Which tensor names are merged (shared) and which stay per task: prefixes. */
export interface SimoSplit {
  shared: string[];
  taskSpecific: string[];
}

export interface SimoPoolSummary {
  /** The manifest as named in errors (URL or folder/manifest.json). */
  name: string;
  tasks: { name: string; kind: DenseTaskKind; classes?: number }[];
  files: string[];
  /** The architecture registry's id for the fine-tunes, and its declared split. */
  architecture: string;
  split: SimoSplit;
  imageSize: number;
  train: number;
  test: number;
  /** Parameters of one fine-tune (encoder + its decoder). */
  parameterCount: number;
}

export interface SimoRunOptions {
  method: 'task_arithmetic' | 'ties';
  lambda: number;
  /** TIES only. */
  density?: number;
  fix: SimoFix;
  valFraction: number;
  /** Steps per fix (each decoder's head re-alignment; the joint representation run). */
  steps: number;
  rank?: number;
  peakLr?: number;
  /** The first N test scenes (default: all the manifest's). */
  testLimit?: number;
  split: SimoSplit;
}

export interface SimoTableRow {
  name: string;
  metrics: TaskMetrics;
  delta: number;
  perTask: Record<string, number>;
  seconds?: number;
}

export interface SimoRunResult {
  rows: SimoTableRow[];
  mergeLabel: string;
  valImages: number;
  device: ComputeDevice;
  seconds: number;
}

/** Raw dense maps of the chosen test images (image-major, flattened), for the pictures. */
export interface SimoPictures {
  size: number;
  images: number[];
  rgb: Uint8Array;
  truth: { label: Uint8Array; depth: Float32Array; normal: Float32Array };
  /** Model (table row name) → task → its predictions (class indices, depths, normals). */
  models: { name: string; tasks: Record<string, Float32Array | Int32Array> }[];
}

export type SimoRunEvent =
  | { type: 'progress'; progress: Progress }
  | { type: 'loss'; task: string; step: number; loss: number };

export interface SimoMethods {
  simoLoad: {
    params: { source: SimoPoolSource };
    result: SimoPoolSummary;
    events: { type: 'progress'; progress: Progress };
  };
  /** The table; the last good run's models stay until a run succeeds (a cancel keeps them). */
  simoRun: {
    params: { options: SimoRunOptions };
    result: SimoRunResult;
    events: SimoRunEvent;
  };
  simoPause: {
    params: { paused: boolean };
    result: { paused: boolean };
    events: never;
  };
  /** Single-task, merged and re-aligned predictions of test images `images` (indices). */
  simoPictures: {
    params: { images: number[] };
    result: SimoPictures;
    events: never;
  };
  /** ΔMTL of every pairwise merge with the last run's merge (or `options`'). */
  simoRelations: {
    params: { options?: SimoRunOptions };
    result: { tasks: string[]; matrix: number[][] };
    events: { type: 'progress'; progress: Progress };
  };
  /** The last run's most re-aligned model as safetensors (adapters as extra tensors). */
  simoExport: {
    params: Record<string, never>;
    result: { fileName: string; bytes: Uint8Array; recipeYaml: string; row: string };
    events: never;
  };
}
