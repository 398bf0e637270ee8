/** The launcher spawn helpers moved to test/support/launcher.ts; kept for the Lacework tests' imports. */
export * from '../support/launcher';
