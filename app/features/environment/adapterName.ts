/**
 * A name for the header's adapter badge. Browsers may hide vendor and architecture (privacy,
 * compatibility adapters): then the driver's description, and failing that what the limits
 * say about it — never "Unnamed adapter".
 */
import type { AdapterDescription } from '../../../src/gpu/adapter';
import { formatBytes } from '../../lib/format';

export function adapterName(adapter: AdapterDescription): string {
  const named = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
  if (named) return named;
  if (adapter.description) return adapter.description;
  const binding = formatBytes(adapter.maxStorageBufferBindingSize);
  return `GPU (name hidden) · ${binding} per binding, ${adapter.maxStorageBuffersPerShaderStage} buffers/stage`;
}
