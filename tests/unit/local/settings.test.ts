import { describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { DEFAULT_PORTS, resolveLocalSettings, serversFor } from '../../../src/local/settings.js';
import { renderTemplate } from '../../../src/local/layout.js';

describe('local: settings', () => {
  it('defaults to hive, the usual ports and .qdbt/local in the project', () => {
    const s = resolveLocalSettings('/p', {});
    expect(s.engine).toBe('hive');
    expect(s.ports).toEqual(DEFAULT_PORTS);
    expect(s.ports.hive).toBe(10000);
    expect(s.ports.spark).toBe(10010);
    expect(s.home).toBe('/p/.qdbt/local');
  });

  it('reads the local: block, and flags win over it', () => {
    const s = resolveLocalSettings(
      '/p',
      { engine: 'both', ports: { hive: 10100 }, heap: { hive: '2g' }, start_timeout_seconds: 60 },
      { port: ['kafka=19092'], heap: ['spark=1G'], engine: 'spark' },
    );
    expect(s.engine).toBe('spark');
    expect(s.ports.hive).toBe(10100);
    expect(s.ports.kafka).toBe(19092);
    expect(s.heap.hive).toBe('2g');
    expect(s.heap.spark).toBe('1g');
    expect(s.startTimeoutSeconds).toBe(60);
  });

  it('names what is wrong', () => {
    const bad = (raw: Record<string, unknown>, flags = {}): QdbtError => {
      try {
        resolveLocalSettings('/p', raw, flags, '/p/project.yml');
      } catch (error) {
        return error as QdbtError;
      }
      throw new Error('no error');
    };
    expect(bad({ engine: 'presto' }).message).toContain('local.engine must be hive, spark or both');
    expect(bad({ engine: 'presto' }).kind).toBe('project');
    expect(bad({ ports: { hiv: 1 } }).hint).toContain('hive');
    expect(bad({ ports: { hive: 80 } }).message).toContain('between 1024 and 65535');
    expect(bad({ heap: { hive: 'lots' } }).message).toContain('JVM heap size');
    expect(bad({ colour: 'red' }).message).toContain('unknown setting');
    expect(bad({}, { port: ['hive=9092'] }).message).toContain('both 9092');
    expect(bad({}, { port: ['hive'] }).message).toContain('name=value');
    expect(bad({}, { engine: 'x' }).kind).toBe('usage');
  });

  it('starts the servers an engine needs, in order', () => {
    expect(serversFor('hive')).toEqual(['namenode', 'datanode', 'kafka', 'hive']);
    expect(serversFor('spark')).toEqual(['namenode', 'datanode', 'kafka', 'spark']);
    expect(serversFor('both')).toEqual(['namenode', 'datanode', 'kafka', 'hive', 'spark']);
  });

  it('renders templates and refuses unknown variables', () => {
    expect(renderTemplate('a {{ports.hive}} {{user}}', { ports: { hive: 1 }, user: 'u' }, 't')).toBe('a 1 u');
    expect(() => renderTemplate('{{nope}}', {}, 'tmpl')).toThrow(
      "tmpl: template variable 'nope' has no value",
    );
  });
});
