import { GuvError } from '../errors.js';
import type { RemoteRole, RemoteUser, RemoteUserSecret } from '../protocol/replies.js';
import { MAX_USERS, newSecret, readUsers, type UserRecord, writeUsers } from './users-file.js';

/**
 * The daemon's remote users: read once from the users file, then kept in memory; every change
 * is written to the file (atomically) before it takes effect, one change at a time.
 *
 * @example
 * const users = createUserStore(home.usersFile);
 * await users.load();
 * const { secret } = await users.add('ops', 'read-only');
 */
export function createUserStore(path: string) {
  let users = new Map<string, UserRecord>();
  let loadError: GuvError | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `change` on a copy after every earlier change, saves it, then makes it current. */
  function mutate<T>(change: (next: Map<string, UserRecord>) => T): Promise<T> {
    const run = queue.then(async () => {
      if (loadError !== null) throw loadError;
      const next = new Map(users);
      const result = change(next);
      await writeUsers(path, [...next.values()]);
      users = next;
      return result;
    });
    queue = run.catch(() => {});
    return run;
  }

  function existing(map: Map<string, UserRecord>, name: string): UserRecord {
    const user = map.get(name);
    if (user === undefined) {
      throw new GuvError('GUV_REMOTE_USER_NOT_FOUND', `no remote user called "${name}"`);
    }
    return user;
  }

  return {
    /** Reads the file; a bad file is remembered: nobody can log in and nothing is overwritten. */
    async load(): Promise<void> {
      try {
        users = new Map((await readUsers(path)).map((user) => [user.name, user]));
        loadError = null;
      } catch (error) {
        users = new Map();
        loadError =
          error instanceof GuvError
            ? error
            : new GuvError('GUV_REMOTE_USERS_INVALID', `cannot read ${path}`, { cause: error });
        throw loadError;
      }
    },
    /** The user's secret and role, or undefined: used for every remote request. */
    get: (name: string): UserRecord | undefined => users.get(name),
    list: (): RemoteUser[] => [...users.values()].map(({ name, role }) => ({ name, role })),
    add: (name: string, role: RemoteRole): Promise<RemoteUserSecret> =>
      mutate((next) => {
        if (next.has(name)) {
          throw new GuvError('GUV_REMOTE_USER_EXISTS', `remote user "${name}" exists already`);
        }
        if (next.size >= MAX_USERS) {
          throw new GuvError('GUV_BAD_ARGUMENT', `at most ${MAX_USERS} remote users`);
        }
        const user = { name, role, secret: newSecret() };
        next.set(name, user);
        return { ...user };
      }),
    remove: (name: string): Promise<RemoteUser> =>
      mutate((next) => {
        const { role } = existing(next, name);
        next.delete(name);
        return { name, role };
      }),
    reset: (name: string): Promise<RemoteUserSecret> =>
      mutate((next) => {
        const user = { ...existing(next, name), secret: newSecret() };
        next.set(name, user);
        return { ...user };
      }),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
