import { normalizeRequest, profileFromKey, STARTED_BY_FIELD } from '../../../lambdas/intake/request';

const context = { bucket: 'federation-metadata-bucket', profiles: ['admin', 'agent'] };

/** The S3 "Object Created" event as EventBridge delivers it. */
function objectCreated(overrides: { bucket?: string; key?: string; versionId?: string | null } = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2031-03-15T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${overrides.bucket ?? context.bucket}`],
    detail: {
      version: '0',
      bucket: { name: overrides.bucket ?? context.bucket },
      object: {
        key: overrides.key ?? 'metadata/admin/idp.xml',
        size: 2598,
        etag: 'b1946ac92492d2347c6235b4d2611184',
        ...(overrides.versionId === null ? {} : { 'version-id': overrides.versionId ?? 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' }),
        sequencer: '00617F08299329D189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '111122223333',
      'source-ip-address': '192.0.2.1',
      reason: 'PutObject',
    },
  };
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('normalizeRequest', () => {
  it('reads bucket, key and version from the EventBridge S3 event, never as a dry run', () => {
    expect(normalizeRequest(objectCreated(), context)).toEqual({
      source: 'eventbridge',
      bucket: context.bucket,
      key: 'metadata/admin/idp.xml',
      versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      dryRun: false,
      allowOlderVersion: false,
      profile: 'admin',
    });
  });

  it('uses the EventBridge key as it is: EventBridge does not URL-encode keys', () => {
    expect(normalizeRequest(objectCreated({ key: 'metadata/agent/IdP metadata+2031.xml' }), context).key).toBe(
      'metadata/agent/IdP metadata+2031.xml',
    );
  });

  it('accepts the manual input with only bucket and key', () => {
    expect(normalizeRequest({ bucket: context.bucket, key: 'metadata/agent/idp.xml' }, context)).toEqual({
      source: 'manual',
      bucket: context.bucket,
      key: 'metadata/agent/idp.xml',
      dryRun: false,
      allowOlderVersion: false,
      profile: 'agent',
    });
  });

  it('carries the manual versionId and dryRun', () => {
    expect(normalizeRequest({ bucket: context.bucket, key: 'metadata/admin/x.xml', versionId: 'v2', dryRun: true }, context)).toMatchObject({
      versionId: 'v2',
      dryRun: true,
    });
  });

  it.each([
    ['a string', 'metadata/admin/idp.xml'],
    ['null', null],
    ['an array', [{ bucket: context.bucket }]],
    ["the Step Functions console's default input", { Comment: 'Insert your JSON here' }],
    ['a manual input without key', { bucket: context.bucket }],
    ['an S3 event notification (Records)', { Records: [{ s3: { bucket: { name: context.bucket }, object: { key: 'metadata/admin/idp.xml' } } }] }],
    ['an EventBridge event of another type', { ...objectCreated(), 'detail-type': 'Object Deleted' }],
    ['an EventBridge event from another source', { ...objectCreated(), source: 'aws.ec2' }],
    ['an S3 event without detail.object.key', { ...objectCreated(), detail: { bucket: { name: context.bucket } } }],
  ])('refuses %s with Request.Invalid naming both accepted shapes', (_name, input) => {
    const error = errorOf(() => normalizeRequest(input, context));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toContain('"detail-type": "Object Created"');
    expect(error.message).toContain('{"bucket": "...", "key": "metadata/<profile>/<name>.xml"');
  });

  it('names a misspelt manual field', () => {
    const error = errorOf(() => normalizeRequest({ bucket: context.bucket, key: 'metadata/admin/idp.xml', dryrun: true }, context));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toMatch(/unexpected field\(s\) "dryrun"/);
  });

  it.each([
    ['dryRun as a string', { dryRun: 'true' }, /dryRun/],
    ['an empty versionId', { versionId: '' }, /versionId/],
    ['the "null" version of an unversioned bucket', { versionId: 'null' }, /versioning/],
  ])('refuses %s', (_name, extra, message) => {
    const error = errorOf(() => normalizeRequest({ bucket: context.bucket, key: 'metadata/admin/idp.xml', ...extra }, context));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toMatch(message);
  });

  it('refuses another bucket and says which one the pipeline reads', () => {
    for (const input of [objectCreated({ bucket: 'someone-elses-bucket' }), { bucket: 'someone-elses-bucket', key: 'metadata/admin/idp.xml' }]) {
      const error = errorOf(() => normalizeRequest(input, context));
      expect(error.name).toBe('Request.Invalid');
      expect(error.message).toContain('"someone-elses-bucket"');
      expect(error.message).toContain(`its own bucket "${context.bucket}"`);
    }
  });
});

describe('profileFromKey', () => {
  it('takes the profile from metadata/<profile>/', () => {
    expect(profileFromKey('metadata/agent/2031-rotation.XML', context)).toBe('agent');
  });

  it('refuses an unknown profile and lists the known ones', () => {
    const error = errorOf(() => profileFromKey('metadata/supervisor/idp.xml', context));
    expect(error.name).toBe('Request.UnknownProfile');
    expect(error.message).toContain('"supervisor"');
    expect(error.message).toContain('known profiles: admin, agent');
  });

  it('does not treat inherited object properties as profiles', () => {
    expect(errorOf(() => profileFromKey('metadata/constructor/idp.xml', context)).name).toBe('Request.UnknownProfile');
  });

  it.each([
    'idp.xml',
    'metadata/idp.xml',
    'metadata/admin/idp.json',
    'metadata/admin/old/idp.xml',
    'journal/exec/role.json',
    'Metadata/admin/idp.xml',
  ])('refuses the key %s with Request.Invalid explaining the layout', (key) => {
    const error = errorOf(() => profileFromKey(key, context));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toContain('metadata/<profile>/<name>.xml');
  });
});

describe('an input naming the profile, started by a parent execution (the fleet)', () => {
  const parent = 'arn:aws:states:us-east-1:111122223333:execution:saml-federation-fleet:6c5c7c8e-fleet';

  it("accepts the parent's execution id that Step Functions adds, and reads nothing from it", () => {
    expect(normalizeRequest({ profile: 'admin', dryRun: false, [STARTED_BY_FIELD]: parent }, context)).toMatchObject({
      source: 'application',
      dryRun: false,
    });
  });

  it('refuses anything in that field but an execution ARN, naming the field', () => {
    const error = errorOf(() => normalizeRequest({ profile: 'admin', [STARTED_BY_FIELD]: 'arn:aws:iam::111122223333:role/x' }, context));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toContain(
      `"${STARTED_BY_FIELD}" is "arn:aws:iam::111122223333:role/x"; Step Functions sets it to the parent execution's ARN`,
    );
  });
});
