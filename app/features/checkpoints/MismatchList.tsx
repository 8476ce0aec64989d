import type { CompatibilityIssue } from '../../../src/worker/protocol';

const KIND_TEXT = {
  missing: 'missing here',
  extra: 'not in the base',
  shape: 'shape differs',
  dtype: 'dtype differs',
} as const;

export function MismatchList({
  issues,
  omitted,
}: {
  issues: CompatibilityIssue[];
  omitted: number;
}) {
  return (
    <table className="table table--compact" aria-label="Mismatched tensors">
      <thead>
        <tr>
          <th scope="col">Checkpoint</th>
          <th scope="col">Tensor</th>
          <th scope="col">Problem</th>
          <th scope="col">Base</th>
          <th scope="col">This one</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((issue) => (
          <tr key={`${issue.checkpointId}:${issue.tensor}:${issue.kind}`}>
            <td>{issue.checkpointName}</td>
            <td className="mono">{issue.tensor}</td>
            <td>{KIND_TEXT[issue.kind]}</td>
            <td className="mono">{issue.expected ?? '—'}</td>
            <td className="mono">{issue.actual ?? '—'}</td>
          </tr>
        ))}
        {omitted > 0 && (
          <tr>
            <td colSpan={5} className="muted">
              …and {omitted} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
