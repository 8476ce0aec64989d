import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store';
import { useClip } from '../clip/store';

const NONE: string[] = [];

/**
 * Task titles in the order of every per-task array AdaMerging streams: the zoo's, or the CLIP
 * panel's tasks (in fine-tune order) when the main panels act on its checkpoints.
 */
export function useTaskTitles(): string[] {
  const onClip = useStudio((s) => s.mainOnClip);
  const zoo = useStudio((s) => (s.demo?.available ? s.demo.tasks : NONE));
  const clip = useClip(useShallow((s) => s.tasks.map((t) => t.title)));
  return onClip ? clip : zoo;
}
