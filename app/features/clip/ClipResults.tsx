import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { JobProgress } from '../../components/JobProgress';
import { Slider } from '../../components/Slider';
import { ResultsTable } from '../results/ResultsTable';
import { cancelJob, estimate, evaluateAll } from './actions';
import type { ClipMergeMethod, ClipMergeSettings } from './recipe';
import { useClip } from './store';

/** Images per task of the live estimate: a quick look while the slider moves. */
const LIVE_IMAGES = 32;

const SLIDERS = ['lambda', 'density'] as const;
const SLIDER = {
  lambda: { label: 'λ', accessibleName: 'CLIP merge λ', min: 0, max: 1.5 },
  density: { label: 'Density', accessibleName: 'CLIP TIES density', min: 0.05, max: 1 },
};

/** What the rows compare, in one sentence under the table. */
export const EXPLANATION =
  'Zero-shot is the CLIP base with heads made from the class names, individual is each ' +
  'fine-tune on its own task, and a merged row is one model for all tasks: merging helps ' +
  'when it beats zero-shot, and the individual fine-tunes are what it aims at.';

/** Merge settings, Evaluate (all rows), the live λ estimate and the accuracy table. */
export function ClipResults({ ready }: { ready: boolean }) {
  const [settings, setSettings] = useState<ClipMergeSettings>({
    method: 'task_arithmetic',
    lambda: 0.3,
    density: 0.2,
  });
  const [liveOn, setLiveOn] = useState(false);
  const { rows, tasks, job, jobNote } = useClip(
    useShallow((s) => ({ rows: s.rows, tasks: s.tasks, job: s.job, jobNote: s.jobNote })),
  );
  const smoke = useClip((s) => s.demo?.scale === 'smoke');
  // A loaded demo computed its task-arithmetic row at the zoo's λ: the field starts there, so
  // a user moving it starts from the row they see.
  // (Adjusted while rendering, React's pattern for state that follows a changed input.)
  const demoLambda = useClip((s) => s.demo?.lambda);
  const [followedLambda, setFollowedLambda] = useState(demoLambda);
  if (demoLambda !== followedLambda) {
    setFollowedLambda(demoLambda);
    if (demoLambda !== undefined) setSettings((s) => ({ ...s, lambda: demoLambda }));
  }
  const first = useRef(true);
  useEffect(() => {
    if (first.current) return void (first.current = false);
    if (liveOn && ready) void estimate(settings, LIVE_IMAGES);
  }, [settings, liveOn, ready]);
  const update = (patch: Partial<ClipMergeSettings>) => setSettings((s) => ({ ...s, ...patch }));
  return (
    <div className="clip-results">
      <div className="clip-results__controls">
        <label className="field">
          Merge method
          <select
            className="input"
            value={settings.method}
            onChange={(e) => update({ method: e.target.value as ClipMergeMethod })}
          >
            <option value="task_arithmetic">Task arithmetic</option>
            <option value="ties">TIES</option>
          </select>
        </label>
        {SLIDERS.filter((k) => k === 'lambda' || settings.method === 'ties').map((key) => (
          <Slider
            key={key}
            {...SLIDER[key]}
            value={settings[key]}
            step={0.05}
            onChange={(value) => update({ [key]: value })}
          />
        ))}
        <label className="clip-results__live">
          <input type="checkbox" checked={liveOn} onChange={(e) => setLiveOn(e.target.checked)} />
          Live estimate ({LIVE_IMAGES} images per task)
        </label>
        <Button
          variant="primary"
          disabled={!ready || job !== null}
          onClick={() => void evaluateAll(settings)}
        >
          Evaluate
        </Button>
      </div>
      {job && <JobProgress name="CLIP job" job={job} onCancel={cancelJob} testId="clip-job" />}
      {jobNote && (
        <p className="clip-note" role="status" data-testid="clip-job-note">
          {jobNote}
        </p>
      )}
      {smoke && (
        <p className="clip-note clip-note--warn" role="note" data-testid="clip-demo-smoke">
          This demo zoo was built at smoke scale (a few training steps, a handful of test images):
          it checks the plumbing, and its accuracies are not meaningful.
        </p>
      )}
      {rows.length > 0 && (
        <div data-testid="clip-results">
          <ResultsTable results={rows} tasks={tasks} />
          <p className="clip-results__explain" data-testid="clip-results-explain">
            {EXPLANATION}
          </p>
        </div>
      )}
    </div>
  );
}
