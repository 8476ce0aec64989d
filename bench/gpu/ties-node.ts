/** `npx tsx bench/gpu/ties-node.ts` — the TIES timing of docs/gpu.md on Node's WebGPU. */
import { nodeGpu } from '../../src/gpu/node-gpu';
import { benchTies } from './ties-bench';

const ctx = await nodeGpu();
if (!ctx) {
  console.error('No WebGPU adapter in Node');
  process.exit(1);
}
console.log(JSON.stringify(await benchTies(ctx), null, 2));
process.exit(0);
