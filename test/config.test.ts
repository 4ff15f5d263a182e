import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, settingsMarkdownTable } from '../src/config/config.js';

describe('configuration', () => {
  test('defaults make a runnable configuration', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.fhir.maxBodyBytes).toBe(1048576);
  });
  test('environment variables override defaults', () => {
    const c = loadConfig({ PORT: '9999', LOG_LEVEL: 'warn' });
    expect(c.port).toBe(9999);
    expect(c.logLevel).toBe('warn');
  });
  test('a bad value is refused with the setting named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/port \(environment variable PORT\)/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/logLevel.*must be one of/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x' })).toThrow(/publicBaseUrl/);
  });
  test('a JSON config file is read, and the environment wins over it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 7000, fhir: { maxBodyBytes: 4096 } }));
    expect(loadConfig({ CONFIG_FILE: file }).fhir.maxBodyBytes).toBe(4096);
    expect(loadConfig({ CONFIG_FILE: file }).port).toBe(7000);
    expect(loadConfig({ CONFIG_FILE: file, PORT: '7001' }).port).toBe(7001);
  });
  test('an unknown key or a broken file is refused by name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ prot: 7000 }));
    expect(() => loadConfig({ CONFIG_FILE: file })).toThrow(/prot: unknown setting/);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ CONFIG_FILE: file })).toThrow(/CONFIG_FILE/);
    expect(() => loadConfig({ CONFIG_FILE: path.join(dir, 'missing.json') })).toThrow(/cannot read/);
  });
  test('the README table lists every setting', () => {
    const table = settingsMarkdownTable();
    expect(table).toContain('`PORT`');
    expect(table).toContain('`FHIR_MAX_BODY_BYTES`');
  });
});
