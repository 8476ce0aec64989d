/**
 * Validates recipe parameters against the method's declarations (generated, never per
 * method): unknown names, wrong types, out-of-range values, each error naming the model and
 * the parameter.
 */
import { previewValue } from '../../io';
import type { MethodDefinition, ParamSpec } from '../methods/types';
import { getMethod } from '../registry';
import type { ParamSetting, ParamSettings, RecipeModel } from './types';

export interface ParamIssue {
  /** The model whose parameters are wrong, or null for the global `parameters`. */
  model: string | null;
  param: string;
  message: string;
}

const where = (model: string | null) => (model === null ? 'parameters' : `model "${model}"`);

function checkScalar(
  spec: ParamSpec,
  v: unknown,
  model: string | null,
  path: string,
): string | null {
  const name = `${where(model)}: parameter "${spec.name}"${path}`;
  const shown = previewValue(v);
  switch (spec.type) {
    case 'boolean':
      return typeof v === 'boolean' ? null : `${name} must be true or false, got ${shown}`;
    case 'enum':
      if (spec.name === 'rescale' && typeof v === 'boolean') return null;
      return typeof v === 'string' && spec.options?.includes(v)
        ? null
        : `${name} must be one of ${spec.options?.join(', ')}, got ${shown}`;
    case 'int':
    case 'number': {
      if (typeof v !== 'number') return `${name} must be a number, got ${shown}`;
      if (!Number.isFinite(v)) return `${name} must be a finite number, got ${shown}`;
      // The merge computes in float32: a value it cannot hold would write ±Inf/NaN weights.
      if (!Number.isFinite(Math.fround(v)))
        return `${name} = ${v} is outside the float32 range the merge computes in (|x| < 3.4e38)`;
      if (spec.type === 'int' && !Number.isInteger(v))
        return `${name} must be an integer, got ${shown}`;
      if (spec.min !== undefined && v < spec.min)
        return `${name} = ${v} is below the minimum ${spec.min}`;
      if (spec.max !== undefined && v > spec.max)
        return `${name} = ${v} is above the maximum ${spec.max}`;
      return null;
    }
  }
}

function checkSetting(
  spec: ParamSpec,
  s: ParamSetting | unknown,
  model: string | null,
  path = '',
): string[] {
  if (!Array.isArray(s)) {
    const e = checkScalar(spec, s, model, path);
    return e ? [e] : [];
  }
  const name = `${where(model)}: parameter "${spec.name}"${path}`;
  if (s.length === 0) return [`${name} is an empty list`];
  if (s.every((x) => typeof x === 'number')) {
    if (spec.type !== 'number')
      return [`${name}: a gradient list needs a number parameter (${spec.name} is ${spec.type})`];
    return s.flatMap((x, i) => {
      const e = checkScalar(spec, x, model, `${path}[${i}]`);
      return e ? [e] : [];
    });
  }
  const errors: string[] = [];
  s.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      Array.isArray(entry) ||
      !('value' in entry)
    ) {
      errors.push(
        `${name}${at}: expected a number (gradient) or a {filter, value} entry, got ${previewValue(entry)}`,
      );
      return;
    }
    const { filter, value, ...rest } = entry as { filter?: unknown; value: unknown };
    if (filter !== undefined && typeof filter !== 'string')
      errors.push(`${name}${at}.filter must be a string`);
    for (const k of Object.keys(rest))
      errors.push(`${name}${at}: unknown key "${k}" (expected filter, value)`);
    errors.push(...checkSetting(spec, value, model, `${at}.value`));
  });
  return errors;
}

export function validateParams(
  methodOrName: MethodDefinition | string,
  params: { parameters: ParamSettings; models: Pick<RecipeModel, 'model' | 'parameters'>[] },
): ParamIssue[] {
  const method = typeof methodOrName === 'string' ? getMethod(methodOrName) : methodOrName;
  const issues: ParamIssue[] = [];
  const globalSpecs = new Map(
    [...method.globalParams, ...method.modelParams].map((p) => [p.name, p]),
  );
  const modelSpecs = new Map(method.modelParams.map((p) => [p.name, p]));
  const check = (model: string | null, settings: ParamSettings, specs: Map<string, ParamSpec>) => {
    for (const [name, setting] of Object.entries(settings)) {
      const spec = specs.get(name);
      if (!spec) {
        const known = [...specs.keys()].join(', ') || 'none';
        issues.push({
          model,
          param: name,
          message: `${where(model)}: unknown parameter "${name}" for ${method.name} (known: ${known})`,
        });
        continue;
      }
      for (const message of checkSetting(spec, setting, model))
        issues.push({ model, param: name, message });
    }
  };
  check(null, params.parameters, globalSpecs);
  for (const m of params.models) check(m.model, m.parameters, modelSpecs);
  return issues;
}
