/**
 * Loading a SIMO pool into the session: the demo served from public/simo (fetched), or the
 * user's folder (manifest.json beside its safetensors), read by the core's readSimoPool and
 * checked (every fine-tune has its decoder in the config's shapes) before it replaces the
 * loaded pool, so a bad pool leaves the previous one loaded.
 */
import { checkSimoPool, readSimoPool, type LoadedSimoPool } from '../../adapt';
import { ENCODER_PREFIX, recogniseArchitecture } from '../../models';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { toLoadUnit } from '../checkpoints/inputs';
import type { SimoPoolSummary, SimoPoolSource, SimoSplit } from './protocol';
import { simoError } from './state';

/** Where the app serves public/simo (Vite's base, so a sub-path deployment works too). */
export const SIMO_URL = `${import.meta.env?.BASE_URL ?? '/'}simo/`;
const MANIFEST = 'manifest.json';

async function fetchBytes(url: string, role: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw simoError('simo-missing', `${url}: HTTP ${response.status} (${role})`);
  return new Uint8Array(await response.arrayBuffer());
}

type Reader = {
  name: string;
  text: string;
  bytesOf: (file: string, role: string) => Promise<Uint8Array>;
};

async function demoReader(): Promise<Reader> {
  const name = `${SIMO_URL}${MANIFEST}`;
  const text = new TextDecoder().decode(await fetchBytes(name, 'the SIMO pool manifest'));
  if (text.trimStart().startsWith('<'))
    throw simoError('simo-missing', `${name} is not there (run \`npm run simo:build\`)`, name);
  return { name, text, bytesOf: (file, role) => fetchBytes(`${SIMO_URL}${file}`, role) };
}

async function folderReader(input: Parameters<typeof toLoadUnit>[0]): Promise<Reader> {
  const unit = await toLoadUnit(input);
  const files = unit.kind === 'folder' ? unit.files : [unit.file];
  const byPath = new Map(files.map((f) => [f.path, f.source]));
  const name = `${unit.name}/${MANIFEST}`;
  const manifest = byPath.get(MANIFEST);
  if (!manifest)
    throw simoError(
      'not-a-simo-pool',
      `${unit.name}: no ${MANIFEST}; a SIMO pool is a folder with manifest.json beside its safetensors (npm run simo:build)`,
      unit.name,
    );
  const read = (s: { size: number; read: (b: number, e: number) => Promise<Uint8Array> }) =>
    s.read(0, s.size);
  return {
    name,
    text: new TextDecoder().decode(await read(manifest)),
    bytesOf: async (file, role) => {
      const source = byPath.get(file);
      if (!source)
        throw simoError(
          'missing-file',
          `${unit.name}: ${file} (${role}) is not in the folder`,
          file,
        );
      return read(source);
    },
  };
}

/** The registry's split of the fine-tunes' tensors: merged prefixes and task-specific ones. */
export function declaredSplit(pool: LoadedSimoPool, file: string): SimoSplit {
  const first = pool.singles.values().next().value ?? pool.base;
  const names = [...first.keys()];
  const found = recogniseArchitecture({ file, config: pool.manifest.config, tensorNames: names });
  if (!found) return { shared: [ENCODER_PREFIX], taskSpecific: [] };
  const shared = new Set<string>();
  for (const n of names) if (found.isMerged(n)) shared.add(`${n.split('.')[0]}.`);
  return { shared: [...shared], taskSpecific: [...found.unmerged] };
}

function summarise(pool: LoadedSimoPool, name: string): SimoPoolSummary {
  const m = pool.manifest;
  const first = [...pool.singles.values()][0]!;
  let parameterCount = 0;
  for (const t of first.values()) parameterCount += t.data.length;
  const split = declaredSplit(pool, m.singles[m.config.tasks[0]!.name]!);
  return {
    name,
    tasks: m.config.tasks.map((t) => ({ ...t })),
    files: [m.base, ...Object.values(m.singles), m.joint],
    architecture: m.config.model_type,
    split,
    imageSize: m.config.encoder.imageSize,
    train: m.data.train,
    test: m.data.test,
    parameterCount,
  };
}

async function readerOf(source: SimoPoolSource): Promise<Reader> {
  return source.kind === 'demo' ? demoReader() : folderReader(source.input);
}

export async function simoLoad(
  session: StudioSession,
  { source }: Methods['simoLoad']['params'],
  { emit }: HandlerContext<'simoLoad'>,
): Promise<SimoPoolSummary> {
  const reader = await readerOf(source);
  let done = 0;
  const pool = await readSimoPool(reader.text, reader.name, async (file, role) => {
    emit({
      type: 'progress',
      progress: { status: 'progress', task: `reading ${file}`, done, total: 5 },
    });
    done++;
    return reader.bytesOf(file, role);
  });
  checkSimoPool(pool);
  const { simo } = session;
  simo.pool = pool;
  simo.last = null;
  simo.summary = summarise(pool, reader.name);
  return simo.summary;
}
