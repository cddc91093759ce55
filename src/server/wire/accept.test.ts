import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateDiscovery, negotiateObject, parseAccept, parseIncludeObject } from './accept.js';
import type { ObjectRendering } from './accept.js';

const KUBECTL_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const json: ObjectRendering = { table: false, version: undefined, contentType: 'application/json' };
const tableV1: ObjectRendering = { table: true, version: 'v1', contentType: 'application/json;as=Table;v=v1;g=meta.k8s.io' };

const cases: { name: string; accept: string | undefined; want: ObjectRendering | undefined }[] = [
  { name: 'kubectl get (Table)', accept: KUBECTL_TABLE, want: tableV1 },
  { name: 'v1beta1 only', accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', want: { table: true, version: 'v1beta1', contentType: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } },
  { name: 'spaces and case', accept: 'Application/JSON; as=Table; v=v1; g=meta.k8s.io , application/json', want: tableV1 },
  { name: 'plain json (-o yaml)', accept: 'application/json', want: json },
  { name: 'protobuf first (describe)', accept: 'application/vnd.kubernetes.protobuf,application/json', want: json },
  { name: 'logs', accept: 'application/json, */*', want: json },
  { name: 'no header', accept: undefined, want: json },
  { name: 'empty header', accept: '', want: json },
  { name: 'wildcard', accept: '*/*', want: json },
  { name: 'unknown Table version falls through', accept: 'application/json;as=Table;v=v2;g=meta.k8s.io,application/json', want: json },
  { name: 'Table of another group falls through', accept: 'application/json;as=Table;v=v1;g=example.com', want: undefined },
  { name: 'q orders ranges', accept: 'application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io', want: tableV1 },
  { name: 'q=0 refuses', accept: 'application/json;q=0', want: undefined },
  { name: 'only protobuf', accept: 'application/vnd.kubernetes.protobuf', want: undefined },
  { name: 'yaml only', accept: 'application/yaml', want: undefined },
];

for (const c of cases) {
  test(`negotiateObject: ${c.name}`, () => {
    assert.deepEqual(negotiateObject(c.accept), c.want);
  });
}

test('parseAccept keeps params and header order among equal q', () => {
  assert.deepEqual(parseAccept('text/plain;q=0.2, application/json;as=Table;v=v1;g=meta.k8s.io, application/json'), [
    { type: 'application', subtype: 'json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' }, q: 1 },
    { type: 'application', subtype: 'json', params: {}, q: 1 },
    { type: 'text', subtype: 'plain', params: {}, q: 0.2 },
  ]);
  assert.deepEqual(parseAccept('garbage, /json, application/'), []);
});

test('negotiateDiscovery', () => {
  const kubectl = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.deepEqual(negotiateDiscovery(kubectl),
    { aggregated: true, version: 'v2', contentType: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
  assert.deepEqual(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')?.version, 'v2beta1');
  assert.deepEqual(negotiateDiscovery('application/json, */*'), { aggregated: false, version: undefined, contentType: 'application/json' });
  assert.equal(negotiateDiscovery('application/vnd.kubernetes.protobuf'), undefined);
});

test('parseIncludeObject', () => {
  assert.equal(parseIncludeObject(null), 'Metadata');
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject('Object'), 'Object');
  assert.equal(parseIncludeObject('None'), 'None');
  assert.equal(parseIncludeObject('object'), undefined);
});
