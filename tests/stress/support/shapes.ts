import type { FirmShape } from './firm-generator';

/** The firm the load test and the bench's load run use: 100 cases, 2,000 items, 210 guests of every kind. */
export const LOAD_SHAPE: FirmShape = {
  seed: 'load',
  clients: 20,
  cases: 100,
  itemsPerCase: 20,
  itemGuests: 100,
  itemGuestCases: 3,
  itemGrantsPerCase: 8,
  caseGuests: 60,
  caseGuestCases: 4,
  clientGuests: 40,
  clientGuestClients: 2,
  pendingGuests: 5,
  portalOffGuests: 5,
  expiredEvery: 9,
  uploadEvery: 2,
};
