// Issue 4 item 6: the Kubernetes documentation's init-container example works as written. The pod waits at
// Init:0/2 until `myservice` resolves, at Init:1/2 until `mydb` does, then runs; the Services come from kubectl.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { example } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
before(() => serve.start());
after(() => serve.dispose());

function status(): string {
  const row = serve.kubectl('get', 'pod', 'myapp-pod', '--no-headers').trim().split(/\s+/);
  return row[2] ?? '';
}

/** The container's log so far ('' while it has not started). */
function logs(container: string): string {
  try {
    return serve.kubectl('logs', 'myapp-pod', '-c', container);
  } catch {
    return '';
  }
}

/** One Service of examples/myapp-services.yaml, applied on its own. */
function applyService(name: string): void {
  const docs = parseAllDocuments(readFileSync(example('myapp-services.yaml'), 'utf8')).map((d) => d.toJS() as { metadata: { name: string } });
  const svc = docs.find((d) => d.metadata.name === name);
  assert.ok(svc, name);
  const file = join(serve.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(svc));
  assert.match(serve.kubectl('apply', '-f', file), new RegExp(`service/${name} created`));
}

test('myapp-pod waits at Init:0/2 for myservice, at Init:1/2 for mydb, then runs', async () => {
  assert.match(serve.kubectl('apply', '-f', example('myapp-pod.yaml')), /pod\/myapp-pod created/);
  await until('init-myservice to be waiting', () => logs('init-myservice').includes('waiting for myservice'), 30_000);
  // Several lookups have failed by now: the pod is still at its first init container.
  await until('a second failed lookup', () => logs('init-myservice').split('waiting for myservice').length > 2, 30_000);
  assert.equal(status(), 'Init:0/2');

  applyService('myservice');
  await until('Init:1/2', () => status() === 'Init:1/2', 30_000);
  await until('init-mydb to be waiting', () => logs('init-mydb').includes('waiting for mydb'), 30_000);
  assert.equal(status(), 'Init:1/2');

  applyService('mydb');
  await until('Running', () => status() === 'Running', 30_000);
  assert.match(serve.kubectl('logs', 'myapp-pod', '-c', 'myapp-container'), /The app is running!/);
  const lookup = logs('init-mydb');
  const clusterIP = serve.kubectl('get', 'svc', 'mydb', '-o', 'jsonpath={.spec.clusterIP}');
  assert.ok(lookup.includes(clusterIP), `nslookup answered mydb's ClusterIP ${clusterIP}:\n${lookup}`);
  const events = serve.kubectl('get', 'events', '--field-selector', 'involvedObject.name=myapp-pod');
  assert.match(events, /Started container init-myservice/);
  assert.match(events, /Started container myapp-container/);
  serve.kubectl('delete', '-f', example('myapp-services.yaml'));
  serve.kubectl('delete', 'pod', 'myapp-pod', '--grace-period=1', '--wait=true');
});
