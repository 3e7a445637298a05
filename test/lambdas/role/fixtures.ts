import { providerArn, roleArn } from '../../helpers/step-account';

/** The example admin profile's role and the providers its trust policy names before and after the step. */
export const ROLE = 'AmazonConnectAdminAccessRole';
export const ROLE_ARN = roleArn(ROLE);
export const PROVIDER = providerArn('AmazonConnectAdminAccess');
export const OLD_PROVIDER = providerArn('OldIdP');
