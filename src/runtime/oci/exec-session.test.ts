import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runcError } from './exec-session.js';

test('runcError takes the message of runc\'s JSON error record, else the output as it is', () => {
  const out = '{"level":"warning","msg":"something minor","time":"t"}\r\n'
    + '{"level":"error","msg":"exec failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH","time":"t"}\r\n';
  assert.equal(runcError(out), 'exec failed: unable to start container process: exec: "nope": executable file not found in $PATH');
  assert.equal(runcError('  plain failure\n'), 'plain failure');
  assert.equal(runcError(''), 'runc exec failed');
});
