import type { SettingDef } from '../setting-def.js';

/** Settings of the embedded eHDSI network simulator (see src/config/settings.ts). */
export const SIMULATOR_SETTINGS: readonly SettingDef[] = [
  { key: 'simulator.enabled', env: 'SIMULATOR_ENABLED', type: 'bool', default: true, description: 'Start the embedded eHDSI network simulator (one responding gateway per configured country) beside the FHIR server.' },
  { key: 'simulator.host', env: 'SIMULATOR_HOST', type: 'string', default: '127.0.0.1', description: 'Interface the eHDSI simulator listens on (keep it on loopback).' },
  { key: 'simulator.port', env: 'SIMULATOR_PORT', type: 'port', default: 8090, min: 0, description: 'Port of the eHDSI simulator (0 = any free port). Gateways are at /{CC}/xcpd and /{CC}/xca, fault control at /_control/faults.' },
  { key: 'simulator.patientsDir', env: 'SIMULATOR_PATIENTS_DIR', type: 'path', optional: true, description: 'Folder of synthetic patients served by the simulator ({slug}/patient.json, L3.xml, L1.xml); defaults to the project\'s fixtures/patients.' },
];
