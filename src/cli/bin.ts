#!/usr/bin/env node
// The executable: runs main() on the real process and sets the exit code.

import { processIo } from './io.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), processIo());
