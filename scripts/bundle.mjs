// Bundles the CLI into one file: Node 20 spends ~80 ms resolving a hundred small ES modules on every start,
// and `podd run` is on the path of every pod start.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/bin/podd.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/src/bin/podd.bundle.mjs',
  external: ['better-sqlite3', 'node-pty', 'bufferutil', 'utf-8-validate'],
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __poddRequire } from 'node:module'; const require = __poddRequire(import.meta.url);" },
  logLevel: 'warning',
});
