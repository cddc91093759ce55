import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFieldError } from './field-errors.js';
import { defaultEndpointSlice, defaultEndpoints, defaultService } from './service-defaults.js';
import type { EndpointSlice, Endpoints, Service } from './service-types.js';
import { validateEndpointSlice, validateEndpoints } from './validate-endpoints.js';
import { isDNS1035Label, validateService, validateServiceUpdate } from './validate-service.js';

/** A Service as it reaches validation: defaulted and allocated. */
function svc(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Service {
  return defaultService({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', ...meta },
    spec: {
      selector: { app: 'web' }, ports: [{ port: 80 }], clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'],
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ...spec,
    },
  } as Service);
}

const errs = (s: Service): string[] => validateService(s).map(renderFieldError);

test('defaultService: type, protocol, targetPort, sessionAffinity, internalTrafficPolicy, as SetDefaults_Service', () => {
  const d = defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } });
  assert.deepEqual(d.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
    sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster',
  });
  assert.equal(d.metadata.namespace, 'default');
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ ports: [{ port: 80, targetPort: 0 }] }, { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }],
    [{ ports: [{ port: 80, targetPort: '' }] }, { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }],
    [{ sessionAffinity: 'ClientIP' }, { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }],
    [{ sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }, { sessionAffinity: 'None' }],
    [{ type: 'ExternalName', externalName: 'example.com' }, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' }],
    [{ type: 'LoadBalancer' }, { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, internalTrafficPolicy: 'Cluster', sessionAffinity: 'None' }],
    [{ internalTrafficPolicy: 'Local' }, { internalTrafficPolicy: 'Local', type: 'ClusterIP', sessionAffinity: 'None' }],
  ];
  for (const [spec, want] of cases) {
    const got = defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec } as Service).spec;
    for (const [k, v] of Object.entries(want)) assert.deepEqual((got as Record<string, unknown>)[k], v, `${JSON.stringify(spec)}: ${k}`);
  }
});

