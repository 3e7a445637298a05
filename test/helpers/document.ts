import cdkJson from '../../cdk.json';
import type { ExecutionDocument, ExecutionRequest } from '../../lambdas/shared/document';
import { parseFederationConfig, type ResolvedProfile } from '../../lambdas/shared/profile';

/** The example configuration shipped in cdk.json, validated as the stack validates it. */
export const exampleConfig = parseFederationConfig(cdkJson.context.samlFederation);

export function exampleProfile(name: 'admin' | 'agent' = 'admin'): ResolvedProfile {
  return { ...exampleConfig.profiles[name]!, name };
}

/** An execution document as Intake produces it, for step tests. */
export function makeDocument(
  overrides: { request?: Partial<ExecutionRequest>; profile?: ResolvedProfile } & Partial<Omit<ExecutionDocument, 'request' | 'profile'>> = {},
): ExecutionDocument {
  const { request, profile, ...rest } = overrides;
  return {
    request: {
      bucket: 'federation-metadata-bucket',
      key: 'metadata/admin/idp.xml',
      versionId: 'v1-3HL4kqtJlcpXroDTDmJ',
      sha256: 'a'.repeat(64),
      size: 4321,
      profile: profile?.name ?? 'admin',
      dryRun: false,
      executionName: 'exec-0001',
      pipelineName: exampleConfig.pipelineName,
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      source: 'manual',
      ...request,
    },
    profile: profile ?? exampleProfile('admin'),
    metadata: {
      entityId: 'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMzX2lucy01YTFlMGM5ZjNiN2QyZTQ2',
      certificates: [{ sha256Fingerprint: 'AB:CD', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2031-01-01T00:00:00.000Z', subject: 'CN=test' }],
      warnings: [],
    },
    receipts: {},
    ...rest,
  };
}
