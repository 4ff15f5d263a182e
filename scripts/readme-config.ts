// Rewrites the configuration table of README.md from src/config/settings.ts:
//   npx tsx scripts/readme-config.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdownTable } from '../src/config/config.js';
import { projectPath } from '../src/util/project.js';

const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';
const file = projectPath('README.md');
const text = readFileSync(file, 'utf8');
const a = text.indexOf(START);
const b = text.indexOf(END);
if (a < 0 || b < a) throw new Error('README.md has no settings markers');
writeFileSync(file, `${text.slice(0, a + START.length)}\n${settingsMarkdownTable()}\n${text.slice(b)}`);
