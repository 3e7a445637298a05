// Structured logs are for CloudWatch; in tests they only bury the failure output.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
// No test may reach the instance metadata service for credentials (the CLI's doctor resolves them as the SDK does).
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
