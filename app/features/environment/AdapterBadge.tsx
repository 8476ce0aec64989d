import { useStudio } from '../../store';
import { Badge } from '../../components/Badge';
import { formatBytes } from '../../lib/format';
import { adapterName } from './adapterName';

/** Header summary of the compute path; the full adapter description is in the tooltip. */
export function AdapterBadge() {
  const capability = useStudio((s) => s.capability);
  const failed = useStudio((s) => s.capabilityError);
  if (failed) return <Badge tone="bad">Worker unavailable</Badge>;
  if (!capability) return <Badge tone="busy">Detecting GPU…</Badge>;
  const { adapter } = capability;
  if (!adapter) {
    return <Badge tone="warn">{capability.device === 'wasm' ? 'CPU · wasm' : 'CPU'}</Badge>;
  }
  const name = adapterName(adapter);
  const limit = `max storage binding ${formatBytes(adapter.maxStorageBufferBindingSize)}`;
  return (
    <span className="adapter" title={`${adapter.label}; ${limit}`} data-testid="adapter-badge">
      <Badge tone={adapter.fallback ? 'warn' : 'good'}>WebGPU</Badge>
      <span className="adapter__name">{name}</span>
      <span className="adapter__meta">
        {adapter.featureLevel === 'core' ? 'core' : 'compatibility mode'}
        {adapter.fallback ? ' · software fallback' : ' · not a fallback'}
      </span>
    </span>
  );
}
