export { startIllumioSimulator } from './server';
export type { Endpoint, FaultRule, IllumioSimulator, ServedEntry, SimulatorOptions } from './server';
export { defaultEventTypes, eventTypesFromTsv, makeEvent } from './generate';
export { createTrafficServer, healthBody, makeEstate, makeFlow, TRAFFIC_MAX_RESULTS } from './traffic';
export type { TrafficOptions, TrafficOutcome, TrafficServer } from './traffic';
