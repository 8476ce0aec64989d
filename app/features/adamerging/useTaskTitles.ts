import { useStudio } from '../../store';

const NONE: string[] = [];

/** Task titles in the zoo's order (the order of every per-task array AdaMerging streams). */
export function useTaskTitles(): string[] {
  return useStudio((s) => (s.demo?.available ? s.demo.tasks : NONE));
}

/** Okabe–Ito colours: distinguishable with colour-vision deficiencies. */
export const TASK_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
export const colourOf = (i: number) => TASK_COLOURS[i % TASK_COLOURS.length]!;
