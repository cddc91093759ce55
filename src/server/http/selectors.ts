// `?labelSelector=` and `?fieldSelector=` compiled into the store's predicates, with the apiserver's grammar:
// labels `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`; fields `k=v`, `k==v`, `k!=v` over the
// fields each resource supports. A malformed selector is a DecodeError (400 BadRequest).

import { DecodeError } from '../../api/field-errors.js';
import type { StoredObject } from '../../store/types.js';

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function labelTerm(term: string): LabelTest {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    checkKey(key, term);
    return op === 'in'
      ? (l) => l[key] !== undefined && values.has(l[key])
      : (l) => l[key] === undefined || !values.has(l[key]);
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    checkKey(key, term);
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (term.startsWith('!')) {
    const key = term.slice(1).trim();
    checkKey(key, term);
    return (l) => l[key] === undefined;
  }
  checkKey(term, term);
  return (l) => l[term] !== undefined;
}

function checkKey(key: string, term: string): void {
  if (!KEY.test(key)) throw new DecodeError(`unable to parse requirement: found '${term}', expected: valid label key`);
}

/** undefined for an empty or absent selector. */
export function parseLabelSelector(s: string | null): LabelTest | undefined {
  if (s === null || s.trim() === '') return undefined;
  const tests = splitTerms(s).map(labelTerm);
  return (labels) => tests.every((t) => t(labels));
}

/** Field paths each resource supports besides metadata.name and metadata.namespace. */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  secrets: ['type'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
};

function fieldValue(obj: unknown, path: string): string {
  if (path === 'source') path = 'source.component';
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** undefined for an empty or absent selector. */
export function parseFieldSelector(resource: string, s: string | null): ((o: StoredObject) => boolean) | undefined {
  if (s === null || s.trim() === '') return undefined;
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[resource] ?? [])];
  const tests = s.split(',').map((t) => t.trim()).filter((t) => t !== '').map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new DecodeError(`invalid selector: '${s}'; can't understand '${term}'`);
    const [, field = '', op, value = ''] = m;
    if (!allowed.includes(field)) throw new DecodeError(`field label not supported: ${field}`);
    return op === '!=' ? (o: StoredObject) => fieldValue(o, field) !== value : (o: StoredObject) => fieldValue(o, field) === value;
  });
  return (o) => tests.every((t) => t(o));
}