test('defaultEndpoints and defaultEndpointSlice: TCP, and slice port names ""', () => {
  const ep = defaultEndpoints({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'a' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] });
  assert.deepEqual(ep.subsets?.[0]?.ports, [{ port: 80, protocol: 'TCP' }]);
  const s = defaultEndpointSlice({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a' }, addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
  assert.deepEqual(s.ports, [{ port: 80, protocol: 'TCP', name: '' }]);
});

test('isDNS1035Label: must start with a letter', () => {
  assert.deepEqual(isDNS1035Label('web-1'), []);
  assert.match(isDNS1035Label('1web')[0] ?? '', /a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character \(e\.g\. 'my-name', {2}or 'abc-123', regex used for validation is '\[a-z\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?'\)/);
  assert.deepEqual(isDNS1035Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('validateService: a table of one mutation each and the apiserver errors', () => {
  const rows: [string, Service, string[]][] = [
    ['valid', svc(), []],
    ['valid headless without ports', svc({ clusterIP: 'None', clusterIPs: ['None'], ports: [] }), []],
    ['valid ExternalName', defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com.' } }), []],
    ['name starting with a digit', svc({}, { name: '1web' }), [
      "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]],
    ['no name', svc({}, { name: '' }), ['metadata.name: Required value: name or generateName is required']],
    ['no ports', svc({ ports: [] }), ['spec.ports: Required value']],
    ['port out of range', svc({ ports: [{ port: 70000, protocol: 'TCP', targetPort: 80 }] }), ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['two ports, one unnamed', svc({ ports: [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { port: 81, protocol: 'TCP', targetPort: 81 }] }), ['spec.ports[1].name: Required value']],
    ['duplicate port names', svc({ ports: [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'a', port: 81, protocol: 'TCP', targetPort: 81 }] }), ['spec.ports[1].name: Duplicate value: "a"']],
    ['bad port name', svc({ ports: [{ name: 'Web_1', port: 80, protocol: 'TCP', targetPort: 80 }] }), [
      "spec.ports[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]],
    ['unknown protocol', svc({ ports: [{ port: 80, protocol: 'ICMP', targetPort: 80 }] }), ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    ['targetPort name too long', svc({ ports: [{ port: 80, protocol: 'TCP', targetPort: 'a-very-long-port-name' }] }), ['spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters']],
    ['targetPort number 0 after defaulting is the port; 70000 is not', svc({ ports: [{ port: 80, protocol: 'TCP', targetPort: 70000 }] }), ['spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['duplicate port and protocol', svc({ ports: [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'b', port: 80, protocol: 'TCP', targetPort: 81 }] }), [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]],
    ['bad selector value', svc({ selector: { app: 'a b' } }), [
      "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]],
    ['unknown sessionAffinity', svc({ sessionAffinity: 'Sticky' }), ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
    ['ClientIP timeout out of range', svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 90000 } } }), [
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400',
    ]],
    ['clusterIPs[0] not clusterIP', svc({ clusterIPs: ['10.87.0.11'] }), ['spec.clusterIPs: Invalid value: []string{"10.87.0.11"}: first value must match `clusterIP`']],
    ['clusterIP not an IP', svc({ clusterIP: '10.87.0.300', clusterIPs: ['10.87.0.300'] }), ['spec.clusterIPs[0]: Invalid value: "10.87.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['None not alone', svc({ clusterIP: 'None', clusterIPs: ['None', '10.87.0.1'] }), ['spec.clusterIPs: Invalid value: []string{"None", "10.87.0.1"}: \'None\' must be the first and only value']],
    ['unknown ipFamilyPolicy', svc({ ipFamilyPolicy: 'Both' }), ['spec.ipFamilyPolicy: Unsupported value: "Both": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"']],
    ['NodePort: not implemented by podd', svc({ type: 'NodePort' }), ['spec.type: Unsupported value: "NodePort": supported values: "ClusterIP", "ExternalName"']],
    ['externalIPs: not implemented by podd', svc({ externalIPs: ['192.0.2.10'] }), ['spec.externalIPs: Forbidden: podd does not implement externalIPs']],
    ['nodePort on ClusterIP', svc({ ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['unknown internalTrafficPolicy', svc({ internalTrafficPolicy: 'Node' }), ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"']],
    ['ExternalName without a name', defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName' } }), ['spec.externalName: Required value']],
    ['ExternalName with a clusterIP', defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'a.b', clusterIP: '10.87.0.1', clusterIPs: ['10.87.0.1'] } }), [
      'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
    ]],
  ];
  for (const [name, s, want] of rows) assert.deepEqual(errs(s), want, name);
});

test('validateServiceUpdate: the ClusterIP and family may not change; headless stays headless freely', () => {
  const old = svc();
  assert.deepEqual(validateServiceUpdate(svc({ ports: [{ port: 81 }] }), old).map(renderFieldError), []);
  assert.deepEqual(validateServiceUpdate(svc({ clusterIP: '10.87.0.99', clusterIPs: ['10.87.0.99'] }), old).map(renderFieldError),
    ['spec.clusterIPs[0]: Invalid value: []string{"10.87.0.99"}: may not change once set']);
  assert.deepEqual(validateServiceUpdate(svc({ clusterIP: undefined, clusterIPs: undefined }), old).map(renderFieldError),
    ['spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset']);
  assert.deepEqual(validateServiceUpdate(svc({ ipFamilies: ['IPv6'] }), old).map(renderFieldError),
    ['spec.ipFamilies[0]: Invalid value: []string{"IPv6"}: may not change once set',
      'spec.clusterIPs[0]: Invalid value: "10.87.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`']);
  const headless = svc({ clusterIP: 'None', clusterIPs: ['None'] });
  assert.deepEqual(validateServiceUpdate(svc({ clusterIP: 'None', clusterIPs: ['None'], ports: [] }), headless).map(renderFieldError), []);
});

test('validateEndpoints: addresses required, valid and not special; ports named when several', () => {
  const ep = (subsets: Endpoints['subsets']): string[] => validateEndpoints({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'a', namespace: 'default' }, ...(subsets ? { subsets } : {}) }).map(renderFieldError);
  assert.deepEqual(ep([{ addresses: [{ ip: '10.86.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }]), []);
  assert.deepEqual(ep(undefined), []);
  assert.deepEqual(ep([{ ports: [{ port: 80, protocol: 'TCP' }] }]), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
  assert.deepEqual(ep([{ addresses: [{ ip: 'x' }] }]), ['subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(ep([{ addresses: [{ ip: '127.0.0.1' }] }]), ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
  assert.deepEqual(ep([{ notReadyAddresses: [{ ip: '169.254.1.1' }] }]), ['subsets[0].notReadyAddresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)']);
  assert.deepEqual(ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }] }]), ['subsets[0].ports[1].name: Required value']);
  assert.deepEqual(ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0, protocol: 'TCP' }] }]), ['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']);
});

test('validateEndpointSlice: address type, addresses of that type, ports', () => {
  const slice = (s: Partial<EndpointSlice>): string[] => validateEndpointSlice({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a-x', namespace: 'default' }, addressType: 'IPv4', endpoints: [], ...s,
  }).map(renderFieldError);
  assert.deepEqual(slice({ endpoints: [{ addresses: ['10.86.0.5'], conditions: { ready: true } }], ports: [{ name: '', port: 80, protocol: 'TCP' }] }), []);
  assert.deepEqual(slice({ addressType: 'IPX' }), ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(slice({ endpoints: [{ addresses: [] }] }), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  assert.deepEqual(slice({ endpoints: [{ addresses: ['fd00::1'] }] }), ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
  assert.deepEqual(slice({ ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'a', port: 81, protocol: 'TCP' }] }), ['ports[1].name: Duplicate value: "a"']);
});
