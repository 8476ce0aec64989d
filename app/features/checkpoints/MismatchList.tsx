import type { CompatibilityIssue } from '../../../src/worker/protocol';
import { Badge } from '../../components/Badge';

const KIND_TEXT = { missing: 'missing', shape: 'shape', dtype: 'dtype' } as const;

/** Every finding as the sentence io wrote (checkpoint, tensor, both shapes), errors first. */
export function MismatchList({
  issues,
  omitted,
}: {
  issues: CompatibilityIssue[];
  omitted: number;
}) {
  return (
    <ul className="mismatches" aria-label="Mismatched tensors">
      {issues.map((issue) => (
        <li
          key={`${issue.checkpointId}:${issue.tensor}:${issue.kind}`}
          className="mismatches__item"
        >
          <Badge tone={issue.severity === 'error' ? 'bad' : 'neutral'}>
            {KIND_TEXT[issue.kind]}
          </Badge>
          <span className="mono">{issue.message}</span>
        </li>
      ))}
      {omitted > 0 && <li className="muted">…and {omitted} more</li>}
    </ul>
  );
}
