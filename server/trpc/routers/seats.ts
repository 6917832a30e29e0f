import { router } from '../trpc';
import { seatSummaryProcedure } from './seats-summary';

export const seatsRouter = router({
  summary: seatSummaryProcedure,
});
