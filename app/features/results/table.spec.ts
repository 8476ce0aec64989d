import { describe, expect, it } from 'vitest';
import type { ResultEntry } from '../../store';
import { bestPerColumn, resultRows, resultsCsv } from './table';

const tasks = [
  { name: 'mnist', title: 'MNIST' },
  { name: 'fashion', title: 'Fashion' },
];
const entry = (label: string, method: string, accuracy: Record<string, number>): ResultEntry => ({
  id: label,
  label,
  method,
  accuracy,
  finishedAt: 0,
});
const results = [
  entry('Individual fine-tunes', 'individual', { mnist: 0.99, fashion: 0.9 }),
  entry('#1 TIES, "λ"', 'ties', { mnist: 0.8, fashion: 0.95 }),
  entry('#2 partial', 'linear', { mnist: 0.5 }),
];

describe('results table', () => {
  it('averages the measured tasks and leaves the others empty', () => {
    const rows = resultRows(results, tasks);
    expect(rows[0]!.average).toBeCloseTo(0.945, 10);
    expect(rows[2]!.values).toEqual([0.5, null]);
    expect(rows[2]!.average).toBe(0.5);
  });

  it('marks the best row of each column', () => {
    expect(bestPerColumn(resultRows(results, tasks))).toEqual([0, 1, 0]);
  });

  it('writes CSV with quoted labels and 4-decimal fractions', () => {
    const csv = resultsCsv(resultRows(results, tasks), tasks).split('\n');
    expect(csv[0]).toBe('model,method,mnist,fashion,average');
    expect(csv[2]).toBe('"#1 TIES, ""λ""",ties,0.8000,0.9500,0.8750');
    expect(csv[3]).toBe('#2 partial,linear,0.5000,,0.5000');
  });
});
