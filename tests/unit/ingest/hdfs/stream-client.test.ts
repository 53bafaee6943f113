/** `qdbt ingest stream` builds its WebHDFS client from the target like batch and compact do. */
import { describe, expect, it } from 'vitest';
import { streamWebHdfsClient } from '../../../../src/cli/commands/ingestStream.js';
import type { HiveTarget } from '../../../../src/config/types.js';

function target(extra: Record<string, unknown>): HiveTarget {
  return {
    name: 'dev',
    profileName: 'p',
    type: 'hive',
    host: 'h',
    port: 1,
    auth: 'NONE',
    transport: 'binary',
    schema: 's',
    threads: 1,
    session: {},
    connectTimeoutSeconds: 1,
    retries: 0,
    extra,
    file: 'profiles.yml',
  };
}

describe('streamWebHdfsClient', () => {
  it('uses the standby NameNode, the user and the delegation token of the target', () => {
    const client = streamWebHdfsClient(
      target({
        hdfs_url: 'http://nn1:9870',
        hdfs_standby_url: 'http://nn2:9870',
        hdfs_user: 'etl',
        hdfs_delegation_token: 'from-profile',
      }),
      {},
    );
    expect(client.options).toEqual({
      url: 'http://nn1:9870',
      standbyUrl: 'http://nn2:9870',
      user: 'etl',
      delegationToken: 'from-profile',
    });
    expect(client.activeUrl).toBe('http://nn1:9870');
    client.close();
  });

  it('prefers QDBT_HDFS_DELEGATION_TOKEN to the profile token', () => {
    const client = streamWebHdfsClient(
      target({ hdfs_url: 'http://nn1:9870', hdfs_delegation_token: 'from-profile' }),
      { QDBT_HDFS_DELEGATION_TOKEN: 'from-env' },
    );
    expect(client.options.delegationToken).toBe('from-env');
    client.close();
  });

  it("falls back to the local stack's NameNode without hdfs_url", () => {
    const client = streamWebHdfsClient(target({ hdfs_user: 'etl' }), {});
    expect(client.options.url).toBe('http://127.0.0.1:9870');
    expect(client.options.user).toBe('etl');
    expect(client.options.standbyUrl).toBeUndefined();
    client.close();
  });
});
