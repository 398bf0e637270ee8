export { startIllumioSimulator } from './server';
export type { Endpoint, FaultRule, IllumioSimulator, ServedEntry, SimulatorOptions } from './server';
export { defaultEventTypes, eventTypesFromTsv, makeEvent } from './generate';
