import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { rgbToRgba, taskToRgba } from '../../../src/eval/dense/pictures';
import type { SimoPictures as Pictures } from '../../../src/worker/simo/protocol';
import { NO_TASKS, useSimo } from './store';

/** One dense map drawn pixel for pixel (CSS scales it up, pixelated). */
function MapCanvas(props: {
  rgba: Uint8ClampedArray;
  size: number;
  label: string;
  data: Record<string, string>;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(props.size, props.size);
    image.data.set(props.rgba);
    context.putImageData(image, 0, 0);
  }, [props.rgba, props.size]);
  return (
    <canvas
      ref={ref}
      className="simo-canvas"
      width={props.size}
      height={props.size}
      role="img"
      aria-label={props.label}
      {...props.data}
    />
  );
}

function slice<T extends { subarray(a: number, b: number): T }>(all: T, k: number, per: number) {
  return all.subarray(k * per, (k + 1) * per);
}

/** Image k of the pictures: input, then per task its truth and each model's prediction. */
function ImageGrid({ pictures, k }: { pictures: Pictures; k: number }) {
  const tasks = useSimo((s) => s.pool?.summary?.tasks ?? NO_TASKS);
  const px = pictures.size * pictures.size;
  const image = pictures.images[k]!;
  const depthTruth = slice(pictures.truth.depth, k, px);
  const truthOf = (kind: string) =>
    kind === 'segmentation'
      ? slice(pictures.truth.label, k, px)
      : kind === 'depth'
        ? depthTruth
        : slice(pictures.truth.normal, k, 3 * px);
  const columns = ['ground truth', ...pictures.models.map((m) => m.name)];
  const attrs = (model: string, task: string) => ({
    'data-image': String(image),
    'data-model': model,
    'data-task': task,
  });
  return (
    <figure className="simo-picture" data-testid="simo-picture" data-image={image}>
      <figcaption>Test scene {image}</figcaption>
      <div
        className="simo-picture__grid"
        style={{ gridTemplateColumns: `auto repeat(${columns.length + 1}, auto)` }}
      >
        <span />
        <span className="simo-picture__head">input</span>
        {columns.map((c) => (
          <span key={c} className="simo-picture__head">
            {c}
          </span>
        ))}
        {tasks.map((t, row) => {
          const per = t.kind === 'normals' ? 3 * px : px;
          return [
            <span key={`${t.name}-label`} className="simo-picture__head">
              {t.name}
            </span>,
            row === 0 ? (
              <MapCanvas
                key={`${t.name}-input`}
                rgba={rgbToRgba(slice(pictures.rgb, k, 3 * px))}
                size={pictures.size}
                label={`test scene ${image}: input`}
                data={attrs('input', 'rgb')}
              />
            ) : (
              <span key={`${t.name}-input`} />
            ),
            <MapCanvas
              key={`${t.name}-truth`}
              rgba={taskToRgba(t.kind, truthOf(t.kind), depthTruth)}
              size={pictures.size}
              label={`test scene ${image}: ${t.name} ground truth`}
              data={attrs('ground truth', t.name)}
            />,
            ...pictures.models.map((m) => (
              <MapCanvas
                key={`${t.name}-${m.name}`}
                rgba={taskToRgba(t.kind, slice(m.tasks[t.name]!, k, per), depthTruth)}
                size={pictures.size}
                label={`test scene ${image}: ${t.name} by ${m.name}`}
                data={attrs(m.name, t.name)}
              />
            )),
          ];
        })}
      </div>
    </figure>
  );
}

/** The fixed test scenes side by side: input, ground truth, single-task, merged, re-aligned. */
export function SimoPictures() {
  const { pictures } = useSimo(useShallow((s) => ({ pictures: s.pictures })));
  if (!pictures) return null;
  return (
    <div className="simo-pictures" data-testid="simo-pictures">
      <p className="simo-note">
        Segmentation: one colour per class; depth: near bright, far dark (each scene on its ground
        truth&apos;s range); normals: (n + 1) / 2 as RGB.
      </p>
      {pictures.images.map((_, k) => (
        <ImageGrid key={k} pictures={pictures} k={k} />
      ))}
    </div>
  );
}
