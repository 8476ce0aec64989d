import { studio } from '../../services/studio';
import { useStudio } from '../../store';

/** Fetches the method declarations from the worker once; the form is generated from them. */
export async function loadMethods(): Promise<void> {
  const methods = await studio().call('listMethods', {});
  useStudio.getState().setMethods(methods);
}
