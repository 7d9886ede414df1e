import type { RpcHandler } from '../rpc/server.js';

/**
 * Makes every handler but `ready` ones wait for `booted` (the saved processes are back), so no
 * request sees half a process list, while the socket is open early for a fast first command.
 */
export function afterBoot(
  booted: Promise<void>,
  handlers: Record<string, RpcHandler>,
  ready: readonly string[],
): Record<string, RpcHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]): [string, RpcHandler] => [
      name,
      ready.includes(name)
        ? handler
        : async (params, ctx) => {
            await booted;
            return handler(params, ctx);
          },
    ]),
  );
}
