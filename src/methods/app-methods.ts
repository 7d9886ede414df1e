import { sep } from 'node:path';
import { objectParams, optionalStringParam, stringParam } from '../rpc/params.js';
import { APP_OUTPUT_EVENT } from '../apps/output-event.js';
import { parseRepoUrl } from '../apps/validate.js';
import { GuvError } from '../errors.js';
import type { AppMethodName, MethodHandlers } from '../protocol/methods.js';
import type { RpcContext } from '../rpc/server.js';
import type { ProcessStatus } from '../types/info.js';
import type { AppService, OutputSink } from '../apps/service/app-service.js';
import type { OutputRouter } from '../logs/output-router.js';
import type { ProcessTable } from '../supervision/process-table.js';

type Managed = ReturnType<ProcessTable['all']>[number];

export interface AppMethodDeps {
  apps: AppService;
  /** Requests wait for it: the daemon has brought back its processes and apps. */
  table: ProcessTable;
  output: OutputRouter;
  /** How long stopping one of an app's processes may take (rmapp --force). */
  timeoutMs: number;
}

const RESTING: ReadonlySet<ProcessStatus> = new Set([
  'stopped',
  'failed',
  'aborted',
  'uninitialised',
]);

/** The caller's sink when it asked for output (`output: true`), else none. */
function outputTo(
  ctx: RpcContext,
  params: Record<string, unknown>,
  subject: string,
): OutputSink | null {
  if (params.output !== true) return null;
  return (chunk) => ctx.sendEvent(APP_OUTPUT_EVENT, [subject, chunk]);
}

/**
 * The RPC methods of installed apps: installApp, listApps, removeApp, listRefs, updateRefs,
 * setRef, currentRef. Long ones stream git and npm output as {@link APP_OUTPUT_EVENT} to a
 * caller that passes `output: true`.
 */
export function createAppMethods(deps: AppMethodDeps): MethodHandlers<AppMethodName, RpcContext> {
  const { apps, table } = deps;

  /** Processes running the app's code: started as the app, or from a file inside its folder. */
  function processesOf(name: string): Managed[] {
    const dir = apps.get(name).dir;
    return table
      .all()
      .filter(
        (m) =>
          m.definition.app === name ||
          m.definition.spec.script.startsWith(`${dir}${sep}`) ||
          m.definition.spec.cwd === dir,
      );
  }

  const methods: MethodHandlers<AppMethodName, RpcContext> = {
    /** `{ url, name?, user?, ref?, cwd? }`: a relative local path is resolved against `cwd`. */
    installApp: (params, ctx) => {
      const p = objectParams(params);
      const cwd = optionalStringParam(p, 'cwd') ?? undefined;
      const url = parseRepoUrl(stringParam(p, 'url'), { cwd });
      const name = optionalStringParam(p, 'name');
      return apps.install(
        { url, name, user: optionalStringParam(p, 'user'), ref: optionalStringParam(p, 'ref') },
        outputTo(ctx, p, name ?? url),
      );
    },

    listApps: () => apps.list(),

    /**
     * `{ name, force? }`: refused while a process of the app runs, unless `force`, which
     * stops them first. The app's processes are removed with it: their files are gone.
     */
    removeApp: async (params, ctx) => {
      const p = objectParams(params);
      const name = stringParam(p, 'name');
      const processes = processesOf(name);
      const running = processes.filter((m) => !RESTING.has(m.info().status));
      if (running.length > 0 && p.force !== true) {
        const names = running.map((m) => m.definition.name).join(', ');
        throw new GuvError(
          'GUV_APP_RUNNING',
          `app "${name}" is running (${names}): stop it first, or remove it with --force`,
        );
      }
      for (const managed of processes) {
        await table.remove(managed, 'cli', deps.timeoutMs);
        await deps.output.close(managed.definition.id);
      }
      return apps.remove(name, outputTo(ctx, p, name));
    },

    listRefs: (params) => apps.listRefs(stringParam(objectParams(params), 'name')),

    updateRefs: (params, ctx) => {
      const p = objectParams(params);
      const name = stringParam(p, 'name');
      return apps.updateRefs(name, outputTo(ctx, p, name));
    },

    setRef: (params, ctx) => {
      const p = objectParams(params);
      const name = stringParam(p, 'name');
      return apps.setRef(name, stringParam(p, 'ref'), outputTo(ctx, p, name));
    },

    currentRef: (params) => apps.currentRef(stringParam(objectParams(params), 'name')),
  };

  return methods;
}
