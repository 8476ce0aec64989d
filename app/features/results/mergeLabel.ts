/**
 * A merge's label in Results: its number, the method, and only the values that differ from
 * the method's declared defaults (mergekit's). A box ticked and unticked again is not listed.
 */
import type { MethodDefinition, Recipe } from '../../../src/worker/protocol';

const MAX_LISTED = 4;

type Value = unknown;

const differs = (value: Value, fallback: Value) =>
  value !== undefined && value !== null && value !== fallback;

const show = (value: Value) =>
  typeof value === 'number'
    ? String(Number(value.toFixed(4)))
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** "lambda=0.3", "mnist: weight=0.5": global values first, then per-model ones. */
export function changedParams(recipe: Recipe, method: MethodDefinition | undefined): string[] {
  const globalDefaults = new Map(method?.globalParams.map((p) => [p.name, p.default]));
  const modelDefaults = new Map(method?.modelParams.map((p) => [p.name, p.default]));
  const global = Object.entries(recipe.parameters ?? {})
    .filter(([name, value]) => differs(value, globalDefaults.get(name)))
    .map(([name, value]) => `${name}=${show(value)}`);
  // A per-model value shared by every model reads as one item ("density=0.2 each").
  const perModel = new Map<string, string[]>();
  for (const entry of recipe.models) {
    for (const [name, value] of Object.entries(entry.parameters ?? {})) {
      if (!differs(value, modelDefaults.get(name))) continue;
      const list = perModel.get(name) ?? [];
      list.push(`${entry.model}: ${name}=${show(value)}`);
      perModel.set(name, list);
    }
  }
  const models: string[] = [];
  for (const [name, items] of perModel) {
    const values = new Set(items.map((item) => item.slice(item.indexOf('=') + 1)));
    if (items.length === recipe.models.length && values.size === 1) {
      models.push(`${name}=${[...values][0]} each`);
    } else models.push(...items);
  }
  return [...global, ...models];
}

export function mergeLabel(
  number: number,
  recipe: Recipe,
  method: MethodDefinition | undefined,
): string {
  const changed = changedParams(recipe, method);
  const listed = changed.slice(0, MAX_LISTED);
  if (changed.length > MAX_LISTED) listed.push(`+${changed.length - MAX_LISTED} more`);
  const name = method?.prettyName ?? recipe.mergeMethod;
  return `#${number} ${name}${listed.length ? ` (${listed.join(', ')})` : ''}`;
}
