import type { CaseClosureService } from './case-closure';
import type { CaseworkService } from './casework';
import type { PortalService } from './portal';
import type { SharingService } from './sharing';

/** The core use cases the composition root builds first; every part may use them. */
export interface Services {
  sharing: SharingService;
  casework: CaseworkService;
  portal: PortalService;
  closure: CaseClosureService;
}
