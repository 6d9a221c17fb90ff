// Where a commit can be seen on the web: a git remote URL as a GitHub or GitLab base URL, and a commit's page.

/** A repository's web address; the audit page links each step's commit under it. */
export interface RepositoryLink {
  host: 'github' | 'gitlab';
  /** `https://github.com/owner/repo`: no credentials, no `.git`, no trailing slash. */
  url: string;
}

/** The path part of a repository on a forge: owner/repo, or GitLab's group/subgroup/repo. */
const REPO_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/;
const HOST = /^[A-Za-z0-9.-]+$/;

function hostKind(host: string): RepositoryLink['host'] | null {
  const h = host.toLowerCase();
  // GitHub Enterprise and self-hosted GitLab keep the product in the host name often enough to guess.
  if (h === 'github.com' || h.split('.').includes('github')) return 'github';
  if (h === 'gitlab.com' || h.split('.').includes('gitlab')) return 'gitlab';
  return null;
}

/** `host` and `path` of the remote in any of git's spellings, or null when it is not one. */
function hostAndPath(remote: string): { host: string; path: string } | null {
  // scp-like: `git@github.com:owner/repo.git` (no scheme, a colon before the first slash).
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(remote);
  if (scp && !remote.includes('://')) return { host: scp[1] as string, path: scp[2] as string };
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(url.protocol)) return null;
  // The port is the ssh or git daemon's, never the web server's; credentials never reach the page.
  return { host: url.hostname, path: decodeURIComponent(url.pathname).replace(/^\/+/, '') };
}

/**
 * The web address of a GitHub or GitLab repository from `git remote get-url origin` (https, ssh://,
 * scp-like `git@host:path`, with or without `.git`); null for anything else, so no link is made to a
 * place envsync cannot vouch for.
 */
export function repositoryLinkOf(remote: string): RepositoryLink | null {
  const parsed = hostAndPath(remote.trim());
  if (!parsed || !HOST.test(parsed.host)) return null;
  const kind = hostKind(parsed.host);
  const repoPath = parsed.path.replace(/\/+$/, '').replace(/\.git$/, '');
  if (kind === null || !REPO_PATH.test(repoPath) || repoPath.split('/').some((p) => p === '..' || p === '.'))
    return null;
  return { host: kind, url: `https://${parsed.host.toLowerCase()}/${repoPath}` };
}

/** A commit's page, or null when what the changelog holds is not a commit ID (it is a file anyone can edit). */
export function commitUrl(repo: RepositoryLink | null, commit: string | null): string | null {
  if (repo === null || commit === null || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  if (!repo.url.startsWith('https://')) return null;
  return repo.host === 'gitlab' ? `${repo.url}/-/commit/${commit}` : `${repo.url}/commit/${commit}`;
}
