import type { MethodDefinition } from '../../../src/worker/protocol';
import { useStudio } from '../../store';

/** Says when the loaded checkpoints do not fit the method (e.g. SLERP takes exactly two). */
export function ModelCountNote({ method }: { method: MethodDefinition }) {
  const ready = useStudio((s) => s.checkpoints.filter((c) => c.status === 'ready').length);
  const hasBase = useStudio((s) => s.baseId !== null);
  const others = method.needsBase ? Math.max(0, ready - (hasBase ? 1 : 0)) : ready;
  const max = method.maxModels;
  let problem: string | null = null;
  if (method.needsBase && !hasBase) problem = `${method.prettyName} needs a base model.`;
  else if (others < method.minModels) {
    problem = `${method.prettyName} needs at least ${method.minModels} model${method.minModels === 1 ? '' : 's'} besides the base.`;
  } else if (max !== undefined && others > max) {
    problem = `${method.prettyName} takes at most ${max} model${max === 1 ? '' : 's'} besides the base; ${others} are loaded.`;
  }
  if (!problem) return null;
  return (
    <p className="note note--warn" role="status">
      {problem}
    </p>
  );
}
