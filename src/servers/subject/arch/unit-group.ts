/**
 * The primary's side of a multi-unit architecture: launch N units (processes,
 * cluster workers or threads, through a Launcher), learn their shared port,
 * replace and count units that die, broadcast the count, stop them all.
 */
import type { EventLoopStats } from '../../../monitor/types.ts';
import type { UnitConfig } from '../../config.ts';
import type { PrimaryMessage, UnitMessage } from './messages.ts';
import { requireAppSupport } from '../app/support.ts';
import { requireNativeReusePort, usesNativeFront } from '../app/native-front.ts';
import { requireReusePort } from './reuse-port-probe.ts';
import { UnsupportedError, type ArchContext, type RunningArch } from './types.ts';

export interface UnitHandle {
  /** The unit's process (the primary's own PID for a thread). */
  pid: number;
  label: string;
  send(message: PrimaryMessage): void;
  /** Forced stop. */
  kill(): void;
  onMessage(handler: (message: UnitMessage) => void): void;
  /** Called once, when the unit is gone, with how it ended. */
  onExit(handler: (how: string) => void): void;
}

export type Launcher = (unit: UnitConfig) => UnitHandle;

/** One unit per --workers; what differs between the multi-unit architectures is only these. */
export interface GroupOptions {
  launch: Launcher;
  /** Thread-pool size for CPU work in each unit; 0 = inline. */
  poolThreads: number;
  /**
   * true: every unit binds the configured port and must end up on the same one
   * (node:cluster shares the primary's socket). false: unit 0 binds the
   * configured port, the others bind the port it got (reusePort).
   */
  sharedBind: boolean;
  /** Capability named when a sibling cannot bind the same port. */
  capability: string;
}

const START_TIMEOUT_MS = 30_000;
/** A unit that does not answer `stats` within this is left out of the figures (it is busy or dying). */
const STATS_TIMEOUT_MS = 2000;

interface Member {
  index: number;
  handle: UnitHandle;
  port: number | null;
  /** Waiting for this unit's answer to `stats`. */
  onStats: ((stats: EventLoopStats) => void) | undefined;
}

export class UnitGroup implements RunningArch {
  host = '';
  port = 0;
  /** How unit 0 serves a user's app (undefined: the built-in contract). */
  appFront: string | undefined;
  private readonly context: ArchContext;
  private readonly options: GroupOptions;
  private readonly members: (Member | null)[] = [];
  private restartCount = 0;
  private poolRestartCount = 0;
  private stopping = false;

  constructor(context: ArchContext, options: GroupOptions) {
    this.context = context;
    this.options = options;
    for (let i = 0; i < context.config.workers; i++) this.members.push(null);
  }

  async start(): Promise<void> {
    const configured = this.context.config.port;
    try {
      if (this.options.sharedBind) {
        const ports = await Promise.all(this.members.map((_, i) => this.launch(i, configured)));
        const distinct = [...new Set(ports)];
        if (distinct.length > 1) {
          throw new UnsupportedError(
            this.options.capability,
            `${distinct.length} units listened on ${distinct.length} different ports instead of sharing one`,
          );
        }
        this.port = ports[0] ?? configured;
      } else {
        this.port = await this.launch(0, configured);

        await Promise.all(this.members.slice(1).map((_, i) => this.launch(i + 1, this.port)));
      }
    } catch (error) {
      await this.stop(1000);
      throw error;
    }
  }

  pids(): number[] {
    const pids = new Set<number>([process.pid]);
    for (const member of this.members) if (member) pids.add(member.handle.pid);
    return [...pids];
  }

  restarts(): number {
    return this.restartCount;
  }

  front(): string | undefined {
    return this.appFront;
  }

  poolRestarts(): number {
    return this.poolRestartCount;
  }

  measure(): void {
    this.broadcast({ t: 'measure' });
  }

