// The probe handlers behind one interface: a resolved ProbeAction run once against one container instance, over
// the network path the agent chose for its pod (see dialer.ts).
import type { ProbeAction, ProbeOutcome } from '../../core/probe/types.js';
import { DirectDialer, NetnsDialer, type Dialer } from './dialer.js';
import { execProbe, type ExecProbeOptions } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';

/** Where network probes connect from: the host (the pod has an IP, or is hostNetwork), or the pod's own namespace. */
export type ProbeNetwork = { kind: 'host' } | { kind: 'netns'; path: string };

export interface ProbeTarget {
  /** The runtime id of the container instance (exec). */
  containerId: string;
  network: ProbeNetwork;
}

export interface ProbeHandlers {
  run(action: ProbeAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome>;
}

export interface RuntimeProbeHandlersOptions extends ExecProbeOptions {
  nsenterPath?: string;
}

export class RuntimeProbeHandlers implements ProbeHandlers {
  private readonly direct = new DirectDialer();

  constructor(private readonly opts: RuntimeProbeHandlersOptions) {}

  private dialer(network: ProbeNetwork): Dialer {
    if (network.kind === 'host') return this.direct;
    return new NetnsDialer(network.path, this.opts.nsenterPath === undefined ? {} : { nsenterPath: this.opts.nsenterPath });
  }

  async run(action: ProbeAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
    switch (action.kind) {
      case 'exec':
        return execProbe(this.opts, target.containerId, action.command, timeoutMs);
      case 'http':
        return httpProbe(this.dialer(target.network), action, timeoutMs);
      case 'tcp':
        return tcpProbe(this.dialer(target.network), action.host, action.port, timeoutMs);
      case 'grpc':
        return grpcProbe(this.dialer(target.network), action.host, action.port, action.service, timeoutMs);
      case 'invalid':
        return { result: 'unknown', output: '', error: action.error };
    }
  }
}
