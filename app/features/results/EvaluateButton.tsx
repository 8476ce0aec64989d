import { useState } from 'react';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { evaluateLastMerge } from './actions';

/** Scores the last merge on the demo test sets (needs the demo loaded and a merge in memory). */
export function EvaluateButton() {
  const demoLoaded = useStudio((s) => s.demoLoaded);
  const merged = useStudio((s) => s.lastMerge?.downloadUrl != null);
  const evaluating = useStudio((s) => s.evaluating);
  const [error, setError] = useState<string | null>(null);
  const reason = !demoLoaded
    ? 'Accuracy is measured on the demo zoo: Load demo, merge, then evaluate.'
    : !merged
      ? 'Merge first (Merge, not Merge to file).'
      : null;
  return (
    <div className="evaluate">
      <Button
        variant="primary"
        disabled={reason !== null || evaluating !== null}
        onClick={() => void evaluateLastMerge().then(setError)}
      >
        Evaluate last merge
      </Button>
      <p className="muted evaluate__status" role="status" aria-live="polite">
        {evaluating ? `Evaluating ${evaluating}…` : (error ?? reason ?? '')}
      </p>
    </div>
  );
}
