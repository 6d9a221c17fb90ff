#!/usr/bin/env node
// The executable: runs main() on the real process and sets the exit code.

import { setFlagsFromString } from 'node:v8';
import { processIo } from './io.js';
import { main } from './main.js';

// Node's fetch parses HTTP with a WebAssembly module. V8 compiles it twice, the second time optimized on a
// background thread, and a process that ends waits for that compile: about 0.2 s on every command that
// talks to the API, for a parser that only ever reads headers and framing. Set before the first request.
setFlagsFromString('--liftoff-only');

process.exitCode = await main(process.argv.slice(2), processIo());
