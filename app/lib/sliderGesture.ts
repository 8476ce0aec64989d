/**
 * Is a range slider being dragged right now? Live exploration re-merges when the user lets go,
 * not on every input event of a drag, so sliders report pointer down and release here.
 */
type Listener = () => void;

let held = 0;
const releaseListeners = new Set<Listener>();

export function isSliderHeld(): boolean {
  return held > 0;
}

/** Called on pointerdown on a slider; the matching release is the next window pointerup. */
export function sliderGrabbed(): void {
  held += 1;
  const release = () => {
    window.removeEventListener('pointerup', release);
    window.removeEventListener('pointercancel', release);
    held = Math.max(0, held - 1);
    // After the slider's own last change event, which may come in the same task.
    setTimeout(() => releaseListeners.forEach((listener) => listener()), 0);
  };
  window.addEventListener('pointerup', release);
  window.addEventListener('pointercancel', release);
}

export function onSliderRelease(listener: Listener): () => void {
  releaseListeners.add(listener);
  return () => releaseListeners.delete(listener);
}
