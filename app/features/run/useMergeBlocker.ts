import { useStudio } from '../../store';

/** Why a merge cannot start right now, or null when it can (shown beside the button). */
export function useMergeBlocker(): string | null {
  return useStudio((s) => {
    const method = s.methods.find((m) => m.name === s.methodName);
    if (!method) return 'Choose a merge method.';
    const ready = s.checkpoints.filter((c) => c.status === 'ready');
    if (method.needsBase && !s.baseId) return 'Load a base model and its fine-tunes.';
    const others = method.needsBase ? ready.length - 1 : ready.length;
    if (others < method.minModels) return 'Load the checkpoints to merge.';
    if (method.maxModels !== undefined && others > method.maxModels) {
      return `${method.prettyName} takes at most ${method.maxModels} model(s) besides the base.`;
    }
    if (s.checkpoints.some((c) => c.status === 'loading')) return 'Wait for loading to finish.';
    if (s.compatibility.status === 'checking') return 'Checking compatibility…';
    if (s.compatibility.status === 'done' && !s.compatibility.report.compatible) {
      return 'The checkpoints are not compatible (see Checkpoints).';
    }
    return null;
  });
}
