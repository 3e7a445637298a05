import { partition } from '@aws-sdk/core/client';

/**
 * What differs between AWS partitions for federation: the DNS suffix of service endpoints (from the SDK's own
 * partition table, so every partition the SDK knows works), and the sign-in and console hosts, which the SDK does not
 * carry. Sign-in and console hosts are published for the three partitions below; elsewhere (ISO, European Sovereign
 * Cloud) they are not public, so a profile there must give its relay state, and the audience is the partition's own
 * guess (`signin.<dnsSuffix>`), said where it is used.
 */
export interface PartitionFacts {
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  name: string;
  /** `amazonaws.com`, `amazonaws.com.cn`, ... */
  dnsSuffix: string;
  /** The SAML audience AWS sign-in expects (`SAML:aud` of the federation role's trust policy). */
  signinAudience: string;
  /** `<region>.console...` host of the AWS Management Console, when the partition publishes one. */
  consoleHost?: (region: string) => string;
}

const COMMERCIAL: Pick<PartitionFacts, 'signinAudience' | 'consoleHost'> = {
  signinAudience: 'https://signin.aws.amazon.com/saml',
  consoleHost: (region) => `${region}.console.aws.amazon.com`,
};

const SIGN_IN: Record<string, Pick<PartitionFacts, 'signinAudience' | 'consoleHost'>> = {
  aws: COMMERCIAL,
  'aws-cn': { signinAudience: 'https://signin.amazonaws.cn/saml', consoleHost: (region) => `${region}.console.amazonaws.cn` },
  'aws-us-gov': { signinAudience: 'https://signin.amazonaws-us-gov.com/saml', consoleHost: (region) => `${region}.console.amazonaws-us-gov.com` },
};

/** The facts of the partition a region belongs to. */
export function partitionOfRegion(region: string): PartitionFacts {
  const { name, dnsSuffix } = partition(region);
  return { name, dnsSuffix, ...(SIGN_IN[name] ?? { signinAudience: `https://signin.${dnsSuffix}/saml` }) };
}

/**
 * The sign-in audience of a partition named in an ARN (`arn:<partition>:...`). Outside the three partitions that
 * publish it, the commercial audience is used: a guess, which the role's trust policy then shows for review.
 */
export function signinAudienceOf(partitionName: string): string {
  return (SIGN_IN[partitionName] ?? COMMERCIAL).signinAudience;
}
