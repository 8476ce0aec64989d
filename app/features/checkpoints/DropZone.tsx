import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { collectDrop } from './collectDrop';
import type { CheckpointInput } from '../../../src/worker/protocol';
import { loadCheckpoints } from './actions';

const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

export interface DropTarget {
  dragging: boolean;
  handlers: {
    onDragEnter(event: DragEvent): void;
    onDragOver(event: DragEvent): void;
    onDragLeave(): void;
    onDrop(event: DragEvent): void;
  };
}

/**
 * Drag-and-drop of files and folders onto the whole checkpoints panel (not only its dashed
 * table area): spread `handlers` on the panel, show the overlay while `dragging`. Other
 * drop targets (the CLIP page's entries) pass what to do with the dropped inputs.
 */
export function useCheckpointDrop(
  onDrop: (inputs: CheckpointInput[]) => unknown = loadCheckpoints,
): DropTarget {
  const [dragging, setDragging] = useState(false);
  // dragenter/leave fire for every child crossed; count them to know when we really left.
  const depth = useRef(0);
  return {
    dragging,
    handlers: {
      onDragEnter: (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        depth.current += 1;
        setDragging(true);
      },
      onDragOver: (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault(); // required, or the browser opens the file instead of dropping
        event.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: () => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop: (event) => {
        event.preventDefault();
        depth.current = 0;
        setDragging(false);
        // collectDrop reads every item synchronously, inside this handler, before awaiting.
        void collectDrop(event.dataTransfer).then(onDrop);
      },
    },
  };
}

/** The dashed area around the table: where the eye looks for "drop here". */
export function DropZone({ children, dragging }: { children: ReactNode; dragging: boolean }) {
  return (
    <div className={`dropzone ${dragging ? 'dropzone--active' : ''}`} data-testid="drop-zone">
      {children}
    </div>
  );
}

/** Covers the whole panel while files are dragged over it. */
export function DropOverlay({ dragging }: { dragging: boolean }) {
  if (!dragging) return null;
  return (
    <div className="dropzone__overlay" aria-hidden="true">
      Drop safetensors files or model folders to load them
    </div>
  );
}
