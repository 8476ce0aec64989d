export function App() {
  return (
    <main>
      <h1>Merge Studio</h1>
      <p>Model merging in a browser tab. Nothing is uploaded.</p>
    </main>
  );
}
