/**
 * How the SIMO table shows metrics, shared by the CLI's table and the studio's: the columns
 * (task × metric, in this order) and each cell's digits (mIoU and pixel accuracy in %).
 * Import-free apart from a type, so the page can use it without the core.
 */
import type { DenseMetricName } from './metrics';

export const DENSE_METRIC_COLUMNS: readonly (readonly [string, DenseMetricName])[] = [
  ['mIoU', 'mIoU'],
  ['pixAcc', 'pixelAcc'],
  ['absRel', 'absRel'],
  ['rmse', 'rmse'],
  ['angle°', 'meanAngle'],
];

export function formatDenseMetric(v: number | undefined, name: DenseMetricName): string {
  if (v === undefined) return '-';
  if (name === 'mIoU' || name === 'pixelAcc') return (100 * v).toFixed(1);
  return v.toFixed(name === 'meanAngle' ? 1 : 3);
}
