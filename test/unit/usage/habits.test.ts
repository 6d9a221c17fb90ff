// Terraform and decK habits: each gets what does the job in envsync, never a bare "unknown".

import { describe, expect, it } from 'vitest';
import { type CommandShape, commandNameIn, habitProblem } from '../../../src/usage/habits.js';

const COMMANDS: CommandShape[] = [
  { name: 'plan', flags: ['--out', '--target', '--detailed-exitcode', '--format', '--adopt', '--help'] },
  {
    name: 'apply',
    flags: ['--plan', '--auto-approve', '--target', '--lock-timeout', '--parallelism', '--help'],
  },
  { name: 'export', flags: ['--out', '--help'] },
];
const GLOBALS = {
  all: ['--local', '--workspace', '--project-dir', '--no-color', '--help', '--version'],
  withValue: new Set(['--workspace', '--project-dir']),
};
const habit = (...argv: string[]) => habitProblem(argv, COMMANDS, GLOBALS);

describe('habitProblem', () => {
  it.each([
    [['plan', '-out', 'plan.json'], 'did you mean --out?'],
    [['plan', '-out=plan.json'], 'did you mean --out plan.json?'],
    [['plan', '-target=data'], 'did you mean --target data?'],
    [['plan', '-detailed-exitcode'], 'did you mean --detailed-exitcode?'],
    [['plan', '-json'], 'did you mean --format json?'],
    [['apply', '-auto-approve'], 'did you mean --auto-approve?'],
    [['-chdir=infra', 'plan'], 'did you mean --project-dir infra?'],
    [['plan', '-auto-approve'], '--auto-approve is a flag of `envsync apply`'],
    [['plan', '-var-file=x.tfvars'], 'envsync has no -var-file'],
  ])('single-dash %j → %s', (argv, hint) => {
    expect(habit(...argv)?.hint).toContain(hint);
    expect(habit(...argv)?.message).toMatch(/^unknown option '-/);
  });

  it('plan --auto-approve says it is an apply flag, and why', () => {
    expect(habit('plan', '--auto-approve')).toEqual({
      message: "unknown option '--auto-approve' for plan",
      hint: expect.stringContaining(
        '--auto-approve is a flag of `envsync apply`: plan never changes anything',
      ),
    });
    expect(habit('plan', '--lock-timeout', '10s')?.hint).toContain('plan takes no lock');
    // A flag no command has is left to commander (it suggests the nearest).
    expect(habit('plan', '--nosuch')).toBeNull();
  });

  it.each([
    ['import', '`envsync plan --adopt`'],
    ['destroy', '`envsync forget NAME`'],
    ['version', '`envsync --version`'],
    ['state', '`envsync forget NAME`'],
    ['sync', '`envsync apply`'],
  ])('%s, a command envsync lacks, points to what does its job', (name, hint) => {
    const p = habit(name);
    expect(p?.message).toBe(`envsync has no ${name} command`);
    expect(p?.hint).toContain(hint);
    // What commander's nearest-name guess said before: destroy → history, version → sessions.
    if (name === 'destroy' || name === 'version') expect(p?.hint).not.toMatch(/history|sessions/);
  });

  it('a real command of the same name wins over the table', () => {
    const withImport = [...COMMANDS, { name: 'import', flags: ['--from-ant', '--help'] }];
    expect(habitProblem(['import', '--from-ant'], withImport, GLOBALS)).toBeNull();
  });

  it('leaves good lines, values and whatever follows -- alone', () => {
    expect(habit('plan', '--out', 'x.json', '--target', 'a')).toBeNull();
    expect(habit('apply', '--', '-weird')).toBeNull();
    expect(habit('--workspace', 'plan', 'apply')).toBeNull();
    expect(habit('plan', '-h')).toBeNull();
  });

  it('finds the command past global flags and their values', () => {
    expect(commandNameIn(['--workspace', 'prod', '--local', 'plan'], GLOBALS.withValue)).toBe('plan');
    expect(commandNameIn(['--project-dir', 'x', 'apply'], GLOBALS.withValue)).toBe('apply');
    expect(commandNameIn(['--version'], GLOBALS.withValue)).toBeUndefined();
  });
});
