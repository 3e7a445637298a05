// asl-validator 4 ships JavaScript only.
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: Array<{ message?: string; [key: string]: unknown }>;
  }
  export default function aslValidator(definition: unknown, options?: Record<string, unknown>): AslValidationResult;
}
