// The project a command works in, as the CLI asks for it: the project file found upwards from the working
// folder, its workspaces, and where each one's changelog lives.

export {
  allWorkspaces,
  defaultChangelogPath,
  type ProjectContext,
  resolveProject,
} from '../project/context.js';
export { PROJECT_NAME } from '../project/project-file.js';
