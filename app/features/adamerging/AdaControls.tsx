import type { AdaMergingResult } from '../../../src/worker/protocol';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { JobProgress } from '../../components/JobProgress';
import type { JobView } from '../../lib/job';
import { cancelAdaMerging, setAdaPaused, startAdaMerging } from './actions';

const STATUS = {
  idle: '',
  running: 'Running.',
  paused: 'Paused.',
  done: 'Done: the merged model is in Results.',
  failed: 'Failed:',
  cancelled: 'Cancelled.',
} as const;

/** Where λ was learned: the fused WebGPU step, or tfjs autodiff on its backend. */
function learnedOn(result: AdaMergingResult): string {
  const where =
    result.engine === 'fused-webgpu' ? 'WebGPU (fused kernels)' : `tfjs ${result.backend}`;
  return `Learned on ${where} in ${result.seconds.toFixed(1)} s.`;
}

/** The job as it stands: learning (steps), paused, or the final evaluation (images). */
function useAdaJob(): JobView | null {
  const status = useStudio((s) => s.adaStatus);
  const options = useStudio((s) => s.adaOptions);
  const step = useStudio((s) => s.adaSteps[s.adaSteps.length - 1]?.step ?? 0);
  const startedAt = useStudio((s) => s.adaStartedAt);
  const pausedAt = useStudio((s) => s.adaPausedAt);
  const final = useStudio((s) => s.adaFinal);
  if (status !== 'running' && status !== 'paused') return null;
  if (final) {
    return { phase: 'Evaluating the learned merge on the test sets', unit: 'images', ...final };
  }
  const mode = `${options.mode}-wise${options.plus ? '++' : ''}`;
  const subset = options.evalLimit ? ` on ${options.evalLimit} images/task` : '';
  const evals = options.evalEvery
    ? `evaluating every ${options.evalEvery} steps${subset}; the full test sets at the end`
    : 'no evaluation until the end';
  const phase = status === 'paused' ? `Paused (${mode})` : `Learning λ (${mode}, ${evals})`;
  const job: JobView = { phase, unit: 'steps', done: step, total: options.steps ?? 0, startedAt };
  // Paused: the rate stays what it was when the pause began (paused time is not learning time).
  const learnedFor = pausedAt !== null ? (pausedAt - startedAt) / 1000 : 0;
  return learnedFor > 0 && step > 0 ? { ...job, rate: step / learnedFor } : job;
}

export function AdaControls() {
  const status = useStudio((s) => s.adaStatus);
  const error = useStudio((s) => s.adaError);
  const demoLoaded = useStudio((s) => s.demoLoaded);
  const onClip = useStudio((s) => s.mainOnClip);
  const last = useStudio((s) => s.adaSteps[s.adaSteps.length - 1]);
  const first = useStudio((s) => s.adaSteps[0]);
  const result = useStudio((s) => s.adaResult);
  const active = status === 'running' || status === 'paused';
  const job = useAdaJob();
  const total = useStudio((s) => s.adaOptions.steps);
  return (
    <>
      <div className="run__controls">
        <Button
          variant="primary"
          disabled={active || !demoLoaded}
          onClick={() => void startAdaMerging()}
        >
          Run AdaMerging
        </Button>
        <Button disabled={!active} onClick={() => void setAdaPaused(status === 'running')}>
          {status === 'paused' ? 'Resume' : 'Pause'}
        </Button>
        <Button
          variant="danger"
          disabled={!active}
          aria-label="Cancel AdaMerging"
          onClick={cancelAdaMerging}
        >
          Cancel
        </Button>
        <p
          className="run__blocker"
          role="status"
          aria-live="polite"
          data-testid="ada-status"
          data-engine={result?.engine}
        >
          {!demoLoaded
            ? 'AdaMerging learns on test sets: Load demo, or CLIP checkpoints with their data.'
            : onClip && status === 'idle'
              ? 'On the CLIP tasks (plain or ++, exported through the merge engine).'
              : STATUS[status]}
          {error ? ` ${error}` : ''}
          {last && first
            ? ` Step ${last.step} of ${status === 'done' ? (result?.stepsRun ?? total) : total}; entropy ${first.total.toFixed(3)} → ${last.total.toFixed(3)}.`
            : ''}
          {status === 'done' && result ? ` ${learnedOn(result)}` : ''}
        </p>
      </div>
      {job && <JobProgress name="AdaMerging" job={job} testId="ada-progress" />}
    </>
  );
}
