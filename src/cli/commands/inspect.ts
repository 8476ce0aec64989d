import { parseArgs } from 'node:util';
import { elementCount, type Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import { escapeTerminalText } from '../../io';
import { formatBytes, formatCount, formatTable } from '../format';
import { CliUsageError, type CliIo, type Command } from '../types';

const usage = `usage: inspect <file.safetensors | model folder | model.safetensors.index.json> [--json]
  Validates the checkpoint and prints its tensors (name, dtype, shape, parameters, bytes).
  --json   print {name, files, metadata, summary, tensors} as JSON instead of a table`;

export function summaryLine(checkpoint: Checkpoint): string {
  const s = checkpoint.summary();
  const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
  const dtypes = s.dtypes.map((d) => `${d.dtype} (${plural(d.tensors, 'tensor')})`).join(', ');
  return [
    plural(s.tensorCount, 'tensor'),
    plural(s.parameterCount, 'parameter'),
    `dtypes: ${dtypes || 'none'}`,
    formatBytes(s.byteSize),
  ].join(', ');
}

export const inspectCommand: Command = {
  summary: 'validate a safetensors file or model folder and list its tensors',
  usage,
  async run(args, io) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1)
      throw new CliUsageError('inspect takes exactly one path (see inspect --help)');
    const checkpoint = await openCheckpointPath(positionals[0]!);
    try {
      return print(checkpoint, values.json === true, io);
    } finally {
      await checkpoint.close();
    }
  },
};

/** File-derived text in a table cell or line: control characters (LF included) escaped. */
const shown = (text: string) => escapeTerminalText(text);

function print(checkpoint: Checkpoint, asJson: boolean, io: CliIo): number {
  const tensors = [...checkpoint.tensors.values()].map(({ info, file }) => ({
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    parameters: elementCount(info.shape),
    bytes: info.end - info.begin,
    file: file.name,
  }));
  if (asJson) {
    const files = checkpoint.files.map((f) => f.name);
    const json = {
      name: checkpoint.name,
      files,
      metadata: checkpoint.metadata,
      summary: checkpoint.summary(),
      tensors,
    };
    io.out(JSON.stringify(json, null, 2));
    return 0;
  }
  const shards = checkpoint.files.length;
  io.out(
    shown(`${checkpoint.name}: ${shards === 1 ? checkpoint.files[0]!.name : `${shards} shards`}`),
  );
  const metadata = Object.entries(checkpoint.metadata);
  if (metadata.length > 0) io.out(`metadata: ${metadata.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const rows = tensors.map((t) => [
    shown(t.name),
    t.dtype,
    `[${t.shape.join(', ')}]`,
    formatCount(t.parameters),
    formatCount(t.bytes),
  ]);
  for (const line of formatTable(
    ['name', 'dtype', 'shape', 'parameters', 'bytes'],
    rows,
    new Set([3, 4]),
  )) {
    io.out(line);
  }
  io.out(summaryLine(checkpoint));
  return 0;
}
