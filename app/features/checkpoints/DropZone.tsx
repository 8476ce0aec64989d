import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { collectDrop } from './collectDrop';
import { loadCheckpoints } from './actions';

const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

/**
 * The checkpoints panel body doubles as a drop target for files and folders. An overlay
 * says what will happen while something is dragged over it.
 */
export function DropZone({ children }: { children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  // dragenter/leave fire for every child crossed; count them to know when we really left.
  const depth = useRef(0);

  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth.current += 1;
    setDragging(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // required, or the browser opens the file instead of dropping
    event.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = () => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    depth.current = 0;
    setDragging(false);
    // collectDrop reads every item synchronously, inside this handler, before awaiting.
    void collectDrop(event.dataTransfer).then(loadCheckpoints);
  };

  return (
    <div
      className={`dropzone ${dragging ? 'dropzone--active' : ''}`}
      data-testid="drop-zone"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {children}
      {dragging && (
        <div className="dropzone__overlay" aria-hidden="true">
          Drop safetensors files or model folders to load them
        </div>
      )}
    </div>
  );
}
