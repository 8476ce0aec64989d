import { Panel } from '../../components/Panel';
import { CheckpointTable } from './CheckpointTable';
import { CompatibilitySummary } from './CompatibilitySummary';
import { DropOverlay, DropZone, useCheckpointDrop } from './DropZone';
import { LoadControls } from './LoadControls';
import { LoadDemoButton } from './LoadDemoButton';
import { TaskFilterField } from './TaskFilterField';
import { useCompatibilityCheck } from './useCompatibilityCheck';

export function CheckpointsPanel() {
  useCompatibilityCheck();
  const drop = useCheckpointDrop();
  return (
    <Panel
      {...drop.handlers}
      data-testid="checkpoints-panel"
      title="Checkpoints"
      subtitle="A base model and its fine-tunes, as safetensors files or Hugging Face folders."
      className="area-checkpoints panel--drop"
      actions={
        <>
          <LoadControls />
          <LoadDemoButton />
        </>
      }
    >
      <DropZone dragging={drop.dragging}>
        <CheckpointTable />
      </DropZone>
      <div className="checkpoints__footer">
        <TaskFilterField />
        <CompatibilitySummary />
      </div>
      <DropOverlay dragging={drop.dragging} />
    </Panel>
  );
}
