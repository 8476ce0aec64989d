/**
 * Builds a definition of the generalized task-arithmetic engine from its family settings, so
 * TIES, DARE, Breadcrumbs and DELLA are one call each.
 */
import type { Consensus, Sparsifier } from '../backend';
import {
  densityParam,
  disjointParam,
  electParam,
  epsilonParam,
  gammaParam,
  int8MaskParam,
  lambdaParam,
  linesAlphaParam,
  linesBetaParam,
  normalizeParam,
  rescaleParam,
  rowWiseParam,
  trimScopeParam,
  weightParam,
  zeroSignParam,
} from './params';
import type { MethodDefinition, ParamSpec } from './types';

export interface FamilyMember {
  name: string;
  prettyName: string;
  paper: string | null;
  description: string;
  consensus: Consensus;
  sparsifier: Sparsifier;
  normalize: boolean;
  rescale: boolean;
}

export function taskArithmeticFamily(m: FamilyMember): MethodDefinition {
  const globalParams: ParamSpec[] = [
    normalizeParam(m.normalize),
    lambdaParam,
    rescaleParam(m.rescale ? 'l1' : 'none'),
    int8MaskParam,
  ];
  if (m.consensus !== 'none') globalParams.push(disjointParam, zeroSignParam, electParam);
  if (m.sparsifier === 'magnitude') globalParams.push(trimScopeParam);
  if (m.sparsifier === 'magnitude_outliers') globalParams.push(rowWiseParam);
  globalParams.push(linesAlphaParam, linesBetaParam);

  const modelParams: ParamSpec[] = [weightParam];
  if (m.sparsifier !== 'none') modelParams.push(densityParam);
  if (m.sparsifier === 'magnitude_outliers') modelParams.push(gammaParam);
  if (m.sparsifier === 'della_magprune') modelParams.push(epsilonParam);

  return {
    name: m.name,
    prettyName: m.prettyName,
    paper: m.paper,
    description: m.description,
    kind: 'task_arithmetic',
    family: { consensus: m.consensus, sparsifier: m.sparsifier },
    needsBase: true,
    minModels: 1,
    globalParams,
    modelParams,
  };
}
