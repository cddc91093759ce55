import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiEndpointFor, serviceCidrFor } from './services.js';

test('serviceCidrFor: flag, else PODD_SERVICE_CIDR, else 10.87.0.0/16; never over the pod network', () => {
  assert.equal(serviceCidrFor(undefined, undefined, {}), '10.87.0.0/16');
  assert.equal(serviceCidrFor(undefined, undefined, { PODD_SERVICE_CIDR: '10.96.0.0/12' }), '10.96.0.0/12');
  assert.equal(serviceCidrFor('10.100.0.0/16', undefined, { PODD_SERVICE_CIDR: '10.96.0.0/12' }), '10.100.0.0/16');
  assert.throws(() => serviceCidrFor('10.86.0.0/16', undefined, {}), /overlaps the pod network 10\.86\.0\.0\/24/);
  assert.throws(() => serviceCidrFor(undefined, '10.87.5.0/24', {}), /overlaps the pod network 10\.87\.5\.0\/24/);
  assert.throws(() => serviceCidrFor('10.87.0.1/16', undefined, {}), /invalid --service-cidr: "10\.87\.0\.1\/16" has host bits set/);
});

test('apiEndpointFor: where pods reach the API, or nothing for a loopback bind', () => {
  assert.deepEqual(apiEndpointFor('0.0.0.0', 6443, '192.0.2.2'), { ip: '192.0.2.2', port: 6443 });
  assert.equal(apiEndpointFor('0.0.0.0', 6443, undefined), undefined);
  assert.deepEqual(apiEndpointFor('192.0.2.7', 8443, '192.0.2.2'), { ip: '192.0.2.7', port: 8443 });
  assert.equal(apiEndpointFor('127.0.0.1', 6443, '192.0.2.2'), undefined);
  assert.equal(apiEndpointFor('localhost', 6443, '192.0.2.2'), undefined);
});
