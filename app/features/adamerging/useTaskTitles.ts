import { useStudio } from '../../store';

const NONE: string[] = [];

/** Task titles in the zoo's order (the order of every per-task array AdaMerging streams). */
export function useTaskTitles(): string[] {
  return useStudio((s) => (s.demo?.available ? s.demo.tasks : NONE));
}
