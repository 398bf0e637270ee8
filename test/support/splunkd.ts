/**
 * The loopback splunkd stand-in lives in src/cli/splunkd-standin.ts because the demo
 * (`npm start`) runs the launchers against it at runtime; tests keep importing it from here.
 */
export * from '../../src/cli/splunkd-standin';
