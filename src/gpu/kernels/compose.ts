import { WGSL, type ShaderName } from './shaders.generated';

/**
 * WGSL has no #include: a kernel's source is its shared snippets followed by its own file.
 * The composed text is cached per name, so the pipeline cache key (the name) identifies it.
 */
const composed = new Map<string, string>();

export function shaderSource(name: string, parts: ShaderName[]): string {
  let code = composed.get(name);
  if (code === undefined) {
    code = parts.map((p) => WGSL[p]).join('\n');
    composed.set(name, code);
  }
  return code;
}
