#!/usr/bin/env node
// Copies the hand-written ESM entry (src/esm/index.mjs) next to tsc's CommonJS output.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
fs.copyFileSync(path.join(root, 'src', 'esm', 'index.mjs'), path.join(root, 'lib', 'index.mjs'));
