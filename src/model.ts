// The shared types of envsync: every type that crosses a module boundary lives once, under src/model/.

export * from './model/ant.js';
export * from './model/changelog.js';
export * from './model/config.js';
export * from './model/live.js';
export * from './model/packages.js';
export * from './model/plan.js';
export * from './model/reporter.js';
