/**
 * The CLIP demo in the studio's main panels, as "Load demo" gave the v1 zoo: Results shows the
 * base + heads row, the individual fine-tunes and a merge at once. The two references are the
 * rows the CLIP panel has just measured (the worker's one CLIP suite scores both panels, so
 * measuring them again would give the same numbers at twice the wait); the method form takes
 * the zoo's own swept λ (the papers' 0.3 hurts on this zoo, 0.1 helps: docs/zoo-v2.md), and its
 * merge is made and evaluated as the v1 demo's was.
 */
import { useStudio } from '../../store';
import { BASE_LABEL, INDIVIDUAL_LABEL } from '../results/actions';
import { mergeAndEvaluateDemo, methodsListed } from '../results/demoRun';
import { useClip } from './store';

const REFERENCES = [
  { method: 'base', label: BASE_LABEL },
  { method: 'individual', label: INDIVIDUAL_LABEL },
] as const;

/** The CLIP panel's reference rows, copied into Results under the main panels' labels. */
function copyReferences(): boolean {
  const { rows, tasks } = useClip.getState();
  const studio = useStudio.getState();
  let copied = 0;
  for (const { method, label } of REFERENCES) {
    const row = rows.find((r) => r.method === method && !r.estimate);
    if (!row || studio.results.some((r) => r.method === method)) continue;
    studio.addResult({ ...row, id: `clip-demo-${method}`, label }, tasks);
    copied++;
  }
  return copied === REFERENCES.length;
}

/**
 * After the CLIP demo has loaded and its panel's rows are in: the main panels' turn. True when
 * Results got its rows (false when the table holds something else, or a reference is missing).
 */
export async function showDemoInMainPanels(lambda: number): Promise<boolean> {
  const studio = useStudio.getState();
  if (!studio.mainOnClip || !studio.demoLoaded || !copyReferences()) return false;
  await methodsListed();
  const { methodName, setGlobalParam } = useStudio.getState();
  if (methodName === 'task_arithmetic') setGlobalParam('lambda', lambda);
  await mergeAndEvaluateDemo();
  return true;
}
