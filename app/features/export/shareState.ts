/**
 * The method settings as a shareable URL fragment (#s=…): method, global and per-model values
 * (per model by checkpoint name, since ids are per session), seed and task filter. Nothing
 * about the files themselves: they never leave the machine.
 */
import type { ParamValue } from '../../store';

export interface SharedSettings {
  method: string;
  global: Record<string, ParamValue>;
  /** Checkpoint name → parameter → value. */
  models: Record<string, Record<string, ParamValue>>;
  seed: number;
  taskFilter: string;
  base?: string;
}

const KEY = 's';

const isValue = (v: unknown): v is ParamValue =>
  typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string';

function valuesOf(raw: unknown): Record<string, ParamValue> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const entries = Object.entries(raw);
  return entries.every(([, v]) => isValue(v)) ? Object.fromEntries(entries) : null;
}

export function encodeShared(settings: SharedSettings): string {
  const json = JSON.stringify(settings);
  const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(json)));
  return `${KEY}=${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Reads a fragment ("#s=…" or "s=…"); null for anything malformed (a link is untrusted input). */
export function decodeShared(fragment: string): SharedSettings | null {
  const param = new URLSearchParams(fragment.replace(/^#/, '')).get(KEY);
  if (!param) return null;
  try {
    const base64 = param.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const global = valuesOf(raw.global);
    const modelsRaw = raw.models as Record<string, unknown> | undefined;
    if (typeof raw.method !== 'string' || !global || typeof modelsRaw !== 'object') return null;
    const models: SharedSettings['models'] = {};
    for (const [name, values] of Object.entries(modelsRaw ?? {})) {
      const parsed = valuesOf(values);
      if (!parsed) return null;
      models[name] = parsed;
    }
    if (!Number.isInteger(raw.seed) || typeof raw.taskFilter !== 'string') return null;
    const shared: SharedSettings = {
      method: raw.method,
      global,
      models,
      seed: raw.seed as number,
      taskFilter: raw.taskFilter,
    };
    if (typeof raw.base === 'string') shared.base = raw.base;
    return shared;
  } catch {
    return null;
  }
}
