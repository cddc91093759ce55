// The client verbs for users without kubectl: `podd get|apply|describe|logs|exec|delete|events` talk to `podd serve`'s
// API like kubectl does, `podd kubeconfig` prints the kubeconfig that reaches it. Each verb prints its own errors as
// kubectl would and returns the exit code (0, 1 for failures, 2 for bad usage).

import { applyCommand, APPLY_USAGE } from './apply.js';
import { deleteCommand, DELETE_USAGE } from './delete.js';
import { describeCommand, DESCRIBE_USAGE } from './describe.js';
import { describeError, exitCodeFor } from './errors.js';
import { eventsCommand, EVENTS_USAGE } from './events.js';
import { execCommand, EXEC_USAGE } from './exec.js';
import { getCommand, GET_USAGE } from './get.js';
import { kubeconfigCommand, KUBECONFIG_USAGE } from './kubeconfig-command.js';
import { logsCommand, LOGS_USAGE } from './logs.js';

export const CLIENT_VERBS = ['get', 'apply', 'describe', 'logs', 'exec', 'delete', 'events', 'kubeconfig'] as const;
export type ClientVerb = (typeof CLIENT_VERBS)[number];

export function isClientVerb(verb: string | undefined): verb is ClientVerb {
  return (CLIENT_VERBS as readonly (string | undefined)[]).includes(verb);
}

/** USAGE lines for podd's help text. */
export const CLIENT_USAGE = `client verbs (talk to podd serve like kubectl; --kubeconfig FILE, else $KUBECONFIG, else /etc/podd/kubeconfig.yaml):
  ${GET_USAGE}
  ${APPLY_USAGE}
  ${DESCRIBE_USAGE}
  ${LOGS_USAGE}
  ${EXEC_USAGE}
  ${DELETE_USAGE}
  ${EVENTS_USAGE}
  ${KUBECONFIG_USAGE}
                              print this node's kubeconfig (podd kubeconfig > ~/.kube/config)
`;

export async function clientCommand(verb: ClientVerb, args: readonly string[], dataDir: string,
  out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    switch (verb) {
      case 'get': return await getCommand(args, out, err);
      case 'apply': return await applyCommand(args, out, err);
      case 'describe': return await describeCommand(args, out, err);
      case 'logs': return await logsCommand(args, out, err);
      case 'exec': return await execCommand(args);
      case 'delete': return await deleteCommand(args, out, err);
      case 'events': return await eventsCommand(args, out, err);
      case 'kubeconfig': return await kubeconfigCommand(args, dataDir, out);
    }
  } catch (e) {
    err.write(`${describeError(e)}\n`);
    return exitCodeFor(e);
  }
}
