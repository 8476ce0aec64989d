import { JobProgress } from '../../components/JobProgress';
import { cancelJob } from '../clip/actions';
import { useClip } from '../clip/store';

/**
 * While Load demo fetches and scores the CLIP demo (a job of the CLIP panel, further down the
 * page), Results says so where the visitor is looking, with its progress and Cancel.
 */
export function DemoProgress() {
  const job = useClip((s) => s.job);
  const starting = useClip((s) => s.demoStarting);
  if (!job || !starting) return null;
  return <JobProgress name="Demo" job={job} onCancel={cancelJob} testId="demo-progress" />;
}
