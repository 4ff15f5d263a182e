/**
 * One-way layers (issue 13): the dependency rules over src/, checked by
 * `npm run lint:layers` (part of `npm test`).
 *
 * Layers, from the bottom up. A module may import its own layer and any LOWER
 * layer, never a higher one. Type-only imports count (tsPreCompilationDeps).
 *
 *   0  util, logging, config, kernel   foundation (kernel: errors, request context, FHIR types)
 *   1  terminology
 *   2  mapping, store, ehdsi           independent of each other
 *   3  documents, audit                independent of each other
 *   4  auth
 *   5  journey
 *   6  fhir
 *   7  web
 *   8  dev-idp, simulator              independent of each other
 *   9  server.ts, app-services.ts, main.ts, port-check.ts, cli/, load/   entry points and wiring
 *
 * Tests under src/ (*.test.ts) obey the same rules, except that they may also
 * import the test wiring: src/simulator, src/dev-idp, src/app-services.ts and
 * src/server.ts. Nothing under src/, tests included, imports test/.
 */

/** @typedef {{ level: number, name: string, folders: string[], files?: string[] }} Layer */

/** @type {Layer[]} */
const LAYERS = [
  { level: 0, name: 'foundation', folders: ['util', 'logging', 'config', 'kernel'] },
  { level: 1, name: 'terminology', folders: ['terminology'] },
  { level: 2, name: 'mapping-store-ehdsi', folders: ['mapping', 'store', 'ehdsi'] },
  { level: 3, name: 'documents-audit', folders: ['documents', 'audit'] },
  { level: 4, name: 'auth', folders: ['auth'] },
  { level: 5, name: 'journey', folders: ['journey'] },
  { level: 6, name: 'fhir', folders: ['fhir'] },
  { level: 7, name: 'web', folders: ['web'] },
  { level: 8, name: 'dev-idp-simulator', folders: ['dev-idp', 'simulator'] },
  { level: 9, name: 'entry-points', folders: ['cli', 'load'], files: ['server.ts', 'app-services.ts', 'main.ts', 'port-check.ts'] },
];

const TEST = '\\.test\\.ts$';
/** What a test under src/ may import whatever its own layer. */
const TEST_WIRING = ['^src/simulator/', '^src/dev-idp/', '^src/app-services\\.ts$', '^src/server\\.ts$'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The path patterns of one layer's modules. */
const paths = (layer) => [
  `^src/(?:${layer.folders.map(escape).join('|')})/`,
  ...(layer.files ?? []).map((file) => `^src/${escape(file)}$`),
];
/** The same, for the tests among them. */
const testPaths = (layer) => paths(layer).map((path) => (path.endsWith('$') ? `${path.slice(0, -1)}\\.test\\.ts$` : `${path}.*${TEST}`));
const label = (layer) => `${layer.level} (${[...layer.folders, ...(layer.files ?? [])].join(', ')})`;

/** One rule per layer (and one for its tests): no import of any higher layer. */
const layerRules = LAYERS.filter((layer) => layer.level < LAYERS.length - 1).flatMap((layer) => {
  const higher = LAYERS.filter((other) => other.level > layer.level);
  const higherPaths = higher.flatMap(paths);
  const message = `layer ${label(layer)} may import layers 0-${layer.level} only, never a higher one: ${higher.map(label).join('; ')}`;
  return [
    {
      name: `layer-${layer.level}-${layer.name}-not-up`,
      comment: message,
      severity: 'error',
      from: { path: paths(layer), pathNot: TEST },
      to: { path: higherPaths },
    },
    {
      name: `layer-${layer.level}-${layer.name}-tests-not-up`,
      comment: `tests of ${message} (test wiring excepted: src/simulator, src/dev-idp, src/app-services.ts, src/server.ts)`,
      severity: 'error',
      from: { path: testPaths(layer) },
      to: { path: higherPaths, pathNot: TEST_WIRING },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no circle of imports (type-only imports count): a circle means two modules are really one, or a layer is upside down',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-test',
      comment: 'nothing under src/ (its tests included) imports test/: what src/ needs belongs in src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import under src/ resolves: one that does not would slip past every rule above and below',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'src-module-in-no-layer',
      comment: 'every module under src/ belongs to a layer: put a new folder or top-level file into LAYERS in .dependency-cruiser.mjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flatMap(paths) },
      to: {},
    },
    {
      name: 'src-module-in-no-layer-imported',
      comment: 'every module under src/ belongs to a layer: put a new folder or top-level file into LAYERS in .dependency-cruiser.mjs',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: LAYERS.flatMap(paths) },
    },

    // The layers: each may import its own layer and the lower ones only.
    ...layerRules,

    // Layer 0 inside: kernel imports only util; config imports only util and logging.
    {
      name: 'layer-0-kernel-only-util',
      comment: 'layer 0: src/kernel may import src/util only (not src/logging, src/config)',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/(?:logging|config)/' },
    },
    {
      name: 'layer-0-config-only-util-logging',
      comment: 'layer 0: src/config may import src/util and src/logging only (not src/kernel)',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/kernel/' },
    },

    // Siblings of one layer are independent of each other.
    {
      name: 'layer-2-siblings-independent',
      comment: 'layer 2: src/mapping, src/store and src/ehdsi do not import each other',
      severity: 'error',
      from: { path: '^src/(mapping|store|ehdsi)/' },
      to: { path: '^src/(?:mapping|store|ehdsi)/', pathNot: '^src/$1/' },
    },
    {
      name: 'layer-3-siblings-independent',
      comment: 'layer 3: src/documents and src/audit do not import each other',
      severity: 'error',
      from: { path: '^src/(documents|audit)/' },
      to: { path: '^src/(?:documents|audit)/', pathNot: '^src/$1/' },
    },
    {
      name: 'layer-8-siblings-independent',
      comment: 'layer 8: src/dev-idp and src/simulator do not import each other',
      severity: 'error',
      from: { path: '^src/(dev-idp|simulator)/' },
      to: { path: '^src/(?:dev-idp|simulator)/', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
