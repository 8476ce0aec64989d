import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { JobProgress } from '../../components/JobProgress';
import { cancelEvaluation, evaluateLastMerge } from './actions';

/** Scores the last merge on the test sets (needs the demo or CLIP tasks loaded, and a merge in memory). */
export function EvaluateButton() {
  const demoLoaded = useStudio((s) => s.demoLoaded);
  const merged = useStudio((s) => s.lastMerge?.downloadUrl != null);
  const live = useStudio((s) => s.evaluating);
  const job = useStudio((s) => s.evaluation);
  const note = useStudio((s) => s.evaluationNote);
  const reason = !demoLoaded
    ? 'Accuracy is measured on test sets: Load demo (or CLIP checkpoints with their data), merge, then evaluate.'
    : !merged
      ? 'Merge first (Merge, not Merge to file).'
      : null;
  return (
    <div className="evaluate">
      <div className="evaluate__row">
        <Button
          variant="primary"
          disabled={reason !== null || live !== null || job !== null}
          onClick={() => void evaluateLastMerge()}
        >
          Evaluate last merge
        </Button>
        <p className="muted evaluate__status" role="status" aria-live="polite">
          {job ? '' : live ? `Evaluating ${live}…` : (note ?? reason ?? '')}
        </p>
      </div>
      {job && (
        <JobProgress
          name="Evaluation"
          job={job}
          onCancel={cancelEvaluation}
          testId="evaluation-progress"
        />
      )}
    </div>
  );
}
