import { useStudio } from '../../store';
import { Field } from '../../components/Field';

/** The name filter that marks task-specific tensors (classification heads, decoders). */
export function TaskFilterField() {
  const taskFilter = useStudio((s) => s.taskFilter);
  const setTaskFilter = useStudio((s) => s.setTaskFilter);
  return (
    <Field
      label="Task-specific tensors"
      hint="Tensors whose name contains this text are kept per task and never merged; they may differ between checkpoints."
    >
      {({ id, describedBy }) => (
        <input
          id={id}
          className="input input--mono"
          type="text"
          value={taskFilter}
          placeholder="e.g. heads."
          spellCheck={false}
          aria-describedby={describedBy}
          onChange={(e) => setTaskFilter(e.target.value)}
        />
      )}
    </Field>
  );
}
