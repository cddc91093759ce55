#!/usr/bin/env node
// podd's command line. Each verb is a thin layer over the engine (podd run) or the image store.
import { parseArgs } from 'node:util';
import { cleanupCommand, runCommand } from '../cli/run-command.js';
import { DEFAULT_KUBECONFIG, serveCommand } from '../cli/serve-command.js';
import { imagesCommand, importCommand, pruneCommand, pullCommand, rmiCommand } from '../cli/image-commands.js';
import { nodeConfigFromEnv } from './node-config.js';
import { CLIENT_USAGE, clientCommand, isClientVerb } from '../cli/client/commands.js';
import { parseDuration } from '../core/plan/duration.js';

const USAGE = `usage: podd <command> [flags]

commands:
  run -f FILE [-o yaml|json] [--timeout D] [--backoff-base D] [--backoff-max D] [--keep-logs] [--quiet] [--no-timeline]
                              run the Pod in FILE in the foreground (exit 0 Succeeded, 1 Failed, 2 invalid input)
  pull REF [--insecure-registry HOST]... [-q]
                              pull an image from its registry (loopback registries and PODD_INSECURE_REGISTRIES use HTTP)
  image import FILE NAME[:TAG]   import a rootfs tarball, a docker-save tarball or an OCI image layout
  image prune                 remove images no container uses (podd's busybox base image stays)
  images [--digests]          list images
  rmi NAME                    remove an image
  cleanup                     remove pods left behind by a podd run that was killed
  serve [--bind ADDR] [--port N] [--kubeconfig FILE] [--db FILE] [--event-ttl D] [--service-cidr CIDR]
                              the node agent and a Kubernetes API for kubectl (see README)
  version                     print podd's version

${CLIENT_USAGE}`;

// A reader that went away (`podd run ... | head`) must not crash podd before it has removed its pod.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const cfg = nodeConfigFromEnv();
  switch (verb) {
    case 'run': {
      const { values } = parseArgs({
        args: rest,
        options: {
          filename: { type: 'string', short: 'f' },
          output: { type: 'string', short: 'o' },
          timeout: { type: 'string' },
          'backoff-base': { type: 'string' },
          'backoff-max': { type: 'string' },
          'keep-logs': { type: 'boolean', default: false },
          quiet: { type: 'boolean', short: 'q', default: false },
          'no-timeline': { type: 'boolean', default: false },
        },
      });
      if (values.filename === undefined) throw new UsageError('podd run: -f FILE is required');
      if (values.output !== undefined && values.output !== 'yaml' && values.output !== 'json') {
        throw new UsageError(`podd run: -o must be yaml or json, not "${values.output}"`);
      }
      return runCommand({
        file: values.filename,
        ...(values.output === undefined ? {} : { output: values.output }),
        ...(values.timeout === undefined ? {} : { timeout: values.timeout }),
        ...(values['backoff-base'] === undefined ? {} : { backoffBase: values['backoff-base'] }),
        ...(values['backoff-max'] === undefined ? {} : { backoffMax: values['backoff-max'] }),
        keepLogs: values['keep-logs'] ?? false,
        quiet: values.quiet ?? false,
        timeline: !(values['no-timeline'] ?? false),
      }, cfg);
    }
    case 'pull':
      return pullVerb(rest, cfg);
    case 'image': {
      const [sub, ...args] = rest;
      if (sub === 'import' && args.length === 2) return importCommand(cfg, args[0] ?? '', args[1] ?? '');
      if (sub === 'ls' || sub === 'list') return imagesCommand(cfg);
      if (sub === 'pull') return pullVerb(args, cfg);
      if (sub === 'prune' && args.length === 0) return pruneCommand(cfg);
      throw new UsageError('usage: podd image import FILE NAME[:TAG] | podd image pull REF | podd image prune');
    }
    case 'images': {
      const { values } = parseArgs({ args: rest, options: { digests: { type: 'boolean', default: false } } });
      return imagesCommand(cfg, { digests: values.digests ?? false });
    }
    case 'rmi':
      if (rest.length !== 1) throw new UsageError('usage: podd rmi NAME');
      return rmiCommand(cfg, rest[0] ?? '');
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: {
          bind: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', default: '6443' },
          kubeconfig: { type: 'string', default: DEFAULT_KUBECONFIG },
          db: { type: 'string' },
          'event-ttl': { type: 'string' },
          'service-cidr': { type: 'string' },
        },
      });
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`podd serve: invalid --port "${values.port ?? ''}"`);
      const eventTtl = values['event-ttl'];
      const eventTtlMs = eventTtl === undefined ? undefined : parseDuration(eventTtl);
      if (eventTtl !== undefined && (eventTtlMs === undefined || eventTtlMs <= 0)) {
        throw new UsageError(`podd serve: invalid --event-ttl "${eventTtl}" (a duration such as 30s or 1h)`);
      }
      return serveCommand({
        bind: values.bind ?? '127.0.0.1', port, kubeconfig: values.kubeconfig ?? DEFAULT_KUBECONFIG,
        ...(values.db === undefined ? {} : { db: values.db }),
        ...(eventTtlMs === undefined ? {} : { eventTtlMs }),
        ...(values['service-cidr'] === undefined ? {} : { serviceCidr: values['service-cidr'] }),
      }, cfg);
    }
    case 'cleanup':
      return cleanupCommand(cfg);
    case 'version':
    case '--version':
      process.stdout.write('podd 0.1.0\n');
      return 0;
    default:
      if (isClientVerb(verb)) return clientCommand(verb, rest, cfg.dataDir);
      process.stderr.write(USAGE);
      return verb === undefined || verb === 'help' || verb === '--help' || verb === '-h' ? 0 : 2;
  }
}

class UsageError extends Error {}

function pullVerb(args: string[], cfg: ReturnType<typeof nodeConfigFromEnv>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'insecure-registry': { type: 'string', multiple: true }, quiet: { type: 'boolean', short: 'q', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('usage: podd pull REF [--insecure-registry HOST]... [-q]');
  return pullCommand(cfg, positionals[0] ?? '', { insecureRegistries: values['insecure-registry'] ?? [], quiet: values.quiet ?? false });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
  },
);
