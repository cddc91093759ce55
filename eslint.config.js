// Layering (VS Code style): the pure layers (src/api, src/core) may not reach effects.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const effectful = [
  { group: ['node:*'], message: 'pure layer: no node:* imports (pass data in, keep effects in runtime/agent).' },
  { group: ['**/runtime/**', '**/agent/**', '**/store/**', '**/server/**', '**/cli/**', '**/bin/**'],
    message: 'pure layer: may not import effectful layers.' },
];
const effectfulNames = ['fs', 'child_process', 'net', 'os', 'path', 'process', 'http', 'https', 'crypto', 'timers', 'tar']
  .map((name) => ({ name, message: 'pure layer: no effectful modules.' }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/api/**/*.ts', 'src/server/wire/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: effectfulNames, patterns: effectful }],
      'no-restricted-globals': ['error',
        { name: 'Date', message: 'pure layer: `now` is passed in.' },
        { name: 'setTimeout', message: 'pure layer: no timers.' },
        { name: 'setInterval', message: 'pure layer: no timers.' },
        { name: 'process', message: 'pure layer: no process access.' },
        { name: 'fetch', message: 'pure layer: no I/O.' }],
    },
  },
);
