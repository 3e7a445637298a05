// Structured logs are for CloudWatch; in tests they only bury the failure output.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
