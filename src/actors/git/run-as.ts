/**
 * Who a child (git, npm) runs as when the daemon is root and an app has its own user.
 * `env` replaces the daemon's environment entirely, so none of it leaks to the app's user.
 */
export interface RunAs {
  uid: number;
  gid: number;
  env: Record<string, string>;
}
