// What an error can be: the closed set of codes (printed as `error[code]`, present in JSON) and whose problem it is.

/**
 * Every code an error can carry, printed as `error[code]` and present in JSON. A closed union so scripts can
 * rely on the set and a typo fails to compile; a new failure adds its code here.
 */
export type ErrorCode =
  // The command line itself
  | 'usage'
  // The project file and workspaces
  | 'no_project'
  | 'project_unreadable'
  | 'invalid_project_name'
  | 'already_a_project'
  | 'workspace_required'
  | 'unknown_workspace'
  | 'invalid_flag'
  | 'conflicting_flags'
  | 'invalid_out'
  | 'not_approved'
  // Environment files
  | 'invalid_config'
  | 'no_such_dir'
  | 'not_a_dir'
  | 'no_files'
  | 'duplicate_name'
  | 'no_such_file'
  | 'no_environment'
  // Previews
  | 'invalid_preview_id'
  | 'invalid_ttl'
  | 'not_previewable'
  | 'preview_conflict'
  | 'no_base_ref'
  // Plans
  | 'unknown_target'
  | 'invalid_plan'
  | 'no_plan_file'
  | 'stale_plan'
  | 'blocked'
  // The API and connecting to it
  | 'api_error'
  | 'api_untrusted'
  | 'api_unreadable'
  | 'api_timeout'
  | 'api_too_large'
  | 'list_incomplete'
  | 'no_api_key'
  | 'invalid_base_url'
  | 'insecure_base_url'
  // Apply
  | 'name_taken'
  | 'changed_since_plan'
  | 'archived_since_plan'
  | 'recreate_failed'
  // The changelog and its lock
  | 'no_changelog'
  | 'changelog_unreadable'
  | 'changelog_write_failed'
  | 'corrupt_entry'
  | 'changelog_behind'
  | 'changelog_not_writable'
  | 'locked'
  | 'lock_failed'
  | 'lock_lost'
  // Queries over the changelog
  | 'unknown_name'
  | 'unknown_env_id'
  | 'unknown_hash'
  | 'ambiguous_hash'
  | 'bad_hash'
  | 'bad_time'
  | 'at_with_hash'
  | 'no_config_then'
  | 'not_serving'
  // Forget
  | 'not_managed'
  | 'still_declared'
  // Package registries and the lock
  | 'http_unreachable'
  | 'http_timeout'
  | 'http_too_large'
  | 'http_redirects'
  | 'registry_error'
  | 'registry_bad_answer'
  | 'registry_token_missing'
  | 'lock_file_invalid'
  | 'lock_out_of_date'
  | 'no_registry'
  // The supply-chain gate (OSV)
  | 'osv_error'
  | 'osv_bad_answer'
  // Coming from ant apply (import --from-ant)
  | 'invalid_ant_lock'
  | 'no_ant_lock'
  | 'ant_origin_mismatch'
  | 'ant_lock_changed'
  // Export
  | 'export_write_failed'
  | 'export_would_overwrite'
  // The emulator
  | 'invalid_emulator_option'
  | 'emulator_state_invalid'
  | 'emulator_state_unreadable'
  | 'emulator_state_unwritable'
  | 'emulator_listen_failed'
  // Files and the system (wrapFsError)
  | 'fs_not_found'
  | 'fs_permission'
  | 'fs_read_only'
  | 'fs_full'
  | 'fs_exists'
  | 'fs_is_directory'
  | 'fs_not_directory'
  | 'fs_error'
  // envsync's own bugs
  | 'not_json'
  | 'internal';

/**
 * Whose problem it is (as CDK's ToolkitError source): `user` is the input, the setup or the world around
 * envsync (files, flags, network, the API); `envsync` is a bug in envsync, to be reported.
 */
export type ErrorSource = 'user' | 'envsync';
