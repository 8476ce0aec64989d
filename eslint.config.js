import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { readFileSync } from 'node:fs';

/** src/'s layers, lowest first (src/layers.json; src/layers.spec.ts checks the same order). */
const { layers } = JSON.parse(readFileSync(new URL('./src/layers.json', import.meta.url), 'utf8'));

// The core is framework-free: it never imports React or the UI.
const frameworkFree = [
  {
    group: ['react', 'react-dom', 'react/*', 'zustand', 'recharts'],
    message: 'src/ is framework-free.',
  },
  { group: ['**/app/**'], message: 'src/ must not import the UI.' },
];

/**
 * One block per folder of src/: besides the framework-free rule, imports of the folders at or
 * above its layer are errors (a relative path climbing out to src/<folder>). Peers in one layer
 * (worker, cli) do not import each other. The public-entry rule (imports through index.ts) and
 * the cycle check are in src/layers.spec.ts, which sees the resolved graph.
 */
const layerBlocks = layers.flatMap((group, rank) =>
  group.map((folder) => {
    const forbidden = layers
      .slice(rank)
      .flat()
      .filter((f) => f !== folder);
    const patterns =
      forbidden.length === 0
        ? frameworkFree
        : [
            ...frameworkFree,
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `src/${folder} may import only lower layers (src/layers.json: ${layers.map((g) => g.join('/')).join(' → ')}).`,
            },
          ];
    return {
      files: [`src/${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  }),
);

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: frameworkFree }],
      // tfjs-backend-webgpu's AddN silently returns garbage past the device's storage-buffer
      // limit (src/tf/sum.ts); addMany groups the inputs.
      'no-restricted-properties': [
        'error',
        {
          object: 'tf',
          property: 'addN',
          message: "use addMany from src/tf (WebGPU's AddN input limit).",
        },
      ],
    },
  },
  ...layerBlocks,
  {
    // The UI reaches tfjs only through the core's worker client.
    files: ['app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*'],
              message: 'app/ never imports tfjs: go through the worker client.',
            },
          ],
        },
      ],
    },
  },
);