  async unitEventLoops(): Promise<EventLoopStats[]> {
    const answers = await Promise.all(
      this.members.map(
        (member) =>
          new Promise<EventLoopStats | null>((resolve) => {
            if (!member) return resolve(null);
            const timer = setTimeout(() => {
              member.onStats = undefined;
              resolve(null);
            }, STATS_TIMEOUT_MS);
            member.onStats = (stats) => {
              clearTimeout(timer);
              member.onStats = undefined;
              resolve(stats);
            };
            member.handle.send({ t: 'stats' });
          }),
      ),
    );
    return answers.filter((stats): stats is EventLoopStats => stats !== null);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.members.map(async (member) => {
        if (!member) return;
        const gone = new Promise<void>((resolve) => member.handle.onExit(() => resolve()));
        member.handle.send({ t: 'stop', graceMs });
        const timer = setTimeout(() => member.handle.kill(), graceMs + 1000);
        await gone;
        clearTimeout(timer);
      }),
    );
  }

  /** The unit config for unit `index` binding `port`. */
  private unitFor(index: number, port: number): UnitConfig {
    return {
      server: this.context.config,
      primaryPid: process.pid,
      port,
      // Units that do not share the primary's socket each bind the port themselves, side by side.
      reusePort: !this.options.sharedBind,
      poolThreads: this.options.poolThreads,
      spawnPerRequest: false,
      unitIndex: index,
    };
  }

  /** Starts unit `index` on `port`; resolves to the port it listens on. */
  private launch(index: number, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const handle = this.options.launch(this.unitFor(index, port));
      const member: Member = { index, handle, port: null, onStats: undefined };
      this.members[index] = member;
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        handle.kill();
        reject(new Error(`${handle.label} did not listen within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      handle.onMessage((message) => {
        if (message.t === 'stats') return member.onStats?.(message.eventLoop);
        if (message.t === 'pool-restart') {
          this.poolRestartCount++;
          return this.context.log(
            `${handle.label}: a pool thread died → replaced (pool restarts=${this.poolRestartCount})`,
          );
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (message.t === 'ready') {
          member.port = message.port;
          if (index === 0) {
            this.host = message.host;
            this.appFront = message.front;
          }
          resolve(message.port);
        } else if (message.errorCode === 'EADDRINUSE' && index > 0 && !this.options.sharedBind) {
          reject(
            new UnsupportedError(
              this.options.capability,
              'a second listener on the same port got EADDRINUSE',
            ),
          );
        } else {
          reject(new Error(`${handle.label} failed to start: ${message.reason}`));
        }
      });
      handle.onExit((how) => {
        if (this.members[index] === member) this.members[index] = null;
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`${handle.label} exited before listening (${how})`));
          return;
        }
        if (this.stopping) return;
        this.replace(index, handle, how);
      });
    });
  }

  private replace(index: number, dead: UnitHandle, how: string): void {
    this.restartCount++;
    this.context.log(`${dead.label} died (${how}) → replacing it (restarts=${this.restartCount})`);
    // A beat before relaunching: a dying group (signal to all) sets `stopping` first.
    setTimeout(() => {
      if (this.stopping) return;
      // Cluster workers must ask for the configured port again: the cluster primary keys its shared socket by it.
      this.launch(index, this.options.sharedBind ? this.context.config.port : this.port)
        .then(() => this.broadcast({ t: 'restarts', count: this.restartCount }))
        .catch((error: unknown) =>
          this.context.log(
            `replacement of unit ${index} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
    }, 100);
  }

  private broadcast(message: PrimaryMessage): void {
    for (const member of this.members) member?.handle.send(message);
  }
}

/** Starts a group of context.config.workers units; resolves once every unit listens. */
export async function startUnitGroup(context: ArchContext, options: GroupOptions): Promise<UnitGroup> {
  requireAppSupport({ server: context.config, poolThreads: options.poolThreads, spawnPerRequest: false });
  const group = new UnitGroup(context, options);
  await group.start();
  return group;
}

/**
 * The reusePort architectures (reuseport, reuseport-threads, prefork): the
 * runtime is probed first, then each unit listens on the port unit 0 got.
 */
export async function startReusePortGroup(
  context: ArchContext,
  launch: Launcher,
  poolThreads: number,
): Promise<UnitGroup> {
  // Probed with the listener the units will use: a fetch app on Bun listens through Bun.serve.
  const { app, host, protocol } = context.config;
  if (app && usesNativeFront(app)) await requireNativeReusePort(host);
  else await requireReusePort(host, protocol);
  return startUnitGroup(context, { launch, poolThreads, sharedBind: false, capability: 'reusePort' });
}
