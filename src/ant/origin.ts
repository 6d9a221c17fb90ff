// A lock's origin against what the API says it is: ant apply refuses credentials that resolve to another
// organization or workspace than its lock's, and so does envsync, before anything is written.

import { EnvsyncError } from '../errors.js';
import type { ApiOrigin } from '../model.js';
import type { AntLock } from './lock.js';

/**
 * ant apply refuses credentials that resolve to another organization or workspace than its lock's; so does
 * envsync, from what the API itself names (its answer headers), with nothing written.
 */
export function checkOrigin(lock: AntLock, api: ApiOrigin, workspaceId: string | null): void {
  const refuse = (message: string, hint: string): never => {
    throw new EnvsyncError('ant_origin_mismatch', `${lock.shown}: ${message}; nothing was imported`, {
      hint,
    });
  };
  const want = lock.origin;
  if (api.organization_id === null)
    refuse(
      'the API did not name its organization (no anthropic-organization-id header), so the lock’s organization cannot be confirmed',
      'check that the base URL is the Anthropic API (a proxy may drop the header)',
    );
  if (api.organization_id !== want.organization_id)
    refuse(
      `written for organization ${want.organization_id}, but this key works in organization ${api.organization_id}`,
      'use a key of the lock’s organization, or the lock of this one (ant apply keeps one lock per organization and workspace)',
    );
  const served = api.workspace_id ?? workspaceId;
  if (served === null)
    refuse(
      `written for workspace ${want.workspace_id}, and the API did not say which workspace it served`,
      `set workspace_id: ${want.workspace_id} for this workspace in envsync.yaml`,
    );
  if (served !== want.workspace_id || (workspaceId !== null && workspaceId !== want.workspace_id))
    refuse(
      `written for workspace ${want.workspace_id}, but envsync works in workspace ${workspaceId ?? served}`,
      'pick the envsync workspace whose workspace_id is the lock’s (--workspace NAME), or import the lock of this workspace',
    );
}
