/**
 * The measured tfjs backend, remembered per adapter in localStorage (the worker has none), so
 * the start-up probe runs once per adapter and browser profile. The key names what the
 * measurement depends on: the adapter, cross-origin isolation (wasm threads) and the core count.
 */
import type { CapabilityReport, TfChoice } from '../../../src/worker/protocol';

type Remembered = Pick<TfChoice, 'device' | 'probeMs'>;

const PREFIX = 'merge-studio.tf-backend.v1:';

export function memoryKey(report: CapabilityReport): string | null {
  if (!report.adapter) return null; // nothing to choose without WebGPU
  const { label, vendor, architecture, description, maxStorageBufferBindingSize } = report.adapter;
  const adapter = [label, vendor, architecture, description, maxStorageBufferBindingSize].join('|');
  return `${PREFIX}${adapter}|coi=${report.crossOriginIsolated}|cores=${report.hardwareConcurrency}`;
}

export function recall(key: string | null): Remembered | undefined {
  if (!key) return undefined;
  try {
    const raw = globalThis.localStorage?.getItem(key);
    const value = raw ? (JSON.parse(raw) as Remembered) : undefined;
    return value && typeof value.device === 'string' ? value : undefined;
  } catch {
    return undefined; // storage disabled or a damaged entry: measure again
  }
}

export function remember(key: string | null, choice: TfChoice): void {
  if (!key || choice.how !== 'measured') return;
  try {
    const value: Remembered = { device: choice.device, probeMs: choice.probeMs };
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the probe simply runs again next time
  }
}
