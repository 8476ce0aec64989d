/**
 * Browser entry for the e2e test and the studio: evaluates the committed zoo's fine-tunes on
 * WebGPU inside the page, and the same images on tfjs's cpu backend, so the two can be compared.
 */
import * as tf from '@tensorflow/tfjs';
import { browserGpu } from '../gpu/browser-gpu';
import { adapterLabel } from '../gpu';
import { initTf } from '../tf';
import { toTensors } from '../models';
import { loadZoo } from '../zoo';
import { predict } from './accuracy';

export interface InPageZooReport {
  backend: string;
  adapter: string;
  tasks: string[];
  /** Task → accuracy on WebGPU. */
  webgpu: Record<string, number>;
  /** Task → accuracy on the cpu backend (same images). */
  cpu: Record<string, number>;
  /** Task → fraction of images where both backends predict the same class. */
  agreement: Record<string, number>;
  webgpuMs: number;
}

async function predictAll(
  zoo: Awaited<ReturnType<typeof loadZoo>>,
  limit: number,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const task of zoo.manifest.tasks) {
    const params = toTensors(zoo.checkpoints.get(task.name)!);
    out.set(
      task.name,
      await predict(params, task.name, zoo.testSets.get(task.name)!, {
        limit,
        config: zoo.manifest.model.config,
      }),
    );
    for (const t of params.values()) t.dispose();
  }
  return out;
}

export async function evaluateZooInPage(url = '/zoo/', limit = 100): Promise<InPageZooReport> {
  const gpu = await browserGpu();
  if (!gpu) throw new Error('no WebGPU adapter in this page');
  const backend = await initTf('webgpu', { gpu });
  const zoo = await loadZoo(url);
  const started = performance.now();
  const onGpu = await predictAll(zoo, limit);
  const webgpuMs = performance.now() - started;
  await tf.setBackend('cpu');
  const onCpu = await predictAll(zoo, limit);
  const acc = (pred: Uint8Array, labels: Uint8Array): number =>
    pred.filter((p, i) => p === labels[i]).length / pred.length;
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const report: InPageZooReport = {
    backend,
    adapter: adapterLabel(gpu.info),
    tasks,
    webgpu: {},
    cpu: {},
    agreement: {},
    webgpuMs,
  };
  for (const t of tasks) {
    const labels = zoo.testSets.get(t)!.labels;
    const g = onGpu.get(t)!;
    const c = onCpu.get(t)!;
    report.webgpu[t] = acc(g, labels);
    report.cpu[t] = acc(c, labels);
    report.agreement[t] = g.filter((p, i) => p === c[i]).length / g.length;
  }
  return report;
}
