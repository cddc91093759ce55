import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CriLineAssembler, parseCriLogLine } from './cri-log.js';

test('parses the CRI log format conmon writes', () => {
  assert.deepEqual(parseCriLogLine('2026-11-26T22:45:31.714521761+00:00 stdout F hello from container'), {
    time: '2026-11-26T22:45:31.714521761+00:00', stream: 'stdout', partial: false, content: 'hello from container',
  });
  assert.deepEqual(parseCriLogLine('2026-11-26T22:45:31Z stderr P part'), { time: '2026-11-26T22:45:31Z', stream: 'stderr', partial: true, content: 'part' });
  assert.deepEqual(parseCriLogLine('2026-11-26T22:45:31Z stdout F '), { time: '2026-11-26T22:45:31Z', stream: 'stdout', partial: false, content: '' });
  assert.equal(parseCriLogLine('not a log line'), undefined);
  assert.equal(parseCriLogLine('2026-11-26T22:45:31Z stdin F x'), undefined);
});

test('partial records are joined per stream, and streams do not mix', () => {
  const a = new CriLineAssembler();
  const rec = (line: string) => {
    const r = parseCriLogLine(line);
    assert.ok(r);
    return a.push(r);
  };
  assert.equal(rec('t1 stdout P hel'), undefined);
  assert.deepEqual(rec('t2 stderr F oops'), { stream: 'stderr', time: 't2', text: 'oops' });
  assert.deepEqual(rec('t3 stdout F lo'), { stream: 'stdout', time: 't3', text: 'hello' });
});
