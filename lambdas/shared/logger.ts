import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per container, as Powertools recommends. */
export const logger = new Logger({ serviceName: 'saml-federation' });
