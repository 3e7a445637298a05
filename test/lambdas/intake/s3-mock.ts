import { IAMClient } from '@aws-sdk/client-iam';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';

/** Mocks every S3, IAM and IAM Identity Center client, so a test sees each AWS call Intake makes, on any client. */
export const s3Mock = mockClient(S3Client);
export const iamMock = mockClient(IAMClient);
export const ssoAdminMock = mockClient(SSOAdminClient);

export const VERSION_ID = 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e';

export function resetMocks(): void {
  s3Mock.reset();
  iamMock.reset();
  ssoAdminMock.reset();
}

/** The streaming body GetObject returns, reduced to what Intake uses. */
export function objectBody(bytes: Buffer): never {
  return { transformToByteArray: async () => new Uint8Array(bytes), transformToString: async () => bytes.toString('utf8') } as never;
}

/** One object at one version, as HeadObject and GetObject report it. */
export function serveObject(bytes: Buffer, options: { versionId?: string | undefined; contentLength?: number } = {}): void {
  const versionId = 'versionId' in options ? options.versionId : VERSION_ID;
  s3Mock.on(HeadObjectCommand).resolves({
    ContentLength: options.contentLength ?? bytes.length,
    ...(versionId ? { VersionId: versionId } : {}),
    ContentType: 'application/xml',
  });
  s3Mock.on(GetObjectCommand).resolves({ Body: objectBody(bytes), ContentLength: bytes.length, ...(versionId ? { VersionId: versionId } : {}) });
}

/** An error as the SDK throws it: only its name matters to Intake. */
export function awsError(name: string, message = name): Error {
  const status: Record<string, number> = { NotFound: 404, NoSuchKey: 404, NoSuchVersion: 404, Forbidden: 403, MethodNotAllowed: 405, SlowDown: 503 };
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status[name] ?? 400 } });
}

/** Names of the commands sent to any mocked client, in order. */
export function awsCalls(): string[] {
  return [...s3Mock.calls(), ...iamMock.calls(), ...ssoAdminMock.calls()].map((call) => (call.args[0] as object).constructor.name);
}
