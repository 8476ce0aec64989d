import { useStudio } from '../../store';
import { Field } from '../../components/Field';

/** The random seed: random sparsifiers (DARE, DELLA) give the same result for the same seed. */
export function SeedField() {
  const seed = useStudio((s) => s.seed);
  const setSeed = useStudio((s) => s.setSeed);
  return (
    <Field label="Seed" hint="Same seed, same random masks — on the GPU and the CPU alike.">
      {({ id, describedBy }) => (
        <input
          id={id}
          className="input input--narrow"
          type="number"
          min={0}
          step={1}
          value={seed}
          aria-describedby={describedBy}
          onChange={(e) => {
            const value = Number(e.target.value);
            if (Number.isInteger(value) && value >= 0) setSeed(value);
          }}
        />
      )}
    </Field>
  );
}
