import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** An S3 client whose bucket lives in a Map; every PutObject is also appended to `log` as `s3:put:<key>`. */
export function memoryS3(log: string[] = []) {
  const objects = new Map<string, string>();
  const s3 = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(s3);
  mock.on(PutObjectCommand).callsFake(async (input: { Bucket: string; Key: string; Body: string }) => {
    objects.set(`${input.Bucket}/${input.Key}`, String(input.Body));
    log.push(`s3:put:${input.Key}`);
    return {};
  });
  mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    const text = objects.get(`${input.Bucket}/${input.Key}`);
    if (text === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => text } };
  });
  return {
    s3,
    mock,
    objects,
    json: <T = any>(bucket: string, key: string): T | undefined => {
      const text = objects.get(`${bucket}/${key}`);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    puts: () => mock.commandCalls(PutObjectCommand).length,
  };
}
