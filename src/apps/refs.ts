import { git, runGit } from '../actors/git/git.js';
import type { RunAs } from '../actors/git/run-as.js';
import { GuvError } from '../errors.js';
import { checkedAppDir } from './app-dir.js';
import type { AppCheckout, AppInput, CheckedOutRef } from './context.js';
import { parseRef } from './validate.js';

const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

async function isCommit(repo: InRepo, id: string): Promise<boolean> {
  return (await runGit(['cat-file', '-e', `${id}^{commit}`], repo)).exitCode === 0;
}

export interface GitRef {
  name: string;
  commit: string;
  kind: 'branch' | 'tag';
}

interface InRepo {
  cwd: string;
  runAs?: RunAs | null;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

/** The branch (or else a tag) checked out in `cwd`, and its commit. */
export async function headOf(loud: InRepo): Promise<CheckedOutRef> {
  const repo = quiet(loud);
  const commit = (await git(['rev-parse', '--verify', 'HEAD^{commit}'], repo)).trim();
  const branch = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], repo);
  if (branch.exitCode === 0) return { ref: branch.stdout.trim(), commit };
  const tags = await git(['tag', '--points-at', 'HEAD'], repo);
  return { ref: tags.split('\n').find(Boolean) ?? null, commit };
}

/** Plumbing output (commit ids, ref lists) is data for guv, not progress for the user. */
function quiet(repo: InRepo): InRepo {
  return { ...repo, onOutput: undefined };
}

/** The ref and commit checked out in an installed app. */
export async function currentRef(input: AppInput): Promise<CheckedOutRef> {
  return headOf({ ...input, cwd: await checkedAppDir(input.appsRoot, input.app) });
}

/** The app's branches (as on origin at the last fetch) and tags, each with its commit. */
export async function listRefs(input: AppInput): Promise<GitRef[]> {
  const cwd = await checkedAppDir(input.appsRoot, input.app);
  return refsIn({ ...input, cwd });
}

async function refsIn(loud: InRepo): Promise<GitRef[]> {
  const repo = quiet(loud);
  const format = '--format=%(refname)%00%(objectname)%00%(*objectname)';
  const out = await git(['for-each-ref', format, 'refs/remotes/origin', 'refs/tags'], repo);
  const refs: GitRef[] = [];
  for (const line of out.split('\n')) {
    const [refname, object, peeled] = line.split('\0');
    if (!refname || !object) continue;
    // An annotated tag's own object is the tag; the commit is its peeled object.
    const commit = peeled || object;
    if (refname.startsWith('refs/tags/')) {
      refs.push({ name: refname.slice('refs/tags/'.length), commit, kind: 'tag' });
    } else if (refname !== 'refs/remotes/origin/HEAD') {
      refs.push({ name: refname.slice('refs/remotes/origin/'.length), commit, kind: 'branch' });
    }
  }
  return refs;
}

/** Fetch branches and tags from origin, then list the names of both (branches first). */
export async function updateRefs(input: AppInput): Promise<string[]> {
  const cwd = await checkedAppDir(input.appsRoot, input.app);
  await git(['fetch', '--tags', '--prune', '--force', '--progress', '--', 'origin'], {
    ...input,
    cwd,
  });
  return [...new Set((await refsIn({ ...input, cwd })).map((ref) => ref.name))];
}

/**
 * Check out a branch (as a local branch reset to origin's), a tag or a full commit id (both
 * detached). The working tree is forced to match: an app folder is guv's, not a place for
 * local edits.
 */
export async function switchRef(input: AppInput & { ref: string }): Promise<AppCheckout> {
  const ref = parseRef(input.ref);
  const cwd = await checkedAppDir(input.appsRoot, input.app);
  return checkoutIn({ ...input, cwd }, ref, input.app.name);
}

/**
 * Refs are passed fully qualified (`refs/...`, never mistaken for an option) and followed by
 * `--`; git 2.39's checkout mishandles `--end-of-options`.
 */
export async function checkoutIn(repo: InRepo, ref: string, appName: string): Promise<AppCheckout> {
  const exists = async (full: string) =>
    (await runGit(['show-ref', '--verify', '--quiet', '--', full], repo)).exitCode === 0;
  if (await exists(`refs/remotes/origin/${ref}`)) {
    await git(['checkout', '--force', '-B', ref, `refs/remotes/origin/${ref}`, '--'], repo);
  } else if (await exists(`refs/tags/${ref}`)) {
    await git(['checkout', '--force', '--detach', `refs/tags/${ref}`, '--'], repo);
  } else if (FULL_COMMIT.test(ref) && (await isCommit(repo, ref))) {
    await git(['checkout', '--force', '--detach', ref, '--'], repo);
  } else {
    throw new GuvError('GUV_REF_NOT_FOUND', `app "${appName}" has no branch or tag "${ref}"`);
  }
  const { commit } = await headOf(repo);
  return { ref, commit };
}
