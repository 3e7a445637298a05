import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** Stand-ins for IdP metadata: the step never parses the XML, it only compares and stores it. */
export const METADATA_V1 =
  '<md:EntityDescriptor entityID="https://portal.sso.example/saml"><ds:X509Certificate>MIIB-old</ds:X509Certificate></md:EntityDescriptor>';
export const METADATA_V2 =
  '<md:EntityDescriptor entityID="https://portal.sso.example/saml"><ds:X509Certificate>MIIB-rotated</ds:X509Certificate></md:EntityDescriptor>';

export function s3Body(text: string): GetObjectCommandOutput {
  return { Body: { transformToString: async () => text }, $metadata: {} } as unknown as GetObjectCommandOutput;
}

/** Answers GetObject for `key` with `text`, as S3 does for the pinned metadata version or a backup. */
export function serveObject(s3: AwsClientStub<S3Client>, key: string, text: string): void {
  s3.on(GetObjectCommand, { Key: key }).resolves(s3Body(text));
}

export function commandNames(stub: { calls(): { args: unknown[] }[] }): string[] {
  return stub.calls().map((call) => (call.args[0] as object).constructor.name);
}
