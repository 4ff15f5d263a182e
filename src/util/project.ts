import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The project root (folder of package.json), from source or from dist/. */
export function projectRoot(): string {
  if (!root) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(dir, 'package.json'))) {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
      dir = parent;
    }
    root = dir;
  }
  return root;
}

/** Path of a file under the project root (mappings/, fixtures/, conformance/…). */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}

export interface PackageInfo {
  name: string;
  version: string;
}

export function packageInfo(): PackageInfo {
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as PackageInfo;
  return { name: pkg.name, version: pkg.version };
}
